# Two commands for a newcomer: `make run` and `make test`. Everything they need is installed here.
VENV     := .venv
BIN      := $(VENV)/bin
PYTHON   ?= python3
PORT     ?= 5000
export FLASK_APP := app

.PHONY: run test reliability install browser db demo mail babel-extract babel-update babel-compile bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# English is compiled from the catalogue on install, so a fresh clone shows it after `make run`.
TRANSLATIONS := app/translations
POT          := $(TRANSLATIONS)/messages.pot
PO_FILES     := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
MO_FILES     := $(PO_FILES:.po=.mo)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po $(BIN)/.installed
	$(BIN)/pybabel -q compile --statistics -d $(TRANSLATIONS) -l $*

install: $(BIN)/.installed $(MO_FILES)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

# Debian's Chromium drives the browser tests; never a downloaded browser.
browser: node_modules/.installed
	@if [ ! -x /usr/bin/chromium ] || ! command -v pdftoppm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium poppler-utils fonts-dejavu-core >/dev/null; \
	fi

db: install
	$(BIN)/flask db upgrade

# Three years of synthetic history once, so the statistics page and the tertial PDF have
# something to show on a first run (the marker keeps a second run from adding more).
DEMO_HISTORY ?= 4000
demo: db
	$(BIN)/flask demo
	@if [ -z "$$DATABASE_URL" ] && [ ! -f instance/.demo-history ]; then \
	  $(BIN)/flask demo --deviations $(DEMO_HISTORY) && touch instance/.demo-history; fi

# The mail sender runs beside the server (mails land in instance/outbox/ without MAIL_SERVER)
# and stops with it.
run: demo
	$(BIN)/flask maintenance
	@echo "Avvik kjører på http://127.0.0.1:$(PORT)  (demopassord: demo-avvik)"
	@echo "Helse: http://127.0.0.1:$(PORT)/helse"
	@$(BIN)/flask send-mail --loop & sender=$$!; \
	trap 'kill $$sender 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# Two workers for two cores; each builds its databases once (see tests/conftest.py).
test: install browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n 2 --dist worksteal

# Every _()/_l()/N_() msgid in app/**.py, reports/**.py and app/templates/**.html, Norwegian as written.
babel-extract: $(BIN)/.installed
	mkdir -p $(TRANSLATIONS)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k N_ --add-location=file --sort-output \
	  --no-wrap --project=Avvik -o $(POT) .

# The app under gunicorn against real databases, with load, crashes, a PostgreSQL restart and
# SMTP faults; prints the figures (docs/reliability.md). Minutes, and it restarts the local
# PostgreSQL server: not part of `make test`.
reliability: install
	$(BIN)/python -m reliability

# Extract, merge into every catalogue, then list what still lacks an English translation
# (new msgids, and fuzzy guesses to review). Translate those in the .po and run it again.
babel-update: babel-extract
	$(BIN)/pybabel -q update -i $(POT) -d $(TRANSLATIONS) --no-wrap --ignore-obsolete
	$(BIN)/pytest -q tests/test_translations.py -k 'every_string or catalogue'

babel-compile: $(BIN)/.installed
	$(BIN)/pybabel -q compile --statistics -d $(TRANSLATIONS)

# Load comes from Debian's wrk; the first run builds a 1,000,000-row SQLite file in instance/bench/.
bench: install
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; \
	fi
	$(BIN)/python bench/filing_and_inbox.py
	$(BIN)/python bench/tertial_report.py
	$(BIN)/python bench/forgot_password.py

clean:
	rm -rf $(VENV) node_modules instance/*.db instance/*.db-* .pytest_cache
