"""Team dashboard, weekly and monthly reviews (and their exports)."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from goals import services as goal_services
from goals.periods import week_start
from teams.models import Role
from teams.selectors import org_today
from tests import factories
from tests.conftest import login
from tests.queries import assert_queries, pinned_queries
from tests.tracking.deal import sales_deal
from tests.tracking.test_api import api
from tracking import services
from tracking.models import CorrectiveAction, Review


@pytest.fixture
def team(org, member, manager):
    team = factories.team(org, "Sales", managers=[manager])
    member.teams.add(team)
    return team


def make_goal(org, manager, team, title="Q4 deal value"):
    today = org_today(org)
    goal = factories.goal(org, manager, team=team, title=title, start_date=today - timedelta(days=45),
                          end_date=today + timedelta(days=45), base=D(900), challenge=D(1000), stretch=D(1200),
                          status="active")  # fmt: skip
    goal_services.supporting_metric_save(goal=goal, actor=manager, kind="leading", name="Customer visits",
                                         weekly_target=D(40))  # fmt: skip
    services.entries_save(org=org, actor=manager, rows=[services.EntryInput(
        goal_id=goal.pk, value="9.6", day=(today - timedelta(days=n)).isoformat()) for n in range(46)])  # fmt: skip
    return goal


def test_dashboard_cards_and_burnup_data(org, manager, team):
    goal = make_goal(org, manager, team)
    services.indicators_recompute(org=org)
    services.alerts_evaluate(org=org)
    html = login(manager).get(reverse("team_dashboard", args=[org.slug, team.pk])).content.decode()
    charts = json.loads(
        html.split('<script id="burnup-data" type="application/json">')[1].split("</script>")[0]
    )
    chart = charts[str(goal.pk)]
    assert chart["actual"][-1][1] == pytest.approx(441.6) and chart["tiers"]["challenge"][-1][1] == 1000.0
    assert chart["forecast"][1][0] == goal.end_date.isoformat() and chart["tiers"]["base"][0] == [
        goal.start_date.isoformat(),
        0.0,
    ]
    assert (
        'data-chart="burnup"' in html and "Off track" in html and "Lagging indicator behind expected" in html
    )


# The reviews' owner pickers search as you type (teams.people_picker): no query for the people.
# The dashboard answers from the last recompute (tracking.dashboard_cache): its second GET runs
# only the access checks and the page shell; the first GET after a recompute computes it.
PAGE_QUERIES = {"team_dashboard": 5, "weekly_review": 14, "monthly_review": 15}
DASHBOARD_COMPUTED_QUERIES = 14


@pytest.mark.parametrize("name", PAGE_QUERIES)
def test_dashboard_and_review_query_counts_are_the_same_for_5_goals_and_for_40(org, manager, team, name):
    client = login(manager)
    url = reverse(name, args=[org.slug, team.pk])

    def grow(n: int) -> None:
        for i in range(n):
            make_goal(org, manager, team, title=f"Goal {i} {name}")
        services.indicators_recompute(org=org, since=org_today(org) - timedelta(days=3))

    grow(5)
    assert_queries(PAGE_QUERIES[name], client, url)
    grow(35)
    assert_queries(PAGE_QUERIES[name], client, url)


def test_dashboard_computed_after_a_recompute_costs_the_same_queries_for_5_goals_and_for_40(
    org, manager, team
):
    client = login(manager)
    url = reverse("team_dashboard", args=[org.slug, team.pk])
    client.get(url)  # the session and the shell warmed up
    for n in (5, 35):
        for i in range(n):
            make_goal(org, manager, team, title=f"Goal {n}-{i}")
        services.indicators_recompute(org=org, since=org_today(org) - timedelta(days=3))
        with pinned_queries(DASHBOARD_COMPUTED_QUERIES, "the dashboard computed after a recompute"):
            assert client.get(url).status_code == 200


def test_dashboard_shows_a_new_value_at_once_and_the_recompute_after_it(org, manager, member, team):
    """Served from the cache, never stale: a value written (by a stand-up) shows on the next
    view, and so does what the recompute it queues makes of it."""
    goal = make_goal(org, manager, team)
    services.indicators_recompute(org=org, since=org_today(org) - timedelta(days=3))
    client = login(member)
    url = reverse("team_dashboard", args=[org.slug, team.pk])

    def body() -> str:
        return client.get(url).content.decode().split('id="burnup-data"', 1)[1]  # from the charts on

    before = body()
    assert body() == before  # the second view comes from the cache
    services.standup_submit(member=member, actor=member, data=services.StandupInput(
        day=org_today(org), today="Calls",
        values=(services.EntryInput(goal_id=goal.pk, value="987654"),)))  # fmt: skip
    after = body()
    assert after != before  # the burn-up chart reads the values: shown at once
    assert "988,096 of 1,000" not in after  # the card's actual waits for the recompute
    services.indicators_recompute(org=org)  # the job the stand-up queued
    assert "988,096 of 1,000" in body()  # 46 × 9.6 + 987,654, from that recompute


def test_weekly_review_prepares_itself_and_records_decisions(org, manager, member, team):
    goal = make_goal(org, manager, team)
    services.indicators_recompute(org=org, since=org_today(org) - timedelta(days=7))
    services.alerts_evaluate(org=org)
    services.standup_submit(member=member, actor=member, data=services.StandupInput(
        day=org_today(org), today="Calls", blockers="Competitor price cut in the East"))  # fmt: skip
    client = login(manager)
    url = reverse("weekly_review", args=[org.slug, team.pk])
    page = client.get(url).content.decode()
    assert (
        "Q4 deal value" in page and "Competitor price cut in the East" in page and "Customer visits" in page
    )
    assert "Lagging indicator behind expected" in page
    week = week_start(org_today(org))
    assert (
        client.post(url, {"what": "decisions", "decisions": "Shift two reps to the East"}).status_code == 302
    )
    assert Review.objects.get(kind="week", start=week).decisions == "Shift two reps to the East"
    due = (org_today(org) + timedelta(days=7)).isoformat()
    bad = client.post(url, {"what": "action", "action": "", "owner": member.pk, "due_date": due})
    assert bad.status_code == 400
    done = client.post(url, {"what": "action", "goal": goal.pk, "action": "New customer segment", "owner": member.pk,
                             "due_date": due})  # fmt: skip
    assert done.status_code == 302 and CorrectiveAction.objects.get().review.kind == "week"
    assert "New customer segment" in client.get(url).content.decode()
    # Members read the review but do not record it.
    assert login(member).post(url, {"what": "decisions", "decisions": "x"}).status_code == 403


def test_monthly_review_exports(org, manager, team, members):
    make_goal(org, manager, team)
    services.indicators_recompute(org=org, since=org_today(org) - timedelta(days=10))
    month = org_today(org).strftime("%Y-%m")
    client = login(members[Role.VIEWER])
    page = client.get(reverse("monthly_review", args=[org.slug, team.pk]), {"month": month}).content.decode()
    assert 'data-chart="trend"' in page and "Q4 deal value" in page
    xlsx = client.get(reverse("monthly_export", args=[org.slug, team.pk, "xlsx"]), {"month": month})
    book = load_workbook(io.BytesIO(xlsx.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[1][0] == "Goal" and rows[2][0] == "Q4 deal value" and rows[2][1] == pytest.approx(441.6)
    pdf = client.get(reverse("monthly_export", args=[org.slug, team.pk, "pdf"]), {"month": month})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    csv_body = client.get(
        reverse("monthly_export", args=[org.slug, team.pk, "csv"]), {"month": month}
    ).content
    assert csv_body.decode("utf-8-sig").splitlines()[1].startswith("Q4 deal value,441.6")
    assert client.get(reverse("monthly_export", args=[org.slug, team.pk, "doc"])).status_code == 404


def test_monthly_pdf_in_chinese(org, manager, team):
    manager.user.language = "zh-hans"
    manager.user.save()
    make_goal(org, manager, team, title="季度成交额")
    services.indicators_recompute(org=org)
    pdf = login(manager).get(reverse("monthly_export", args=[org.slug, team.pk, "pdf"]))
    assert pdf.status_code == 200 and b"STSong-Light" in pdf.content


def pdf_text(content: bytes) -> str:
    """The text a PDF shows (reportlab writes its pages as ASCII85 + Flate streams, and the Chinese
    CID font's strings as UTF-16)."""
    import base64
    import zlib

    shown = []
    for match in re.finditer(
        rb"/ASCII85Decode /FlateDecode \][^>]*>>\s*stream\r?\n(.*?)endstream", content, re.S
    ):
        stream = zlib.decompress(base64.a85decode(match.group(1).strip(), adobe=True))
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", stream, re.S):
            raw = re.sub(rb"\\([0-7]{1,3}|.)", lambda m: bytes([int(m.group(1), 8)]) if m.group(1)[:1].isdigit()
                         else m.group(1), literal)  # fmt: skip
            shown.append(raw.decode("utf-16-be"))  # every paragraph is set in the CID font
    return " ".join(shown)


def big_goal(org, manager, team):
    """A goal of a million new users, 44 days into 91: figures with thousands to group."""
    today = org_today(org)
    goal = factories.goal(org, manager, team=team, title="Q4 new users", unit="users", start_date=today - timedelta(days=45),
                          end_date=today + timedelta(days=45), base=D(900000), challenge=D(1000000),
                          stretch=D(1200000), status="active")  # fmt: skip
    services.entries_save(org=org, actor=manager, rows=[services.EntryInput(
        goal_id=goal.pk, value="12125.5", day=(today - timedelta(days=n)).isoformat()) for n in range(46)])  # fmt: skip
    services.indicators_recompute(org=org, since=org_today(org) - timedelta(days=3))
    return goal


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_monthly_exports_show_figures_as_a_person_reads_them(org, manager, team, language):
    """The PDF's figures are grouped and rounded to the goal's precision in either language; the
    XLSX keeps them numbers, shown with a matching number format."""
    manager.user.language = language
    manager.user.save()
    big_goal(org, manager, team)
    client = login(manager)
    pdf = client.get(reverse("monthly_export", args=[org.slug, team.pk, "pdf"])).content
    text = pdf_text(pdf)
    assert {"en": "Monthly review", "zh-hans": "月度复盘会"}[language] in text
    assert "Q4 new users" in text and "557,773" in text and "1,000,000" in text  # 46 × 12,125.5 = 557,773
    assert not re.search(r"\d\.\d{3,}", text) and not re.search(r"\d{5,}", text.replace(",", " , "))
    assert re.search(r"\d+\.\d%", text)  # attainment at one decimal
    book = load_workbook(
        io.BytesIO(client.get(reverse("monthly_export", args=[org.slug, team.pk, "xlsx"])).content)
    )
    sheet = book.worksheets[0]
    row = list(sheet[3])
    assert row[0].value == "Q4 new users"
    assert (
        row[1].data_type == "n" and row[1].value == pytest.approx(557773) and row[1].number_format == "#,##0"
    )
    assert row[3].value == 1000000 and row[3].number_format == "#,##0"
    assert row[4].data_type == "n" and row[4].number_format == "0.0"
    assert sheet.freeze_panes == "B3"


@pytest.mark.parametrize("query", [{"week": "0001-01-01"}, {"week": "9999-12-31"}, {"month": "9999-12"},
                                   {"month": "0001-01"}, {"day": "0001-01-01"}, {"day": "9999-12-31"}])  # fmt: skip
def test_dates_at_the_ends_of_the_calendar_are_not_a_500(org, member, manager, query):
    team = sales_deal(org, manager, member).team
    client = login(manager)
    for name in ("weekly_review", "monthly_review", "team_board", "standup"):
        url = reverse(name, args=[org.slug] if name == "standup" else [org.slug, team.pk])
        assert client.get(url, query).status_code == 200, (name, query)
    response = api(manager).post(f"/api/v1/orgs/{org.slug}/reviews/",
                                 {"team": team.pk, "kind": "week", "start": "0001-01-01"}, format="json")  # fmt: skip
    assert response.status_code == 400
