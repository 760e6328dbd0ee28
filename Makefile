# OneStop: the two everyday commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format clean bench bench-quick wrk browser

$(BIN)/onestop: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(BIN)/onestop

install: $(BIN)/onestop

## Serve the API on SQLite with demo data and one demo account per role.
run: install
	$(BIN)/onestop migrate
	$(BIN)/onestop seed-demo
	$(BIN)/onestop serve --host $(HOST) --port $(PORT)

## Run the whole test suite (SQLite by default; set TEST_DATABASE_URL for PostgreSQL).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Load benchmark on PostgreSQL against the limit app (bench/README.md; BENCH_* settings).
bench: install wrk
	$(BIN)/python -m bench.run

## The same, smaller: 50,000 cases, 5 s (load) and 3 s (latency) per scenario, under 5 minutes.
bench-quick: install wrk
	$(BIN)/python -m bench.run --quick

## Chromium and Thai fonts from Debian for the web app's browser tests (skipped without them).
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi tlwg || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-thai-tlwg || { \
	      apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-thai-tlwg; }; \
	  else echo "run  sudo apt-get install -y chromium fonts-thai-tlwg" >&2; exit 1; fi; }

wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; \
	  else echo "wrk is missing: run  sudo apt-get install -y wrk" >&2; exit 1; fi; }

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache onestop.db
