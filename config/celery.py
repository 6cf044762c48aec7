"""The Celery application. Tasks are autodiscovered from every app's tasks.py; every periodic
schedule is declared in config/beat.py and nowhere else."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("stretch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _install_beat_schedule(sender: Celery, **_: object) -> None:
    from config.beat import beat_schedule

    sender.conf.beat_schedule = beat_schedule()
