# Mutualis: `make run` (demo on http://127.0.0.1:8000) and `make test`.
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test bench lint install install-test messages serve clean-db

$(BIN)/python:
	@PY=$$(scripts/find-python) || exit 1; echo "Using $$PY"; "$$PY" -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install -e '.[test]'
	@touch $@

$(VENV)/.installed-analytics: pyproject.toml $(VENV)/.installed-test
	$(PIP) install -e '.[test,analytics]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(BIN)/mutualis migrate --noinput -v 0
	$(BIN)/mutualis demo --if-empty
	$(BIN)/mutualis serve --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks run on a PostgreSQL database of their own, created when missing.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/mutualis_bench

bench: $(VENV)/.installed-analytics
	$(BIN)/python scripts/bench_db.py "$(BENCH_DATABASE_URL)"
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(BIN)/mutualis migrate --noinput -v 0
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(BIN)/python -m benchmarks $(BENCH_ARGS)

lint: install-test
	$(BIN)/ruff check src tests benchmarks scripts conftest.py
	$(BIN)/ruff format --check src tests benchmarks scripts conftest.py

# Regenerate the .po files of every app and compile them (needs GNU gettext).
messages: install
	$(BIN)/python scripts/messages.py
