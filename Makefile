# jwe-steps: `make lab` to learn, `make app` to debug a token, `make test` to check everything.
# `make help` lists the targets (each documented by its `## ` comment below).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8888
APP_PORT ?= 8866
LOCK := requirements/lock.txt
# The lock is made by uv (pinned here, so a refresh does not depend on whichever uv is newest).
UV_VERSION := 0.13.8
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip --disable-pip-version-check
# jupyter refuses to run as root unless told to; on a normal account this stays empty.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
CHECKED := jwe_steps tests benchmarks scripts recipes/python
# The notebook `make lab` opens; the JupyterLab root is notebooks/, so its URL is /lab/tree/NAME.
LAB_NOTEBOOK := 00_start_here.ipynb
# DRY_RUN=1: `make lab` / `make app` print the URL and the command instead of starting a server.
DRY_RUN ?=

.PHONY: help install lock lab app test lint typecheck unit js-peer bench notebooks clean

help: ## this list
	@echo "Targets (variables: PORT=$(PORT) for lab, APP_PORT=$(APP_PORT) for app, DRY_RUN=1):"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)$$/  make \1\t\2/' | expand -t 20

# The virtualenv is (re)built from the lock whenever pyproject.toml or the lock changes: first the
# pinned, hash-checked dependencies, then jwe-steps itself (editable, no dependency resolution).
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes -r $(LOCK)
	$(PIP) install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP) ## create .venv from requirements/lock.txt and install jwe-steps into it

# Every extra (lab, app, test, bench), for every platform (--universal), with hashes. Pins still
# allowed by pyproject.toml are kept; UPGRADE=1 moves every package to its newest allowed version.
lock: ## refresh requirements/lock.txt after a change to pyproject.toml (UPGRADE=1: newest of all)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --all-extras --universal --python-version 3.11 \
		--generate-hashes --no-emit-package jwe-steps --custom-compile-command "make lock" \
		$(if $(UPGRADE),--upgrade,) --quiet -o $(LOCK)

# Trusting the notebooks lets JupyterLab show their stored views (inline SVG and styles) before
# they are re-run; they are this repository's own files. The token is made here (or taken from
# JUPYTER_TOKEN) so that the URL printed is the notebook's own, token included. Voila's server
# extension is left out of the lab: the debugging page runs Voila on its own (make app), and
# loading it here only printed jupyter-server's DeprecationWarning (voila asks for traitlets'
# deprecations to be shown, whatever PYTHONWARNINGS says).
lab: install ## start JupyterLab and print (and open, where a browser exists) notebook 00's URL
	@token="$${JUPYTER_TOKEN:-$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(24))')}"; \
	if [ -z "$(DRY_RUN)" ] && ! $(BIN)/python -c 'import socket, sys; \
		socket.create_server(("127.0.0.1", int(sys.argv[1])))' "$(PORT)" 2>/dev/null; then \
		echo "make lab: port $(PORT) on 127.0.0.1 is in use (or not a port); try make lab PORT=9999" >&2; \
		exit 1; \
	fi; \
	echo "JupyterLab: http://127.0.0.1:$(PORT)/lab/tree/$(LAB_NOTEBOOK)?token=$$token"; \
	command=($(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
		--ServerApp.port_retries=0 --ServerApp.root_dir=notebooks \
		--LabApp.default_url=/lab/tree/$(LAB_NOTEBOOK) $(ALLOW_ROOT) \
		'--ServerApp.jpserver_extensions={"voila.server_extension": False}'); \
	if [ -n "$(DRY_RUN)" ]; then echo "$${command[*]}"; exit 0; fi; \
	$(BIN)/jupyter trust notebooks/*.ipynb > /dev/null; \
	JUPYTER_TOKEN="$$token" exec "$${command[@]}"

app: install ## serve the debugging page (paste a token and a key) on 127.0.0.1:APP_PORT
	$(BIN)/jwe-steps app --port $(APP_PORT) $(if $(DRY_RUN),--dry-run,)

lint: install ## ruff check and ruff format --check
	$(BIN)/ruff check $(CHECKED)
	$(BIN)/ruff format --check $(CHECKED)

typecheck: install ## mypy jwe_steps and the Python recipes (strict)
	$(BIN)/mypy jwe_steps
	$(BIN)/mypy --strict recipes/python

# panva/jose, the JavaScript interop peer: installed from tests/js/package-lock.json when npm exists.
js-peer: ## install panva/jose (the JavaScript peer) into tests/js when npm exists
	@if [ -f tests/js/node_modules/jose/package.json ]; then \
		echo "JavaScript peer: panva/jose installed."; \
	elif command -v npm > /dev/null; then \
		npm ci --prefix tests/js --no-audit --no-fund --loglevel=error; \
	else \
		echo "JavaScript peer: SKIPPED, npm not found (install Node.js to test against panva/jose)."; \
	fi

unit: install js-peer ## pytest: unit tests, notebooks (strict nbval), browser tests
	@if [ -x /usr/bin/chromium ]; then \
		echo "Browser tests: running with /usr/bin/chromium."; \
	else \
		echo "Browser tests: SKIPPED, /usr/bin/chromium not found (apt-get install chromium)."; \
	fi
	$(BIN)/pytest --nbval -p no:cacheprovider tests notebooks

test: lint typecheck unit ## everything: lint, types, unit tests, notebooks, browser tests

bench: install ## benchmarks against the bare primitives and the peers (about two minutes)
	$(BIN)/python benchmarks/run_all.py

notebooks: install ## re-execute every notebook and store its outputs
	$(BIN)/python scripts/refresh_notebooks.py

clean: ## remove .venv, caches and test artifacts
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis test-artifacts tests/js/node_modules \
		recipes/java/target recipes/node/node_modules recipes/go/bin recipes/.locks
