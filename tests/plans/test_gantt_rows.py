"""The team Gantt names each initiative, grouped under its goal; overdue work (past due, not done)
is drawn differently and says "overdue" in the chart data and the accessible table. Plan dates
carry their years when they are not this year, and weeks are only counted inside the goal's period."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from plans import services
from plans.models import Status
from plans.services import InitiativeInput
from tests import factories
from tests.conftest import login

TODAY = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def gantt_data(html: str) -> dict:
    return json.loads(html.split('<script id="gantt-data" type="application/json">')[1].split("</script>")[0])


@pytest.fixture
def team_plan(org, manager, member):
    team = factories.team(org, "Ops", managers=[manager])
    users = factories.goal(org, manager, team=team, scope="team", start_date=date(2026, 10, 1),
                           end_date=date(2026, 12, 31), title="新增注册用户 20 万 / 200,000 new registered users")  # fmt: skip
    dau = factories.goal(org, manager, team=team, scope="team", start_date=date(2026, 10, 1),
                         end_date=date(2026, 12, 31), title="Daily active users +15%")  # fmt: skip

    def add(goal, title, start, due, status=None):
        item = services.initiative_create(org=org, actor=manager, data=InitiativeInput(
            title=title, goal=goal, owner=member, start_date=start, due_date=due))  # fmt: skip
        if status:
            services.initiative_progress(initiative=item, actor=manager, progress=100, status=status)
        return item

    items = {
        "late": add(users, "Online referral campaigns", date(2026, 10, 1), date(2026, 10, 28)),
        "done": add(users, "Channel partnerships", date(2026, 10, 8), date(2026, 11, 11), Status.DONE),
        "future": add(dau, "Improve onboarding", date(2026, 11, 16), date(2026, 12, 4)),
        "far": add(dau, "Community operations", date(2030, 1, 5), date(2031, 1, 5)),
    }
    return {"team": team, "users": users, "dau": dau, "items": items}


@time_machine.travel(TODAY, tick=False)
def test_team_gantt_names_initiatives_under_their_goal_and_marks_overdue_work(org, member, team_plan):
    html = login(member).get(reverse("team_gantt", args=[org.slug, team_plan["team"].pk])).content.decode()
    data = gantt_data(html)
    assert [g["label"] for g in data["groups"]] == [team_plan["users"].title, "Daily active users +15%"]
    rows = {r["title"]: r for r in data["rows"]}
    assert set(rows) == {"Online referral campaigns", "Channel partnerships", "Improve onboarding",
                         "Community operations"}  # fmt: skip
    late = rows["Online referral campaigns"]
    assert late["overdue"] and late["overdue_text"] == "Overdue by 23 days"
    assert late["group"] == f"g{team_plan['users'].pk}" and late["goal"] == team_plan["users"].title
    assert not rows["Channel partnerships"]["overdue"]  # past due but done
    assert not rows["Improve onboarding"]["overdue"] and data["labels"]["overdue"] == "overdue"
    table = html.split('data-testid="gantt-table"')[1].split("</table>")[0]
    assert table.index(team_plan["users"].title) < table.index("Online referral campaigns")
    assert table.index("Daily active users +15%") < table.index("Improve onboarding")
    row = table.split(f'data-testid="gantt-row-{late["id"]}"')[1].split("</tr>")[0]
    assert "Online referral campaigns" in row and "⚠ Overdue by 23 days" in row and "10-01 – 10-28" in row
    assert "2030-01-05 – 2031-01-05" in table


@time_machine.travel(TODAY, tick=False)
def test_overdue_in_chinese(org, member, team_plan):
    member.user.language = "zh-hans"
    member.user.save()
    html = login(member).get(reverse("team_gantt", args=[org.slug, team_plan["team"].pk])).content.decode()
    assert gantt_data(html)["labels"]["overdue"] == "已逾期"
    assert "已逾期 23 天" in html.split('data-testid="gantt-table"')[1]


@time_machine.travel(TODAY, tick=False)
def test_goal_gantt_groups_by_dimension_and_marks_overdue(org, manager, member):
    goal = factories.goal(org, manager, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
    late = services.initiative_create(org=org, actor=manager, data=InitiativeInput(
        title="Referral campaigns", goal=goal, owner=member, start_date=date(2026, 10, 1),
        due_date=date(2026, 11, 19), dimension_name="User acquisition"))  # fmt: skip
    data = gantt_data(login(member).get(reverse("goal_gantt", args=[org.slug, goal.pk])).content.decode())
    assert data["groups"] == [{"key": f"d{late.dimension_id}", "label": "User acquisition", "count": 1}]
    assert (
        data["rows"][0]["title"] == "Referral campaigns"
        and data["rows"][0]["overdue_text"] == "Overdue by 1 day"
    )


@time_machine.travel(TODAY, tick=False)
def test_plan_page_shows_years_outside_this_year_and_weeks_only_inside_the_period(org, manager, team_plan):
    page = login(manager).get(reverse("goal_plan", args=[org.slug, team_plan["dau"].pk])).content.decode()
    assert "2030-01-05 – 2031-01-05" in page and "outside the goal&#x27;s period" in page
    assert "weeks 158" not in page and "01-05 – 01-05" not in page
    assert "weeks 7–10" in page and "11-16 – 12-04" in page  # inside the period: weeks, dates without years


def test_gantt_table_rows_escape_what_people_typed_and_say_when_there_is_nothing():
    from plans.gantt_table import gantt_table_rows

    labels = {"milestone": "Milestone", "critical": "Critical path", "no_dimension": "Other initiatives"}
    row = {"id": 7, "title": "<b>Launch</b> & co", "owner": 'Ann "A"', "dates": "10-01 – 10-28",
           "status_label": "In progress", "progress": 40, "overdue": True, "overdue_text": "Overdue by 2 days",
           "milestone": True, "critical": False}  # fmt: skip
    html = gantt_table_rows({"labels": labels}, [({"key": "d0", "label": ""}, [row])])
    assert "&lt;b&gt;Launch&lt;/b&gt; &amp; co" in html and "<b>" not in html
    assert "Ann &quot;A&quot;" in html and "Other initiatives" in html and "⚠ Overdue by 2 days" in html
    assert (
        'class="overdue" data-testid="gantt-row-7"' in html
        and "Milestone" in html
        and "Critical path" not in html
    )
    assert "No initiatives yet." in gantt_table_rows({"labels": labels}, [])
