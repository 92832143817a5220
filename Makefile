# jwe-steps: `make lab` to learn, `make test` to check everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8888
STAMP := $(VENV)/.installed
# jupyter refuses to run as root unless told to; on a normal account this stays empty.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
CHECKED := jwe_steps tests benchmarks scripts

.PHONY: help install lab test lint typecheck unit js-peer bench notebooks clean

help:
	@echo "make lab    start JupyterLab on notebooks/00_start_here.ipynb (PORT=$(PORT))"
	@echo "make test   lint, types, unit tests, notebooks (strict nbval), browser tests"
	@echo "make bench  benchmarks against the bare primitives and the peers"
	@echo "make notebooks  re-execute every notebook and store its outputs"

# The virtualenv is (re)built whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[lab,test,bench]'
	@touch $(STAMP)

install: $(STAMP)

# Trusting the notebooks lets JupyterLab show their stored views (inline SVG and styles) before
# they are re-run; they are this repository's own files.
lab: install
	@$(BIN)/jupyter trust notebooks/*.ipynb > /dev/null
	$(BIN)/jupyter lab --port=$(PORT) $(ALLOW_ROOT) notebooks/00_start_here.ipynb

lint: install
	$(BIN)/ruff check $(CHECKED)
	$(BIN)/ruff format --check $(CHECKED)

typecheck: install
	$(BIN)/mypy jwe_steps

# panva/jose, the JavaScript interop peer: installed from tests/js/package-lock.json when npm exists.
js-peer:
	@if [ -f tests/js/node_modules/jose/package.json ]; then \
		echo "JavaScript peer: panva/jose installed."; \
	elif command -v npm > /dev/null; then \
		npm ci --prefix tests/js --no-audit --no-fund --loglevel=error; \
	else \
		echo "JavaScript peer: SKIPPED, npm not found (install Node.js to test against panva/jose)."; \
	fi

unit: install js-peer
	@if [ -x /usr/bin/chromium ]; then \
		echo "Browser tests: running with /usr/bin/chromium."; \
	else \
		echo "Browser tests: SKIPPED, /usr/bin/chromium not found (apt-get install chromium)."; \
	fi
	$(BIN)/pytest --nbval -p no:cacheprovider tests notebooks

test: lint typecheck unit

bench: install
	$(BIN)/python benchmarks/run_all.py

notebooks: install
	$(BIN)/python scripts/refresh_notebooks.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis test-artifacts tests/js/node_modules
