# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup lint format migrations-check

$(STAMP): requirements/base.txt requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/base.txt -r requirements/dev.txt
	touch $(STAMP)

setup: $(STAMP)
	@command -v chromium >/dev/null || { echo "Installing Debian's chromium for browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core) \
	  || echo "Could not install chromium: browser tests will be skipped."; }

run: $(STAMP)
	mkdir -p var
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py setup_periodic_tasks
	DEBUG=true $(BIN)/python manage.py seed_demo
	DEBUG=true PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SECRET_KEY=ci-check $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
