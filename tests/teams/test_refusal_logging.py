"""A 403 is logged as one line at WARNING (the path and the reason), never with a traceback: a
refusal is an answer, not a fault (one outside run logged 114 tracebacks)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse

from incentives.models import BonusScheme, SchemeAssignment
from teams.models import Role
from tests.conftest import login


def test_a_refused_page_is_one_warning_line_without_a_traceback(org, members, member, caplog):
    scheme = BonusScheme.objects.create(org=org, name="S", target_bonus_pct=50)
    SchemeAssignment.objects.create(org=org, scheme=scheme, role=Role.MEMBER)
    viewer = members[Role.VIEWER]
    url = reverse("incentives_index", args=[org.slug])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = login(viewer).get(url, {"member": member.pk})
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    record = records[0]
    assert record.levelno == logging.WARNING and record.exc_info is None and record.exc_text is None
    line = caplog.text.strip()
    assert "\n" not in line and "Traceback" not in line
    assert url in line and "You cannot see this person's pay." in line


def test_the_served_settings_put_the_filter_on_django_request():
    from config.settings import base

    assert "refusal_on_one_line" in base.LOGGING["loggers"]["django.request"]["filters"]
    assert settings.LOGGING["loggers"]["django.request"] == base.LOGGING["loggers"]["django.request"]
