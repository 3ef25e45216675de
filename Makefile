# The two commands a new user needs: `make chat` and `make test`. Both install on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: chat run test test-fast test-ahead lint bench diagram clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

chat: $(STAMP)
	@$(BIN)/debtcoach chat

run: $(STAMP)
	@$(BIN)/debtcoach run

# On every core (pytest-xdist; each worker has its own PostgreSQL database, see tests/conftest.py).
test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist worksteal

# The inner loop: the engine, the stories, the store, the readers, the fake Bot API itself; not
# the tests that start real processes, run the bot over HTTP (they wait on real time) or the fuzz.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n auto --dist worksteal -m "not process and not slow and not bot"

# The tests that type dates, again with the clock a year and three years ahead: they must mean
# the same on any day (see tests/support/clock.py).
test-ahead: $(STAMP)
	for ahead in "1 year" "3 years"; do \
		DEBTCOACH_NOW="$$(date -u -d "+$$ahead" +%Y-%m-%dT%H:%M)" $(BIN)/python -m pytest -q tests/bot/test_console.py tests/bot/test_console_export.py tests/bot/test_console_reminders.py tests/dialogs/test_transcripts.py || exit 1; \
	done

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
