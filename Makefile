# Two commands on a fresh machine: `make run` (app + demo data on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test bench bench-routing-large bench-meal-instances lint clean-data

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
	$(BIN)/python -m routing bench --time-limit 4 --instances 'meal-1500*' --solvers ours \
		--csv bench-results/routing-1500-first-plan.csv
	$(BIN)/python benchmarks/kitchen_bench.py

# Opt-in (about 20 minutes): the district-scale meal instances side by side at 60 s.
bench-routing-large: $(VENV)/.installed-bench
	mkdir -p bench-results
	$(BIN)/python -m routing bench --time-limit 60 --instances 'meal-400*' 'meal-800*' 'meal-1500*' \
		--csv bench-results/routing-large-60s.csv

# Re-generate benchmarks/data/meal/ (deterministic; the files are committed).
bench-meal-instances: $(VENV)/.installed
	$(BIN)/python benchmarks/meal_instances.py

clean-data:
	rm -rf data/
