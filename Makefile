# Front door: `make run`, `make test`, `make lint`, `make bench`, `make soak`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
LOCK   := requirements/lock.txt
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast test-dates print-test-dates api-check lint format install messages lock bench soak clean

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

# Awkward moments for the business tests (not the browser or worker tests): a Monday in January, the
# last evening of a quarter in UTC (already the next quarter in Shanghai), a Sunday, 29 February.
TEST_DATES ?= 2027-01-04T09:00:00+08:00 2027-03-31T22:30:00+00:00 2027-06-13T12:00:00+08:00 2028-02-29T12:00:00+08:00
TEST_DATES_WORKERS ?= 2
BUSINESS_TESTS ?= tests/goals tests/plans tests/tracking tests/incentives tests/recognition tests/teams tests/test_demo_any_day.py

test-dates: install  ## The business tests as if it were each of TEST_DATES (the clock starts there).
	@status=0; for when in $(TEST_DATES); do \
	  echo "== business tests at $$when"; \
	  STRETCH_TEST_NOW=$$when $(BIN)/python -m pytest -n $(TEST_DATES_WORKERS) -m "not e2e and not worker" $(BUSINESS_TESTS) $(PYTEST_ARGS) || status=1; \
	done; exit $$status

print-test-dates:
	@echo $(TEST_DATES)

api-check: install  ## The served API against its own schema (schemathesis; a fresh demo database).
	$(BIN)/python bin/api_check.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $$(ls -d */services */services.py */selectors */selectors.py 2>/dev/null)  # strict (pyproject.toml [tool.mypy]); modules or packages
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

bench: install  ## Every page in-process against the floor page (manager and member), then gunicorn under locust, then the API over HTTP against the API floor.
	$(BIN)/pip install --quiet --requirement requirements/bench.txt
	$(BIN)/python bench/inprocess.py --write
	$(BIN)/python bench/run.py
	$(BIN)/python bench/http_api.py --write

soak: install  ## 50 users for 5 minutes against gunicorn + Celery worker and beat; checks nothing is lost or doubled.
	$(BIN)/pip install --quiet --requirement requirements/bench.txt
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .mypy_cache
