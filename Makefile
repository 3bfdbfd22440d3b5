# The two commands a new machine needs: `make run` and `make test` (only Python 3.11+ and make).
PYTHON ?= python3
# The demo's port: `make run PORT=8081` on a PC whose 8080 is taken.
PORT ?= 8080
VENV := .venv
BIN := $(VENV)/bin
# setuptools warns at every editable install that folders named like the packages may shadow
# them: here they are the packages themselves, so the block of asterisks would only alarm.
QUIET_EDITABLE := PYTHONWARNINGS="ignore:Editable installation"

.PHONY: run test bench install clean check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(QUIET_EDITABLE) $(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(QUIET_EDITABLE) $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/compensator demo --port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The style gate: ruff (lint and import order) and mypy (types), both configured in pyproject.toml.
check: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
