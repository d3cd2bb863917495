# Two commands on a fresh machine: `make run` serves the site, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install build check serve bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	$(PY) -m babel.messages.frontend compile -d app/translations --statistics 2>/dev/null || true
	touch $@

install: $(VENV)/.installed

check: install
	$(PY) build.py --check

build: install
	$(PY) build.py

run: build
	$(VENV)/bin/gunicorn --workers 2 --bind $(HOST):$(PORT) --access-logfile - 'app:create_app()'

test: install
	$(PY) -m pytest -q

bench: install
	$(PY) bench/run_all.py

clean:
	rm -rf index $(VENV) .pytest_cache
