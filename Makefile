# Two commands on a fresh machine: `make run` serves the site, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install build check serve bench bench-full clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	touch $@

# axe-core for the accessibility checks of the browser tests (package.json; the site needs no Node).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --silent --no-audit --no-fund

# The gettext catalogues are compiled on every install (the .mo files are not in git); pybabel,
# unlike 'python -m babel.messages.frontend', exits non-zero when a catalogue has errors.
install: $(VENV)/.installed node_modules/.package-lock.json
	$(VENV)/bin/pybabel compile -d app/web/translations --statistics

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

# The same at 100 000 practices as well (about an hour and a half on a 2-core machine).
bench-full: install
	$(PY) bench/run_all.py --full

clean:
	rm -rf index $(VENV) .pytest_cache
