"""A metric says whether its values may be negative: a count such as new users never is, a change
such as "DAU growth %" may be. Negative values of the others are refused with a clear message on
the stand-up, the values page, the API and the file import, and nothing is stored."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from goals import services as goal_services
from goals.models import Goal, SupportingMetric
from teams.selectors import org_today
from tests import factories
from tests.conftest import login
from tests.html import field_errors, form_data
from tests.teams.test_api import assert_error
from tracking import services
from tracking.models import ImportJob, MetricEntry, Standup


def api(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


@pytest.fixture
def team(org, member, manager):
    team = factories.team(org, "Operations", managers=[manager])
    member.teams.add(team)
    return team


@pytest.fixture
def users(org, manager, team):
    """New registered users: a count."""
    today = org_today(org)
    goal = factories.goal(org, manager, team=team, title="200,000 new users", metric_name="New users",
                          start_date=today - timedelta(days=20), end_date=today + timedelta(days=70),
                          base=D(180000), challenge=D(200000), stretch=D(230000), status="active")  # fmt: skip
    goal_services.supporting_metric_save(goal=goal, actor=manager, kind="leading", name="Content pushes",
                                         weekly_target=D(20))  # fmt: skip
    return goal


@pytest.fixture
def growth(org, manager, team):
    """DAU growth %: a change, which may be negative."""
    today = org_today(org)
    return factories.goal(org, manager, team=team, title="DAU +15%", metric_name="DAU growth", unit="%",
                          aggregation="latest", allows_negative=True, start_date=today - timedelta(days=20),
                          end_date=today + timedelta(days=70), base=D(10), challenge=D(15), stretch=D(20),
                          status="active")  # fmt: skip


def test_a_negative_count_is_refused_on_the_standup_next_to_its_field(org, member, users, growth):
    url = reverse("standup", args=[org.slug])
    pushes = users.supporting_metrics.get()
    typed = {"day": org_today(org).isoformat(), "today": "Referral campaign",
             f"value_{users.pk}": "-5", f"value_{users.pk}_{pushes.pk}": "-1", f"value_{growth.pk}": "-2.5"}  # fmt: skip
    response = login(member).post(url, typed)
    assert response.status_code == 400
    html = response.content.decode()
    assert "“New users” cannot be negative" in field_errors(html, f"value_{users.pk}")
    assert "“Content pushes” cannot be negative" in field_errors(html, f"value_{users.pk}_{pushes.pk}")
    assert field_errors(html, f"value_{growth.pk}") == ""  # a change may be negative
    data = form_data(html, **{"class": "card standup-form"})
    assert data[f"value_{users.pk}"] == ["-5"] and data["today"] == ["Referral campaign"]
    assert not Standup.objects.exists() and not MetricEntry.objects.exists()


def test_a_negative_change_is_accepted_on_the_standup(org, member, users, growth):
    url = reverse("standup", args=[org.slug])
    response = login(member).post(
        url, {"day": org_today(org).isoformat(), "today": "x", f"value_{growth.pk}": "-2.5"}
    )
    assert response.status_code == 302
    assert MetricEntry.objects.get().value == D("-2.5")


def test_a_negative_count_is_refused_on_the_values_page(org, manager, users):
    url = reverse("goal_values", args=[org.slug, users.pk])
    response = login(manager).post(url, {"metric": "", "day": org_today(org).isoformat(), "value": "-30"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be negative" in field_errors(html, "value")
    assert form_data(html, **{"class": "form-grid"})["value"] == ["-30"]
    assert not MetricEntry.objects.exists()


def test_the_api_refuses_a_negative_count_naming_the_field(org, member, users, growth):
    url = f"/api/v1/orgs/{org.slug}/metric-entries/"
    body = assert_error(api(member).post(url, {"goal": users.pk, "value": "-5"}, format="json"), 400,
                        type_="validation_error", attr="value")  # fmt: skip
    assert "cannot be negative" in body["detail"]
    bulk = f"/api/v1/orgs/{org.slug}/metric-entries/bulk/"
    entries = [{"goal": growth.pk, "value": "-1"}, {"goal": users.pk, "value": "-5"}]
    body = assert_error(
        api(member).post(bulk, {"entries": entries}, format="json"), 400, type_="validation_error"
    )
    assert [e["attr"] for e in body["errors"]] == ["entries.1.value"]
    standups = f"/api/v1/orgs/{org.slug}/standups/"
    response = api(member).post(standups, {"day": org_today(org).isoformat(), "today": "x",
                                           "values": [{"goal": users.pk, "value": "-5"}]}, format="json")  # fmt: skip
    assert_error(response, 400, type_="validation_error", attr="values.0.value")
    assert not MetricEntry.objects.exists()
    assert api(member).post(url, {"goal": growth.pk, "value": "-1.5"}, format="json").status_code == 201


def test_the_file_import_refuses_a_negative_count_by_row_and_column(
    org, member, users, growth, django_capture_on_commit_callbacks
):
    day = org_today(org).isoformat()
    lines = [
        "goal,metric,day,value",
        f"{growth.pk},,{day},-1",
        f"{users.pk},,{day},-5",
        f"{users.pk},,{day},7",
    ]
    upload = SimpleUploadedFile("values.csv", ("\n".join(lines) + "\n").encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        login(member).post(reverse("values_import", args=[org.slug]), {"file": upload})
    job = ImportJob.objects.get()
    assert job.state == "failed"
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "value")]
    assert "cannot be negative" in job.errors[0]["message"]
    assert not MetricEntry.objects.exists()


def test_a_negative_risk_or_leading_value_follows_its_own_metric(org, manager, users):
    metric = goal_services.supporting_metric_save(goal=users, actor=manager, kind="risk", name="Net churn",
                                                  threshold=D(0), allows_negative=True)  # fmt: skip
    services.entry_create(org=org, actor=manager, data=services.EntryInput(
        goal_id=users.pk, supporting_metric_id=metric.pk, value="-3"))  # fmt: skip
    assert MetricEntry.objects.get().value == D(-3)


def test_whether_values_may_be_negative_is_set_in_the_goal_form(org, manager, team):
    url = reverse("goal_create", args=[org.slug])
    form = {"title": "DAU +15%", "description": "Daily active users.", "scope": "team", "team": team.pk,
            "owner": manager.pk, "metric_name": "DAU growth", "unit": "%", "direction": "up",
            "aggregation": "latest", "allows_negative": "on", "period_kind": "quarter",
            "start_date": "2027-01-01", "end_date": "2027-03-31", "weight": "1", "base": "10", "challenge": "15",
            "stretch": "20", "rationale": "Growth"}  # fmt: skip
    assert login(manager).post(url, form).status_code == 302
    goal = Goal.objects.get()
    assert goal.allows_negative
    edit = login(manager).get(reverse("goal_edit", args=[org.slug, goal.pk])).content.decode()
    assert form_data(edit, id="goal-form")["allows_negative"] == ["on"]
    metric_url = reverse("goal_metric", args=[org.slug, goal.pk])
    login(manager).post(metric_url, {"kind": "risk", "name": "Net churn", "direction": "down", "threshold": "0",
                                     "allows_negative": "on"})  # fmt: skip
    assert SupportingMetric.objects.get().allows_negative


def test_whether_values_may_be_negative_is_in_the_api(org, manager, team):
    url = f"/api/v1/orgs/{org.slug}/goals/"
    payload = {"title": "DAU +15%", "scope": "team", "team": team.pk, "owner": manager.pk,
               "metric_name": "DAU growth", "unit": "%", "aggregation": "latest", "allows_negative": True,
               "start_date": "2027-01-01", "end_date": "2027-03-31", "base": "10", "challenge": "15", "stretch": "20"}  # fmt: skip
    created = api(manager).post(url, payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["allows_negative"] is True
    goal_id = created.json()["id"]
    changed = api(manager).patch(f"{url}{goal_id}/", {"allows_negative": False}, format="json")
    assert changed.status_code == 200 and changed.json()["allows_negative"] is False
    metrics = f"/api/v1/orgs/{org.slug}/supporting-metrics/"
    metric = api(manager).post(metrics, {"goal": goal_id, "kind": "risk", "name": "Net churn", "threshold": "0",
                                         "allows_negative": True}, format="json")  # fmt: skip
    assert metric.status_code == 201 and metric.json()["allows_negative"] is True
    renamed = api(manager).patch(f"{metrics}{metric.json()['id']}/", {"name": "Net churn %"}, format="json")
    assert renamed.json()["allows_negative"] is True  # a partial change keeps it


def test_existing_changes_and_metrics_with_negative_values_allow_negatives_after_the_migration(
    org, manager, users, growth
):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("tracking.migrations.0009_metric_allows_negative_data")
    Goal.objects.update(allows_negative=False)
    corrected = factories.goal(org, manager, title="Deal value", start_date=users.start_date,
                               end_date=users.end_date, status="active")  # fmt: skip
    MetricEntry.objects.create(org=org, goal=corrected, day=org_today(org), value=D(-200))
    net = SupportingMetric.objects.create(goal=users, kind="risk", name="净流失 Net churn", threshold=D(1))
    migration.forwards(apps, None)
    flags = dict(Goal.objects.values_list("title", "allows_negative"))
    assert flags == {"200,000 new users": False, "DAU +15%": True, "Deal value": True}
    assert SupportingMetric.objects.get(pk=net.pk).allows_negative
    assert not SupportingMetric.objects.get(name="Content pushes").allows_negative
