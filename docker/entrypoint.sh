#!/bin/sh
# Stretch container entrypoint: one image, several roles. See docs/deployment.md.
#
#   web        wait for the database, migrate (unless MIGRATE_ON_START=0), serve with gunicorn
#   worker     Celery worker (any number of them)
#   beat       Celery beat (exactly one per deployment)
#   migrate    wait for the database and apply migrations, then exit
#   seed-demo  create the demo organisation with one login per role (idempotent)
#   manage     run manage.py with the remaining arguments, e.g. `manage createsuperuser`
#   anything else is executed as given, e.g. `sh` or `python -V`
#
# Extra arguments after web, worker and beat are passed on to gunicorn or celery.
set -eu

cd "$(dirname "$0")/.."

# The healthcheck (docker/healthcheck.py) reads the role to know what to probe.
ROLE_FILE="${STRETCH_ROLE_FILE:-/tmp/stretch-role}"

set_role() {
    printf '%s\n' "$1" >"$ROLE_FILE" 2>/dev/null || true
}

# Retry until the database accepts a connection, for up to DB_WAIT_SECONDS (default 60).
wait_for_db() {
    python - <<'PY'
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
import django

django.setup()
from django.db import connection
from django.db.utils import OperationalError

deadline = time.monotonic() + float(os.environ.get("DB_WAIT_SECONDS", "60"))
while True:
    try:
        connection.ensure_connection()
    except OperationalError as error:
        if time.monotonic() >= deadline:
            print(f"entrypoint: database not reachable, giving up: {error}".strip(), file=sys.stderr)
            sys.exit(1)
        print("entrypoint: waiting for the database...", file=sys.stderr, flush=True)
        time.sleep(2)
    else:
        break
connection.close()
PY
}

# `manage.py migrate`, serialised by a PostgreSQL advisory lock so that several web containers
# starting at once apply each migration exactly once (the others wait, then find nothing to do).
migrate() {
    python - <<'PY'
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
import django

django.setup()
from django.core.management import call_command
from django.db import connection

LOCK_ID = 0x5374726574636800  # "Stretch\0": any constant shared by every container
locked = connection.vendor == "postgresql"
if locked:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_ID])
try:
    call_command("migrate", interactive=False)
finally:
    if locked:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])
    connection.close()
PY
}

command="${1:-web}"
if [ "$#" -gt 0 ]; then shift; fi

case "$command" in
    web)
        set_role web
        wait_for_db
        if [ "${MIGRATE_ON_START:-1}" = "1" ]; then
            migrate
        fi
        exec gunicorn config.wsgi:application -c gunicorn.conf.py "$@"
        ;;
    worker)
        set_role worker
        wait_for_db
        exec celery -A config worker --loglevel=INFO "$@"
        ;;
    beat)
        set_role beat
        wait_for_db
        exec celery -A config beat --loglevel=INFO --schedule /tmp/celerybeat-schedule "$@"
        ;;
    migrate)
        wait_for_db
        migrate
        ;;
    seed-demo)
        wait_for_db
        exec python manage.py seed_demo "$@"
        ;;
    manage)
        exec python manage.py "$@"
        ;;
    *)
        exec "$command" "$@"
        ;;
esac
