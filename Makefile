# Two commands for a newcomer: `make run` and `make test`. Everything they need is installed here.
VENV     := .venv
BIN      := $(VENV)/bin
PYTHON   ?= python3
PORT     ?= 5000
export FLASK_APP := app

.PHONY: run test reliability install browser proxy db demo mail lock audit babel-extract babel-update babel-compile bench screenshots clean

# Installed from the lock file only, every file checked against its hash; then the project
# itself, without dependencies, built by the setuptools the lock pins. The venv's own pip is the
# one that comes with Python.
LOCK  := requirements.lock
TOOLS := .tools

# A line per step (`make run` on a fresh clone installs for a minute or two: it says so rather
# than sitting silent).
$(BIN)/.installed: pyproject.toml $(LOCK)
	@echo "==> Lager Python-miljøet i $(VENV)/"
	@$(PYTHON) -m venv $(VENV)
	@echo "==> Installerer pakkene fra $(LOCK) (første gang: et par minutter) …"
	@$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	@echo "==> Installerer Avvik selv"
	@$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

# pip-tools and pip-audit live in a venv of their own: their dependencies never mix with the app's.
$(TOOLS)/.installed:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet 'pip-tools>=7.4,<8' 'pip-audit>=2.7,<3'
	touch $@

# Regenerate the lock from pyproject.toml (after adding or raising a dependency): the newest
# versions the bounds allow, every wheel's and sdist's hash, and setuptools to build the project.
lock: $(TOOLS)/.installed
	$(TOOLS)/bin/pip-compile --quiet --upgrade --generate-hashes --allow-unsafe --all-build-deps \
	  --extra test --strip-extras --no-emit-index-url --no-emit-find-links -o $(LOCK) pyproject.toml

# Known vulnerabilities of exactly what the lock pins, from the advisories PyPI serves with each
# release (needs the network). --strict: a package that could not be checked fails the audit.
audit: $(TOOLS)/.installed
	$(TOOLS)/bin/pip-audit --strict --require-hashes --disable-pip --progress-spinner off -r $(LOCK)

# English is compiled from the catalogue on install, so a fresh clone shows it after `make run`.
TRANSLATIONS := app/translations
POT          := $(TRANSLATIONS)/messages.pot
PO_FILES     := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
MO_FILES     := $(PO_FILES:.po=.mo)
CSS          := app/static/build/avvik.css
SCSS         := $(wildcard app/static/scss/*.scss)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po $(BIN)/.installed
	@echo "==> Bygger oversettelsen ($*)"
	@$(BIN)/pybabel -q compile -d $(TRANSLATIONS) -l $*

install: $(BIN)/.installed $(MO_FILES) $(CSS)

node_modules/.installed: package.json package-lock.json
	@echo "==> Installerer npm-pakkene fra package-lock.json"
	@npm ci --no-audit --no-fund --silent
	@touch $@

# The one stylesheet: Bootstrap from its Sass variables, only the parts the app uses, and the
# app's own rules (app/static/scss/), compiled by dart-sass from package-lock.json. Built again
# when a .scss file or the lock changes; git ignores the result.
$(CSS): $(SCSS) node_modules/.installed
	@echo "==> Bygger stilarket $(CSS)"
	@node_modules/.bin/sass --style=compressed --no-source-map --load-path=node_modules \
	  --quiet-deps --silence-deprecation=import --silence-deprecation=global-builtin \
	  app/static/scss/avvik.scss $@

# Debian's Chromium drives the browser tests; never a downloaded browser.
browser: node_modules/.installed
	@if [ ! -x /usr/bin/chromium ] || ! command -v pdftoppm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium poppler-utils fonts-dejavu-core >/dev/null; \
	fi

# Debian's nginx with its brotli module, and socat, for the scenario on several hosts
# (reliability/hosts.py puts deploy/'s site in front of two app hosts). RUNLEVEL=1 keeps the
# package from starting its default site on port 80: the suite runs nginx with its own files.
proxy:
	@if ! command -v nginx >/dev/null || ! command -v socat >/dev/null || \
	  ! dpkg -s libnginx-mod-http-brotli-filter >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx libnginx-mod-http-brotli-filter socat iproute2 >/dev/null; \
	fi

# Without AVVIK_CONFIG the app runs production's configuration and refuses to start without its
# secrets: the targets that fill and serve a local database say development. `make run` always
# does, and mails links to the port it serves (PORT=5077 make run).
db demo bench: export AVVIK_CONFIG ?= development
run: export AVVIK_CONFIG = development
run: export BASE_URL ?= http://127.0.0.1:$(PORT)

db: install
	@echo "==> Oppdaterer databasen (flask db upgrade)"
	@$(BIN)/flask db upgrade

# Three years of synthetic history once, so the statistics page and the tertial PDF have
# something to show on a first run (the marker keeps a second run from adding more).
DEMO_HISTORY ?= 4000
# One `flask demo` either way, so the demo accounts are printed once.
demo: db
	@if [ -z "$$DATABASE_URL" ] && [ ! -f instance/.demo-history ]; then \
	  echo "==> Demokontoer, demoavvik og tre års syntetisk historikk ($(DEMO_HISTORY) avvik, første gang)"; \
	  $(BIN)/flask demo --deviations $(DEMO_HISTORY) && touch instance/.demo-history; \
	else \
	  echo "==> Demokontoer og demoavvik"; \
	  $(BIN)/flask demo; \
	fi

# The mail sender runs beside the server (mails land in instance/outbox/ without MAIL_SERVER)
# and stops with it; the mail already waiting goes out first, so its count is not printed below
# the address. The server is app/devserver.py: Werkzeug's development server without its
# banner, so the address it prints is the last line on the screen.
run: demo
	@echo "==> Daglig vedlikehold (flask maintenance)"
	@$(BIN)/flask maintenance
	@echo "==> Sender e-post som venter (til instance/outbox/ uten MAIL_SERVER)"
	@$(BIN)/flask send-mail
	@echo "==> Starter e-postutsendingen og serveren"
	@$(BIN)/flask send-mail --loop & sender=$$!; \
	trap 'kill $$sender 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python -m app.devserver --host 127.0.0.1 --port $(PORT)

# Two workers for two cores; each builds its databases once (see tests/conftest.py).
test: install browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n 2 --dist worksteal

# The pictures in docs/screenshots.md, taken anew by the browser tests that reach those pages.
screenshots: install browser
	SCREENSHOTS=docs $(BIN)/pytest -q -n 0 tests/e2e/test_filing_browser.py \
	  tests/e2e/test_case_page_browser.py tests/e2e/test_handler_start.py tests/e2e/test_statistics_page.py

# Every _()/_l()/N_() msgid in app/**.py, reports/**.py and app/templates/**.html, Norwegian as written.
babel-extract: $(BIN)/.installed
	mkdir -p $(TRANSLATIONS)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k N_ --add-location=file --sort-output \
	  --no-wrap --project=Avvik -o $(POT) .

# The app under gunicorn against real databases, with load, crashes, a PostgreSQL restart,
# SMTP faults and two hosts behind nginx; prints the figures (docs/reliability.md). Minutes,
# and it restarts the local PostgreSQL server: not part of `make test`. One scenario:
# `.venv/bin/python -m reliability --only multihost --database postgresql`.
reliability: install proxy
	$(BIN)/python -m reliability

# Extract, merge into every catalogue, then list what still lacks an English translation
# (new msgids, and fuzzy guesses to review). Translate those in the .po and run it again.
babel-update: babel-extract
	$(BIN)/pybabel -q update -i $(POT) -d $(TRANSLATIONS) --no-wrap --ignore-obsolete
	$(BIN)/pytest -q tests/test_translations.py -k 'every_string or catalogue'

babel-compile: $(BIN)/.installed
	$(BIN)/pybabel -q compile --statistics -d $(TRANSLATIONS)

# Load comes from Debian's wrk; the first run builds 1,000,000-row databases (a SQLite file in
# instance/bench/, the schema avvik_bench on the local PostgreSQL). Figures: docs/performance.md.
bench: install
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; \
	fi
	$(BIN)/python bench/filing_and_inbox.py
	$(BIN)/python bench/tertial_report.py
	$(BIN)/python bench/change_over_time.py --only sqlite
	$(BIN)/python bench/forgot_password.py
	$(BIN)/python bench/index_usage.py
	$(BIN)/python bench/search.py

clean:
	rm -rf $(VENV) $(TOOLS) node_modules app/static/build instance/*.db instance/*.db-* .pytest_cache
