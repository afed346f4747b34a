# Two commands on a fresh machine: `make run` (app + demo data on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test bench lint clean-data

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@ $(VENV)/.installed $(VENV)/.installed-test

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(BIN)/python -m app migrate
	$(BIN)/python -m app demo --if-empty
	$(BIN)/python -m app serve --host $(HOST) --port $(PORT)

lint: install-test
	$(BIN)/ruff check app routing kitchen tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy app routing kitchen

test: lint
	$(BIN)/python -m pytest -n 2 -q $(PYTEST_ARGS)

bench: $(VENV)/.installed-bench
	mkdir -p bench-results
	$(BIN)/python -m routing bench --time-limit 2 --csv bench-results/routing-2s.csv
	$(BIN)/python -m routing bench --time-limit 10 --csv bench-results/routing-10s.csv
	$(BIN)/python benchmarks/kitchen_bench.py
	$(BIN)/python benchmarks/planning_bench.py

clean-data:
	rm -rf data/
