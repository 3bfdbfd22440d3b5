# The two commands a new machine needs: `make run` and `make test` (only Python 3.11+ and make).
PYTHON ?= python3
# The demo's port: `make run PORT=8081` on a PC whose 8080 is taken.
PORT ?= 8080
# The processes make test and make test-fast run the tests in (pytest-xdist); 0 runs them in pytest's own.
TEST_WORKERS ?= 2
VENV := .venv
BIN := $(VENV)/bin
# setuptools warns at every editable install that folders named like the packages may shadow
# them: here they are the packages themselves, so the block of asterisks would only alarm.
QUIET_EDITABLE := PYTHONWARNINGS="ignore:Editable installation"

.PHONY: run test test-unit test-fast check bench install clean

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

# Every test, as CI runs it: the property tests at their whole budgets (Hypothesis's ci profile).
test: $(VENV)/.installed-test
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

# The pure core, in seconds: no database, no Flask app, no subprocess.
test-unit: $(VENV)/.installed-test
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

# Everything but the browser, NUT, crash and fault tests, with the property tests at a tenth of their budgets.
test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope -m "not browser and not nut and not crash and not faketime and not fault" $(PYTEST_ARGS)

# The style gate: ruff (lint and import order) and mypy (types), both configured in pyproject.toml.
check: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
