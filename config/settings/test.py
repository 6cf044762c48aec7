"""Test settings. DATABASE_URL / REDIS_URL select PostgreSQL and Redis (CI); without them the
suite runs on SQLite and the filesystem broker."""

from .base import *  # noqa: F403
from .base import DATABASES, LOGGING, VAR_DIR

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

# Serve static files straight from the apps and static/ (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
