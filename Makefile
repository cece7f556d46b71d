# Every target creates the environment it needs from nothing (python3 + PyPI).
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.astra-installed
UV_VER  := 0.13.9
DATA_DIR ?= data
ARGS    ?=

.PHONY: all env test lint types unit run demo bench lock clean

all: test

# The development environment: runtime + dev tools (requirements-dev.lock). Deployments
# (ops/docker-compose.yml) install the runtime-only requirements.lock.
$(STAMP): requirements-dev.lock
	rm -rf $(VENV)
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check "uv==$(UV_VER)"
	VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install -q --require-hashes -r requirements-dev.lock
	VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install -q --no-deps -e .
	touch $(STAMP)

env: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check astra tests benchmarks
	$(BIN)/ruff format --check astra tests benchmarks
	$(BIN)/lint-imports

types: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider $(ARGS)

test: lint types unit

run: $(STAMP)
	$(BIN)/astra paper --data-dir $(DATA_DIR) $(ARGS)

demo: $(STAMP)
	$(BIN)/astra demo --data-dir $(DATA_DIR)/demo $(ARGS)

bench: $(STAMP)
	$(BIN)/astra bench $(ARGS)

# Regenerate both locks after changing dependencies in pyproject.toml: the runtime lock
# (what a deployment installs) and the dev lock (runtime + test/lint tools, what make uses).
lock:
	$(PY) -m pip install -q "uv==$(UV_VER)"
	$(PY) -m uv pip compile pyproject.toml --generate-hashes \
	    --python-version 3.11 -q -o requirements.lock
	$(PY) -m uv pip compile pyproject.toml --extra dev --generate-hashes \
	    --python-version 3.11 -q -o requirements-dev.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
