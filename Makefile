# Couplet — everyday commands. `make run` and `make test` create the virtual environment on first use.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 8080

.PHONY: run try test lint format messages bench backup report clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP) ## run the bot (needs BOT_TOKEN in .env)
	$(PY) -m bot

try: $(STAMP) ## the bot in your browser: two partners, no token, no network (PORT=8080)
	@$(PY) -m sandbox --port $(PORT)

test: $(STAMP) ## lint, then the whole test suite (offline)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest tests

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: $(STAMP) ## after editing bot/texts.py: rewrite bot/locales/messages.pot, update every .po, list gaps
	$(PY) -m bot.catalogue

bench: $(STAMP) ## delivery benchmark against the fake Bot API (prints one table)
	$(PY) -m bench.delivery

backup: $(STAMP) ## consistent copy of the database, safe while the bot runs (TO=file to choose where)
	$(PY) -m bot.backup $(TO)

report: $(STAMP) ## the outbox at a glance: counts and parked rows, never message bodies
	$(PY) -m bot.report

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
