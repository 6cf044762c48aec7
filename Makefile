# Front door: `make run`, `make test`, `make lint`, `make bench`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
LOCK   := requirements/lock.txt
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast lint format install messages lock bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet --requirement $(LOCK)
	touch $(STAMP)

install: $(STAMP)

run: install  ## Web server + Celery worker + beat, demo data, no configuration needed.
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python bin/dev.py

test: install  ## The whole suite, browser tests included.
	bash bin/ensure-browser.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install  ## Everything but the browser and worker tests.
	$(BIN)/python -m pytest -m "not e2e and not worker" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $$(ls */services.py */selectors.py)  # strict (pyproject.toml [tool.mypy])
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python bin/check_messages.py

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install  ## Extract strings into locale/zh_Hans and compile the catalogue.
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --no-location -i ".venv/*" -i "var/*" -i "tests/*" -i "bench/*" -i "staticfiles/*"
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py compilemessages -l zh_Hans --ignore ".venv/*"

lock:  ## Re-resolve pyproject.toml's dependencies into the pinned lock file.
	rm -rf /tmp/stretch-lock && $(PYTHON) -m venv /tmp/stretch-lock
	/tmp/stretch-lock/bin/pip install --quiet --upgrade pip
	/tmp/stretch-lock/bin/python bin/list_deps.py dev | /tmp/stretch-lock/bin/pip install --quiet -r /dev/stdin
	/tmp/stretch-lock/bin/pip freeze --exclude pip > $(LOCK)

bench: install  ## Load generated data into PostgreSQL, serve with gunicorn, drive with locust.
	$(BIN)/pip install --quiet --requirement requirements/bench.txt
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .mypy_cache
