# Set-up and everyday commands. Needs only Python 3.11 or newer (as python3).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## Set up and start the app on SQLite with the bundled surveys (http://localhost:8501).
run: $(VENV)/.installed
	$(BIN)/trp validate surveys/
	$(BIN)/streamlit run app.py

## Set up and run the whole test suite.
test: $(VENV)/.installed
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Print the benchmark figures.
bench: $(VENV)/.installed
	$(BIN)/python bench/scoring_speed.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .hypothesis
