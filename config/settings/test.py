"""Test settings. DATABASE_URL / REDIS_URL select PostgreSQL and Redis (CI); without them the
suite runs on SQLite and the filesystem broker."""

import os
import uuid

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, LOGGING, VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Unit tests run jobs inline; tests marked `worker` start a real Celery worker process.
CELERY_TASK_ALWAYS_EAGER = True
WEBHOOK_ALLOW_PRIVATE_NETWORKS = True  # the webhook receivers in the tests listen on 127.0.0.1
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that a worker process can see the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "WARNING"},
    "filters": LOGGING["filters"],
    "loggers": {"django.request": LOGGING["loggers"]["django.request"]},
}

# The shared cache (Redis in CI) is shared by the parallel test workers and by earlier runs, whose
# databases hand out the same ids: "plans of organisation 20" must not be one key for all of them, or
# one worker's write moves another's cached version on (a flaky query pin). Each run and each xdist
# worker gets its own key prefix; the processes a test starts (a Celery worker, gunicorn) inherit the
# environment, so they share their test's prefix.
os.environ.setdefault("STRETCH_TEST_RUN", uuid.uuid4().hex[:12])
CACHES["default"]["KEY_PREFIX"] = (
    f"test-{os.environ['STRETCH_TEST_RUN']}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
)

# Serve static files straight from the apps and static/ (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
