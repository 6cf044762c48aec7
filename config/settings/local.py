"""Laptop settings: `make run` with nothing installed (SQLite + Celery filesystem broker)."""

from .base import *  # noqa: F403
from .base import env

# Off unless asked for: the embedded default shows the product's own error pages, never Django's
# technical page listing every URL pattern (set DEBUG=true while developing).
DEBUG = env.bool("DEBUG", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files straight from the apps and static/ (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
