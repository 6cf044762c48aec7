"""Resolving an alert by hand needs a reason category and a note; "resolved by the corrective
action" needs the action, one of the alert's own. The page keeps what was typed and puts each error
next to its field; the API names the field; the alert's page shows who resolved it and why."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from teams.models import AuditEntry
from teams.selectors import org_today
from tests.conftest import login
from tests.teams.test_api import assert_error
from tests.tracking.deal import fall_behind, sales_deal
from tracking import services
from tracking.models import Alert, CorrectiveAction

from .test_api import api


@pytest.fixture
def alert(org, member, manager):
    goal = sales_deal(org, manager, member).goal
    fall_behind(org, manager, goal)
    services.alerts_evaluate(org=org)
    return Alert.objects.get(kind="lagging_behind")


@pytest.fixture
def action(org, alert, manager):
    return services.alert_acknowledge(alert=alert, actor=manager, cause="competition", cause_note="",
                                      action=services.ActionInput(description="More promotion in the East",
                                                                  owner=manager, due_date=org_today(org)))  # fmt: skip


def refused(**kwargs) -> dict:
    with pytest.raises(ValidationError) as caught:
        services.alert_resolve(**kwargs)
    return caught.value.message_dict


def test_the_service_needs_a_reason_a_note_and_for_the_action_reason_the_action(org, alert, action, manager):
    other_goal_alert = Alert.objects.create(
        org=org, kind="standup_missed", dedupe_key="x", raised_on=org_today(org)
    )
    foreign = CorrectiveAction.objects.create(org=org, alert=other_goal_alert, description="Elsewhere", owner=manager,
                                              due_date=org_today(org))  # fmt: skip
    assert set(refused(alert=alert, actor=manager, note="Seasonal")) == {
        "reason"
    }  # a note alone is not enough
    assert set(refused(alert=alert, actor=manager, reason="false_alarm", note=" ")) == {"note"}
    assert set(refused(alert=alert, actor=manager, reason="nonsense", note="x")) == {"reason"}
    assert set(refused(alert=alert, actor=manager, reason="corrective_action", note="Worked")) == {"action"}
    assert set(refused(alert=alert, actor=manager, reason="corrective_action", note="Worked",
                       action_id=foreign.pk)) == {"action"}  # fmt: skip
    assert Alert.objects.get(pk=alert.pk).state == "acknowledged"
    done = services.alert_resolve(alert=alert, actor=manager, reason="corrective_action", note="East caught up",
                                  action_id=action.pk)  # fmt: skip
    assert done.state == "resolved" and done.resolved_by == manager
    assert done.resolution_reason == "corrective_action" and done.resolution_action == action
    assert done.resolution == "East caught up"
    entry = AuditEntry.objects.get(action="alert.resolve", target_id=alert.pk)
    assert entry.actor == manager.user and entry.changes["reason"] == [None, "corrective_action"]


def test_the_page_keeps_input_on_refusal_and_shows_who_resolved_it_and_why(org, alert, action, manager):
    client = login(manager)
    url = reverse("alert_resolve", args=[org.slug, alert.pk])
    page = client.get(reverse("alert_detail", args=[org.slug, alert.pk])).content.decode()
    assert (
        'name="resolve-reason"' in page and 'value="corrective_action"' in page and "More promotion" in page
    )
    response = client.post(url, {"resolve-reason": "corrective_action", "resolve-note": "East caught up"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="East caught up"' in page  # what was typed stays
    assert 'id="id_resolve-action_error"' in page and "Choose the corrective action that resolved it." in page
    response = client.post(url, {"resolve-reason": "", "resolve-note": ""})
    page = response.content.decode()
    assert (
        response.status_code == 400
        and 'id="id_resolve-reason_error"' in page
        and 'id="id_resolve-note_error"' in page
    )
    assert Alert.objects.get(pk=alert.pk).state == "acknowledged"
    ok = client.post(url, {"resolve-reason": "corrective_action", "resolve-note": "East caught up",
                           "resolve-action": str(action.pk)})  # fmt: skip
    assert ok.status_code == 302
    page = client.get(reverse("alert_detail", args=[org.slug, alert.pk])).content.decode()
    shown = page.split('data-testid="resolution"')[1].split("</p>")[0]
    name = manager.user.get_full_name()
    assert name in shown and "Resolved by the corrective action" in shown and "East caught up" in shown
    assert "More promotion in the East" in shown
    history = page.split('data-testid="alert-resolutions"')[1].split("</section>")[0]
    assert name in history and "East caught up" in history
    manager.user.language = "zh-hans"
    manager.user.save(update_fields=["language"])
    zh = client.get(reverse("alert_detail", args=[org.slug, alert.pk])).content.decode()
    assert "Resolved by the corrective action" not in zh and "Resolved by hand" not in zh and name in zh


def test_the_api_names_the_missing_field_and_reports_the_reason(org, alert, action, manager):
    url = f"/api/v1/orgs/{org.slug}/alerts/{alert.pk}/resolve/"
    assert_error(
        api(manager).post(url, {"note": "Fine"}, format="json"), 400, type_="validation_error", attr="reason"
    )
    assert_error(api(manager).post(url, {"reason": "corrective_action", "note": "Fine"}, format="json"), 400,
                 type_="validation_error", attr="action")  # fmt: skip
    done = api(manager).post(url, {"reason": "false_alarm", "note": "Seasonal dip"}, format="json")
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["state"] == "resolved" and body["resolution_reason"] == "false_alarm"
    assert body["resolved_by"] == manager.pk and body["resolution"] == "Seasonal dip"
    assert body["resolution_action"] is None
