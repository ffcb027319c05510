# Everything from a fresh clone: `make demo` (offline demo), `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo run test test-sqlite lint format clean bench bench-selfcheck bench-scale reliability

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install  ## offline demo: emulator + real bot + scripted conversation
	$(BIN)/chibo demo

run: install  ## the real bot with the settings in .env
	$(BIN)/chibo db upgrade
	$(BIN)/chibo run

test: install  ## the whole suite, SQLite and PostgreSQL (127.0.0.1:5432)
	$(BIN)/pytest -q

test-sqlite: install  ## the suite without PostgreSQL
	CHIBO_TEST_POSTGRES_URL= $(BIN)/pytest -q -m "not postgres"

bench: install  ## delivery benchmark against the emulator (~4 min; writes docs/BENCHMARKS.md)
	$(BIN)/python -m bench.delivery $(BENCH_ARGS)

bench-selfcheck: install  ## 200 members answering the self-check vs a bare PTB echo bot (~5 min; writes docs/BENCHMARKS.md)
	$(BIN)/python -m bench.selfcheck $(BENCH_ARGS)

bench-scale: install  ## /tinhhinh, /tonghop, exports and RSS on generated district/province data (writes docs/BENCHMARKS.md)
	$(BIN)/python -m bench.scale $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis *.egg-info

reliability: install  ## every reliability check, slow ones included (~26 min; writes docs/RELIABILITY.md)
	$(BIN)/python -m bench.reliability $(BENCH_ARGS)
