# The two commands: `make run` (the whole platform with a demo school on this machine)
# and `make test` (the whole test suite). Needs only Python 3.11 and make; everything
# else goes into .venv. `make help` lists the targets.
#
# make test PYTEST_ARGS='tests/identity -x'   run a part of the suite
# make test TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres \
#           TEST_REDIS_URL=redis://127.0.0.1:6379/0
#                                             also run every database test on PostgreSQL
#                                             (one database per service, created by the
#                                             tests) and the throttling tests on Redis
# make run RUN_ARGS='--port-base 9000'        see `.venv/bin/python scripts/run.py --help`

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SERVICES := identity learning journal compliance
# One worker more than cores: the tests wait on the databases, servers and timers much of
# the time (2 cores: 21 min with 3 workers against 30-35 min with 2).
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 2) + 1 )))
PYTEST_ARGS ?=
RUN_ARGS ?=

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install run demo migrate test test-e2e browser lint format openapi bench clean distclean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(STAMP) ## create .venv and install the project with its dev tools

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Python 3.11 is required (python3.11 or python3 on PATH)"; exit 1; fi
	@if [ ! -x $(BIN)/python ]; then \
	  echo "creating $(VENV) with $(PYTHON)"; \
	  $(PYTHON) -m venv $(VENV) || { \
	    echo "could not create $(VENV); on Debian/Ubuntu install python3.11-venv (or python3-venv)"; \
	    rm -rf $(VENV); exit 1; }; \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

run: install ## migrate, load the demo school, start the gateway and the services (Ctrl-C stops)
	$(BIN)/python scripts/run.py $(RUN_ARGS)

migrate: install ## alembic upgrade head for every service (var/*.db or <SERVICE>_DATABASE_URL)
	@for svc in $(SERVICES); do \
	  echo "migrating $$svc"; \
	  $(BIN)/alembic -n $$svc upgrade head; \
	done

demo: migrate ## load the demo school into identity (idempotent; DEMO_PASSWORD sets the password)
	$(BIN)/python -m services.identity.demo

test: install ## the whole suite on cores + 1 workers (chromium is installed for the browser test)
	@bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

test-e2e: install ## only the end-to-end and browser tests
	@bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

lint: install ## ruff (lint and format), mypy, import-linter
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

openapi: install ## regenerate the committed specs under openapi/
	$(BIN)/python scripts/openapi.py

bench: install ## run the benchmarks and write docs/performance.md (installs Debian's wrk)
	@bash scripts/ensure-wrk.sh
	$(BIN)/python -m bench --write-docs

clean: ## remove caches, build files and the local databases (var/); keeps .venv
	rm -rf var/*.db var/*.db-wal var/*.db-shm .pytest_cache .mypy_cache .ruff_cache \
	  .import_linter_cache build dist *.egg-info
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -print0 | xargs -0 rm -rf

distclean: clean ## clean, and remove .venv too
	rm -rf $(VENV)
