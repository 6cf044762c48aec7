"""Deviation alerts: raised once per goal, rule and period; acknowledged with a cause and a
corrective action; resolved when back on track; escalated; delivered to webhooks."""

from __future__ import annotations

import datetime as dt
import json
import threading
from datetime import timedelta
from decimal import Decimal as D
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from goals import services as goal_services
from teams.errors import NotAllowed
from teams.models import Role
from teams.selectors import org_today
from tests import factories
from tests.conftest import login
from tests.tracking.deal import fall_behind, sales_deal
from tracking import channels, services
from tracking.models import (
    Alert,
    CorrectiveAction,
    Delivery,
    IndicatorSnapshot,
    MetricEntry,
    Notification,
    NotificationChannel,
    Standup,
)
from tracking.services import EntryInput


@pytest.fixture
def sales(org):
    parent = factories.team(org, "Commercial")
    return factories.team(org, "Sales", parent=parent)


@pytest.fixture
def lead(org, sales):
    person = factories.member(org, Role.MANAGER, name="Sales Lead", teams=[sales])
    sales.managers.add(person)
    return person


@pytest.fixture
def goal(org, lead, sales):
    today = org_today(org)
    return factories.goal(org, lead, team=sales, title="Quarterly deal value", start_date=today - timedelta(days=45),
                          end_date=today + timedelta(days=45), base=D(900), challenge=D(1000), stretch=D(1200),
                          status="active")  # fmt: skip


def behind(org, actor, goal, per_day: str, days: int = 46) -> None:
    today = org_today(org)
    services.entries_save(org=org, actor=actor, rows=[
        EntryInput(goal_id=goal.pk, value=per_day, day=(today - timedelta(days=n)).isoformat()) for n in range(days)])  # fmt: skip
    services.indicators_recompute(org=org, since=today - timedelta(days=days - 1))


def test_ten_percent_behind_raises_one_alert_with_what_how_much_and_since_when(org, lead, goal):
    behind(org, lead, goal, "9.6")  # 46 × 9.6 = 441.6 of 494.5 expected by yesterday: 10.7 % behind
    first = services.alerts_evaluate(org=org)
    again = services.alerts_evaluate(org=org)  # a retried or duplicated job
    assert len(first.raised) == 1 and again.raised == [] and Alert.objects.count() == 1
    alert = Alert.objects.get()
    assert alert.kind == "lagging_behind" and alert.deviation_pct == D("10.7") and alert.team == goal.team
    first_behind = (
        IndicatorSnapshot.objects.filter(goal=goal, metric_key=0, pace__lte=90).order_by("day").first()
    )
    assert alert.since == first_behind.day > goal.start_date  # since the current run of behind days began
    message = services.alert_message(alert)
    # At the goal's precision (a sum without a unit: whole numbers), never the stored 494.5055.
    assert "Quarterly deal value is 10.7% behind" in message and "442 against 495 expected" in message
    assert set(Notification.objects.values_list("recipient", flat=True)) == {lead.pk}
    assert Notification.objects.count() == 1


def test_back_on_track_resolves_and_a_new_deviation_reopens_the_same_alert(org, lead, goal):
    behind(org, lead, goal, "9.6")
    services.alerts_evaluate(org=org)
    alert = Alert.objects.get()
    today = org_today(org)
    services.entries_save(
        org=org, actor=lead, rows=[EntryInput(goal_id=goal.pk, value="200", day=today.isoformat())]
    )
    services.indicators_recompute(org=org)
    assert alert.pk in services.alerts_evaluate(org=org).resolved
    alert.refresh_from_db()
    assert alert.state == "resolved" and alert.resolution == "back on track"
    with translation.override("zh-hans"):
        assert alert.resolution_text == "已恢复正常"  # shown translated, stored as a code
    type(goal).objects.filter(pk=goal.pk).update(
        allows_negative=True
    )  # deal value: a reversed deal is negative
    goal.refresh_from_db()
    services.entries_save(
        org=org, actor=lead, rows=[EntryInput(goal_id=goal.pk, value="-200", day=today.isoformat())]
    )
    services.indicators_recompute(org=org)
    result = services.alerts_evaluate(org=org)
    assert result.reopened == [alert.pk] and Alert.objects.count() == 1


def test_acknowledging_needs_a_cause_and_a_corrective_action(org, lead, goal, member):
    behind(org, lead, goal, "9.6")
    services.alerts_evaluate(org=org)
    alert = Alert.objects.get()
    due = org_today(org) + timedelta(days=14)
    action = services.ActionInput(description="More promotion budget in the East region; a new customer segment",
                                  owner=lead, due_date=due)  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        services.alert_acknowledge(alert=alert, actor=lead, cause="", cause_note="",
                                   action=services.ActionInput(description="", owner=None, due_date=None))  # fmt: skip
    assert set(caught.value.message_dict) == {"cause", "action", "owner", "due_date"}
    with pytest.raises(NotAllowed):  # a member who does not own the goal
        services.alert_acknowledge(
            alert=alert, actor=member, cause="competition", cause_note="", action=action
        )
    created = services.alert_acknowledge(alert=alert, actor=lead, cause="competition",
                                         cause_note="Price war in a key region", action=action)  # fmt: skip
    alert.refresh_from_db()
    assert alert.state == "acknowledged" and alert.cause == "competition" and created.alert == alert
    services.action_update(action=created, actor=lead, done=True, worked=True)
    assert CorrectiveAction.objects.get().worked is True


def test_unacknowledged_alert_escalates_once_to_the_parent_teams_managers(org, lead, goal, sales):
    boss = factories.member(org, Role.MANAGER, name="Commercial Director")
    sales.parent.managers.add(boss)
    behind(org, lead, goal, "9.6")
    services.alerts_evaluate(org=org)
    later = org_today(org) + timedelta(days=3)
    assert (
        Alert.objects.get(kind="lagging_behind").pk in services.alerts_evaluate(org=org, day=later).escalated
    )
    assert services.alerts_evaluate(org=org, day=later).escalated == []
    assert Notification.objects.filter(recipient=boss, kind="escalation").count() == 1


def test_missing_three_working_days_of_standups_is_one_alert_until_the_member_logs(org, sales, lead):
    person = factories.member(org, name="Quiet", teams=[sales])
    type(person).objects.filter(pk=person.pk).update(joined_at=person.joined_at - timedelta(days=30))
    today = org_today(org)
    last_seen, *missed = services.working_days_before(today, 4)
    Standup.objects.create(org=org, member=person, day=last_seen, today="x")
    services.alerts_evaluate(org=org)
    alert = Alert.objects.get(kind="standup_missed")
    assert alert.member == person and alert.since == missed[0]
    assert f"Quiet has not logged a stand-up for 3 working days (since {missed[0].isoformat()})." == (
        services.alert_message(alert)
    )
    # The next working day: the same alert, one more day missed (not a new alert every day).
    tomorrow = today + timedelta(days=1)
    while tomorrow.isoweekday() > 5:
        tomorrow += timedelta(days=1)
    later = services.alerts_evaluate(org=org, day=tomorrow + timedelta(days=1))
    assert later.raised == [] and Alert.objects.filter(kind="standup_missed").count() == 1
    Standup.objects.create(
        org=org, member=person, day=services.working_days_before(today, 1)[0], today="back"
    )
    assert alert.pk in services.alerts_evaluate(org=org).resolved


def test_a_weekend_team_is_judged_on_its_own_working_days(org, sales, manager):
    person = factories.member(org, name="Weekend", teams=[sales])
    type(person).objects.filter(pk=person.pk).update(joined_at=person.joined_at - timedelta(days=60))
    today = org_today(org)
    sunday = today - timedelta(days=today.isoweekday() % 7 + 7)  # a Sunday at least a week ago
    for day in (sunday - timedelta(days=1), sunday):
        Standup.objects.create(org=org, member=person, day=day, today="x")
    thursday = sunday + timedelta(days=4)
    # Judged on Monday–Friday, the weekend worker has missed Monday, Tuesday and Wednesday…
    missed = [a for a in services.alerts_evaluate(org=org, day=thursday).raised
              if Alert.objects.get(pk=a).member == person]  # fmt: skip
    assert len(missed) == 1
    # …but not once the team says it works on Saturdays and Sundays (set by the manager of the
    # team above it: a manager's rights reach the sub-teams).
    sales.parent.managers.add(manager)
    services.rhythm_save(
        team=sales, actor=manager, standup_time=dt.time(10), working_days="67", reminders=True
    )
    result = services.alerts_evaluate(org=org, day=thursday)
    assert not [a for a in result.raised if Alert.objects.get(pk=a).member == person]
    assert missed[0] in result.resolved


def test_leading_and_risk_rules(org, lead, goal):
    pushes = goal_services.supporting_metric_save(goal=goal, actor=lead, kind="leading", name="Customer visits",
                                                  weekly_target=D(20))  # fmt: skip
    complaints = goal_services.supporting_metric_save(goal=goal, actor=lead, kind="risk", name="Complaint rate",
                                                      direction="down", threshold=D(2))  # fmt: skip
    today = org_today(org)
    rows = [EntryInput(goal_id=goal.pk, supporting_metric_id=pushes.pk, value="1",
                       day=(today - timedelta(days=n)).isoformat()) for n in range(30)]  # fmt: skip
    rows.append(
        EntryInput(goal_id=goal.pk, supporting_metric_id=complaints.pk, value="2.5", day=today.isoformat())
    )
    services.entries_save(org=org, actor=lead, rows=rows)
    services.indicators_recompute(org=org)
    services.alerts_evaluate(org=org)
    kinds = {a.kind: a for a in Alert.objects.all()}
    assert {"leading_below", "risk_breached"} <= set(kinds)
    assert kinds["risk_breached"].measured == D("2.5") and kinds["risk_breached"].deviation_pct == D("25.0")


class Receiver(BaseHTTPRequestHandler):
    received: list[tuple[str, dict, dict]] = []
    fail = False

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((self.path, dict(self.headers), json.loads(body)))
        self.send_response(500 if Receiver.fail else 200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"code": 0, "errcode": 0}')

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received, Receiver.fail = [], False
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_webhooks_get_each_platforms_payload_signed(
    org, admin, lead, goal, receiver, django_capture_on_commit_callbacks
):
    for kind in ("feishu", "dingtalk", "wecom", "slack", "json"):
        services.channel_save(org=org, actor=admin, name=kind, kind=kind, url=f"{receiver}/{kind}?key=k",
                              secret="s3cret" if kind in ("feishu", "dingtalk", "json") else "", team_id=goal.team_id)  # fmt: skip
    behind(org, lead, goal, "9.6")
    with django_capture_on_commit_callbacks(execute=True):
        services.alerts_evaluate(org=org)
    with django_capture_on_commit_callbacks(execute=True):
        services.alerts_evaluate(org=org)  # nothing new: nothing sent again
    got = {path.split("?")[0].strip("/"): (path, headers, body) for path, headers, body in Receiver.received}
    assert len(Receiver.received) == 5 and set(got) == {"feishu", "dingtalk", "wecom", "slack", "json"}
    _path, _h, feishu = got["feishu"]
    assert feishu["msg_type"] == "text" and "10.7% behind" in feishu["content"]["text"]
    assert feishu["sign"] == channels.feishu_sign("s3cret", int(feishu["timestamp"]))
    path, _h, dingtalk = got["dingtalk"]
    assert dingtalk["msgtype"] == "text" and "timestamp=" in path and "sign=" in path
    assert got["wecom"][2]["msgtype"] == "text" and "Quarterly deal value" in got["slack"][2]["text"]
    _path, headers, body = got["json"]
    assert body["event"] == "alert.open" and body["alert"]["kind"] == "lagging_behind"
    assert headers["X-Stretch-Signature"].startswith("sha256=")
    assert Delivery.objects.filter(state="sent").count() == 5
    assert len(mail.outbox) == 1 and "10.7% behind" in mail.outbox[0].body


def test_a_failing_webhook_is_retried_then_marked_failing_without_blocking(org, admin, lead, goal, receiver,
                                                                           django_capture_on_commit_callbacks):  # fmt: skip
    Receiver.fail = True
    services.channel_save(org=org, actor=admin, name="Broken", kind="slack", url=f"{receiver}/slack")
    services.channel_save(org=org, actor=admin, name="Nowhere", kind="json", url="http://127.0.0.1:9/hook")
    behind(org, lead, goal, "9.6")
    with django_capture_on_commit_callbacks(execute=True):
        services.alerts_evaluate(org=org)
    assert len(Receiver.received) == 6  # first try and five retries
    assert set(Delivery.objects.values_list("state", flat=True)) == {"failed"}
    broken = NotificationChannel.objects.get(name="Broken")
    assert broken.failing_since is not None and broken.last_error == "HTTP 500"
    assert Alert.objects.count() == 1 and len(mail.outbox) == 1  # the e-mail still went out
    page = login(admin).get(reverse("integrations", args=[org.slug])).content.decode()
    assert "failing: HTTP 500" in page


def test_channel_bad_input(org, admin, manager):
    for kwargs, field in [({"url": "ftp://x"}, "url"), ({"kind": "telegram"}, "kind"), ({"name": ""}, "name"),
                          ({"team_id": 99999}, "team")]:  # fmt: skip
        data = {"name": "x", "kind": "slack", "url": "https://hooks.example.com/x"} | kwargs
        with pytest.raises(ValidationError) as caught:
            services.channel_save(org=org, actor=admin, **data)
        assert field in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.channel_save(
            org=org, actor=manager, name="x", kind="slack", url="https://hooks.example.com/x"
        )


def test_alert_pages_acknowledge_in_the_browser_flow(org, lead, goal):
    behind(org, lead, goal, "9.6")
    services.alerts_evaluate(org=org)
    alert = Alert.objects.get()
    client = login(lead)
    assert 'data-testid="unread">1<' in client.get(reverse("alert_list", args=[org.slug])).content.decode()
    inbox = client.get(reverse("inbox", args=[org.slug])).content.decode()
    assert (
        "10.7% behind" in inbox
        and 'data-testid="unread"' not in client.get(reverse("inbox", args=[org.slug])).content.decode()
    )
    url = reverse("alert_detail", args=[org.slug, alert.pk])
    bad = client.post(url, {"cause": "", "action": ""})
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()
    due = (org_today(org) + timedelta(days=10)).isoformat()
    ok = client.post(url, {"cause": "competition", "cause_note": "Key region", "action": "More promotion budget",
                           "owner": lead.pk, "due_date": due})  # fmt: skip
    assert ok.status_code == 302
    page = client.get(url).content.decode()
    assert "More promotion budget" in page and "Key region" in page and "Acknowledged" in page


def test_admins_tune_the_rules_and_the_alerts_follow(org, admin, lead, goal):
    behind(org, lead, goal, "9.8")  # 450.8 of 494.5: 8.8 % behind
    client = login(admin)
    url = reverse("alert_rule", args=[org.slug, "lagging_behind"])
    client.post(url, {"threshold": "15", "escalate_after_days": "5", "enabled": "1"})
    assert services.alerts_evaluate(org=org).raised == []  # 8.8 % is within a 15 % allowance
    client.post(url, {"threshold": "5", "escalate_after_days": "5", "enabled": "1"})
    assert len(services.alerts_evaluate(org=org).raised) == 1
    bad = client.post(url, {"threshold": "500", "escalate_after_days": "0"}, follow=True).content.decode()
    assert "Between 1 and 100." in bad and "Between 1 and 60." in bad
    assert login(lead).post(url, {"threshold": "1", "escalate_after_days": "1"}).status_code == 403
    quiet = factories.member(org, name="Quiet", teams=[goal.team])
    type(quiet).objects.filter(pk=quiet.pk).update(joined_at=quiet.joined_at - timedelta(days=30))
    missed = Alert.objects.get(pk__in=services.alerts_evaluate(org=org).raised)
    assert missed.kind == "standup_missed" and missed.member == quiet
    client.post(reverse("alert_rule", args=[org.slug, "standup_missed"]), {"escalate_after_days": "3"})
    assert services.alerts_evaluate(org=org).resolved == [missed.pk]  # switched off
    page = client.get(reverse("channels", args=[org.slug])).content.decode()
    assert 'name="threshold" value="5"' in page


def test_escalation_is_mailed_and_a_manual_resolution_holds_until_the_condition_clears(
    org, member, manager, django_capture_on_commit_callbacks
):
    team, goal = sales_deal(org, manager, member)
    boss = factories.member(org, Role.MANAGER, name="Director")
    team.parent.managers.add(boss)
    fall_behind(org, manager, goal)
    services.alerts_evaluate(org=org)
    alert = Alert.objects.get(kind="lagging_behind")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.alerts_evaluate(org=org, day=org_today(org) + timedelta(days=3))
    assert boss.user.email in [m.to[0] for m in mail.outbox]
    services.alert_resolve(alert=alert, actor=manager, reason="false_alarm", note="Seasonal; fine")
    assert services.alerts_evaluate(org=org).reopened == []  # still firing, but resolved by hand
    services.entries_save(org=org, actor=manager, rows=[services.EntryInput(goal_id=goal.pk, value="300")])
    services.indicators_recompute(org=org, since=org_today(org) - timedelta(days=1))
    services.alerts_evaluate(org=org)  # back on track: the hand resolution has done its job
    MetricEntry.objects.filter(value=D(300)).delete()
    services.indicators_recompute(org=org, since=org_today(org) - timedelta(days=1))
    assert services.alerts_evaluate(org=org).reopened == [alert.pk]


def test_acknowledging_twice_adds_one_action(org, member, manager):
    goal = sales_deal(org, manager, member).goal
    fall_behind(org, manager, goal)
    services.alerts_evaluate(org=org)
    alert = Alert.objects.get(kind="lagging_behind")
    action = services.ActionInput(description="More promotion", owner=manager, due_date=org_today(org))
    for _ in range(2):
        services.alert_acknowledge(
            alert=alert, actor=manager, cause="competition", cause_note="", action=action
        )
    assert CorrectiveAction.objects.count() == 1
