# Two commands on a fresh machine: `make run` serves the site, `make test` runs the whole suite.
# VENV, HOST and PORT may be given on the command line or in the environment (PORT=5001 make run).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
KP := $(VENV)/bin/kaytantopankki
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run watch test install build check bench bench-full clean

# What serving needs: the site and its command line `kaytantopankki` (pyproject.toml's dependencies).
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

# What the tests and benchmarks need besides (pyproject.toml's dependency group `test`).
$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install --quiet --group test
	touch $@

# axe-core for the accessibility checks of the browser tests (package.json); only `make test` needs npm.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --silent --no-audit --no-fund

# The gettext catalogues (the interface's and the editor messages') are compiled on every install:
# the .mo files are not in git; pybabel exits non-zero when a catalogue has errors. So is the app's
# bytecode (pip compiles the packages it installs, not an editable project): a server that may not
# write into its code's folder compiles every module it imports at each start otherwise (compiling all of
# app/ takes 0.19 s, measured 2026-11-30; a server imports most of it).
install: $(VENV)/.installed
	$(VENV)/bin/pybabel --quiet compile -d app/web/translations
	$(VENV)/bin/pybabel --quiet compile -D editor -d app/content/translations
	$(PY) -m compileall -q app

check: install
	$(KP) check

build: install
	$(KP) build

# Builds the bundled content, then serves it with gunicorn; invalid content keeps the last good index served.
run: install
	$(KP) serve --host $(HOST) --port $(PORT)

# The editor's loop: rebuild on every saved change of content/ and serve each good build.
watch: install
	$(KP) serve --watch --host $(HOST) --port $(PORT)

test: install $(VENV)/.installed-test node_modules/.package-lock.json
	$(PY) -m pytest -q

bench: install $(VENV)/.installed-test
	$(PY) bench/run_all.py

# The same at 100 000 practices as well (about an hour and a half on a 2-core machine).
bench-full: install $(VENV)/.installed-test
	$(PY) bench/run_all.py --full

clean:
	rm -rf index $(VENV) .pytest_cache
