# The two commands a new user needs: `make chat` and `make test`. Both install on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: chat run test lint bench diagram clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

chat: $(STAMP)
	@$(BIN)/debtcoach chat

run: $(STAMP)
	@$(BIN)/debtcoach run

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/telegram.py
	$(BIN)/python bench/reminders.py

diagram: $(STAMP)
	@$(BIN)/debtcoach diagram

clean:
	rm -rf $(VENV) build *.egg-info
