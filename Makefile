# Two commands on a fresh machine with only Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s); set PYTHON=python3.11" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/aggregator migrate
	$(BIN)/aggregator serve --sandbox

# Two workers, a test file each at a time: the suite waits on I/O (simulated vendors, time windows) far more than it
# computes, and a file's fixtures (one gateway for the README, one Home Assistant) stay in one worker.
test: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Both benchmarks run even when the first fails (it needs wrk); the target fails if either did.
bench: $(STAMP)
	$(BIN)/python bench/gateway_reads.py; reads=$$?; $(BIN)/python bench/reconcile.py && exit $$reads

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
