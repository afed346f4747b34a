# Two commands on a fresh machine: `make run` (app + demo data on SQLite) and `make test` (the whole suite).
# Both install what they need first: Debian packages through scripts/system-deps (apt-get when run as root,
# otherwise one line naming the packages), then a virtualenv with the project and its extras.
# `make test DB=postgresql` runs the same suite against a throwaway PostgreSQL (scripts/pg-test-server).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

DB ?= sqlite

.PHONY: run test install install-test bench bench-routing-large bench-meal-instances lint clean-data \
	system-deps-run system-deps-test

system-deps-run:
	@scripts/system-deps run

system-deps-test:
	@scripts/system-deps test

$(BIN)/python: | system-deps-run
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

run: system-deps-run install
	$(BIN)/python -m app migrate
	$(BIN)/python -m app demo --if-empty
	$(BIN)/python -m app serve --host $(HOST) --port $(PORT)

lint: system-deps-test install-test
	$(BIN)/ruff check app routing kitchen tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy app routing kitchen

test: lint
ifeq ($(DB),postgresql)
	TEST_DATABASE_URL=$$(scripts/pg-test-server) $(BIN)/python -m pytest -n 2 -q $(PYTEST_ARGS)
else
	$(BIN)/python -m pytest -n 2 -q $(PYTEST_ARGS)
endif

bench: system-deps-test $(VENV)/.installed-bench
	mkdir -p bench-results
	$(BIN)/python -m routing bench --time-limit 2 --csv bench-results/routing-2s.csv
	$(BIN)/python -m routing bench --time-limit 10 --csv bench-results/routing-10s.csv
	$(BIN)/python -m routing bench --time-limit 4 --instances 'meal-1500*' --solvers ours \
		--csv bench-results/routing-1500-first-plan.csv
	$(BIN)/python benchmarks/kitchen_bench.py
	$(BIN)/python benchmarks/planning_bench.py
	$(BIN)/python benchmarks/load_bench.py --csv bench-results/load.csv
	$(BIN)/python benchmarks/city_morning_bench.py --csv bench-results/city-morning.csv

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
