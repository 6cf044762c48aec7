"""Payout runs: computed in the background, reviewed and adjusted by HR, approved (and so locked) by
an admin, exported to XLSX and CSV; through the real services, pages and API."""

from __future__ import annotations

import csv
import io
import time
from datetime import date, timedelta
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from goals import services as goal_services
from incentives import exports, selectors, services
from incentives.models import PayoutLine, PayoutRun, RunStatus
from incentives.services import SchemeInput
from plans import services as plan_services
from plans.services import InitiativeInput
from teams.models import AuditEntry, Role
from teams.selectors import org_today
from tests import factories
from tests.jobs import live_owner
from tests.queries import assert_queries
from tracking import services as tracking

ARTICLE = SchemeInput(name="Article", target_bonus=D(20000), threshold=D(60),
                      bands=[["100", "120", "0.05"], ["120", None, "0.10"]], cap_multiple=D(3))  # fmt: skip


@pytest.fixture
def hr(members):
    return members[Role.HR]


@pytest.fixture
def second_admin(org):
    return factories.member(org, Role.ADMIN)


@pytest.fixture
def period(org):
    today = org_today(org)
    return today - timedelta(days=30), today + timedelta(days=60)


@pytest.fixture
def sales(org, hr, manager, member, period):
    """The article's example: team goal at 118 %, the member's own goal at 103 %, salary 30,000."""
    start, end = period
    team = factories.team(org, "Sales", managers=[manager])  # the sales manager enters the team's values
    member.teams.add(team)
    team_goal = factories.goal(org, manager, team=team, scope="team", start_date=start, end_date=end, base=D(90),
                               challenge=D(100), stretch=D(130), status="active")  # fmt: skip
    own = factories.goal(org, member, team=team, scope="personal", parent=team_goal, start_date=start, end_date=end,
                         base=D(90), challenge=D(100), stretch=D(130), status="active")  # fmt: skip
    tracking.entries_save(
        org=org, actor=manager, rows=[tracking.EntryInput(goal_id=team_goal.pk, value="118")]
    )
    tracking.entries_save(org=org, actor=manager, rows=[tracking.EntryInput(goal_id=own.pk, value="103")])
    tracking.indicators_recompute(org=org)
    scheme = services.scheme_save(org=org, actor=hr, data=ARTICLE)
    services.scheme_assign(scheme=scheme, actor=hr, team=team)
    services.salary_set(org=org, actor=hr, membership=member, base=D(30000), effective_from=start)
    return {"team": team, "team_goal": team_goal, "own": own, "scheme": scheme}


def _run(org, hr, period, capture, **kwargs):
    start, end = period
    with capture(execute=True):
        run = services.run_start(org=org, actor=hr, start=start, end=end, **kwargs)
    run.refresh_from_db()
    return run


def test_a_run_is_computed_reviewed_adjusted_submitted_approved_and_locked(
    org, hr, admin, second_admin, member, manager, sales, period, django_capture_on_commit_callbacks
):
    other = factories.member(org)
    other.teams.add(sales["team"])  # no salary: base 0, same team goals
    run = _run(org, hr, period, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.REVIEW and run.people == run.done == 2 and run.percent_done == 100
    line = run.lines.get(membership=member)
    assert (line.attainment, line.bonus, line.commission, line.total) == (
        D(112),
        D(20000),
        D(12000),
        D(62000),
    )
    assert line.explanation[0] == "Attainment 112% = 0.6 × team goal 118% + 0.4 × own goal 103%."
    assert line.team == "Sales" and line.scheme == "Article"
    assert run.total == sum(line.total for line in run.lines.all())

    # An adjustment needs a reason and a run in review; nothing changes otherwise.
    for amount, reason, field in (
        (D(500), "  ", "reason"),
        (D("0.005"), "x", "amount"),
        (D(-40000), "x", "amount"),
    ):
        with pytest.raises(ValidationError) as caught:
            services.run_line_adjust(line=line, actor=hr, amount=amount, reason=reason)
        assert field in caught.value.message_dict
    line.refresh_from_db()
    assert line.adjustment == 0 and line.total == D(62000)
    with pytest.raises(ValidationError):
        services.run_line_adjust(line=line, actor=manager, amount=D(1), reason="Not HR")
    services.run_line_adjust(line=line, actor=hr, amount=D(-2000), reason="Deal reversed in December")
    line.refresh_from_db()
    run.refresh_from_db()
    assert line.total == D(60000) and line.adjustment_reason == "Deal reversed in December"
    assert run.adjustment_total == D(-2000) and run.total == sum(x.total for x in run.lines.all())
    entry = AuditEntry.objects.get(action="payout_line.adjust")
    assert entry.actor == hr.user and entry.changes["total"] == ["62000.00", "60000.00"]

    services.run_submit(run=run, actor=hr)
    with pytest.raises(ValidationError):
        services.run_line_adjust(line=line, actor=hr, amount=D(1), reason="late")  # submitted: no edits
    with pytest.raises(ValidationError):
        services.run_approve(run=run, actor=hr)  # HR does not approve
    services.run_return(run=run, actor=admin, reason="Check the December deal")
    run.refresh_from_db()
    assert run.status == RunStatus.REVIEW
    services.run_submit(run=run, actor=admin)
    with pytest.raises(ValidationError) as caught:
        services.run_approve(run=run, actor=admin)  # one's own submission
    assert "another admin" in caught.value.messages[0]
    services.run_approve(run=run, actor=second_admin)
    run.refresh_from_db()
    assert run.status == RunStatus.LOCKED and run.approved_by == second_admin

    with pytest.raises(ValidationError) as caught:
        services.run_line_adjust(line=line, actor=hr, amount=D(1), reason="after the lock")
    assert "locked" in caught.value.messages[0]
    with pytest.raises(ValidationError):
        services.run_start(org=org, actor=hr, start=run.start, end=run.end)  # a new version, not a new run
    with django_capture_on_commit_callbacks(execute=True):
        version = services.run_new_version(run=run, actor=hr)
    version.refresh_from_db()
    assert (version.version, version.previous, version.status) == (2, run, RunStatus.REVIEW)
    assert version.lines.get(membership=member).total == D(62000)  # recomputed; v1 untouched
    assert run.lines.get(membership=member).total == D(60000)
    with pytest.raises(ValidationError):
        services.run_new_version(run=run, actor=hr)  # already has one
    actions = set(AuditEntry.objects.filter(target_type="payoutrun").values_list("action", flat=True))
    assert {"payout_run.start", "payout_run.computed", "payout_line.adjust", "payout_run.submit", "payout_run.return",
            "payout_run.approve", "payout_run.new_version"} <= actions  # fmt: skip


def test_bad_periods_and_roles_are_refused(org, hr, manager, period):
    start, end = period
    with pytest.raises(ValidationError) as caught:
        services.run_start(org=org, actor=hr, start=end, end=start)
    assert "end" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.run_start(org=org, actor=manager, start=start, end=end)
    assert not PayoutRun.objects.exists()


def test_the_job_is_idempotent_and_a_stuck_run_is_computed_again(org, hr, member, sales, period,
                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    for _ in range(3):
        factories.member(org).teams.add(sales["team"])
    run = _run(org, hr, period, django_capture_on_commit_callbacks)
    assert run.lines.count() == 4 and run.attempt == 1
    services.run_compute(run_id=run.pk)  # a duplicated job does nothing to a computed run
    assert run.lines.count() == 4
    # A worker is half way (or its job was lost): the run sits in "computing". Another job for it
    # does nothing while that worker lives (it does not own the run), and HR cannot compute it again
    # until it has made no progress for 10 minutes. (A job whose worker was killed is taken over:
    # test_a_job_whose_worker_died_is_taken_over.)
    PayoutRun.objects.filter(pk=run.pk).update(status=RunStatus.COMPUTING, done=2)
    run.lines.filter(membership=member).delete()
    with live_owner("payout_run", run.pk):
        services.run_compute(run_id=run.pk)
    assert run.lines.count() == 3
    run.refresh_from_db()
    with pytest.raises(ValidationError):
        services.run_retry(run=run, actor=hr)
    PayoutRun.objects.filter(pk=run.pk).update(updated_at=run.updated_at - timedelta(minutes=11))
    run.refresh_from_db()
    assert services.run_is_stuck(run)
    services.salary_set(org=org, actor=hr, membership=member, base=D(31000), effective_from=period[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.run_retry(run=run, actor=hr)
    run.refresh_from_db()
    assert run.status == RunStatus.REVIEW and run.done == 4 and run.attempt == 2
    assert run.lines.count() == 4 and run.lines.get(membership=member).base == D(31000)  # all computed afresh
    assert run.total == sum(line.total for line in run.lines.all())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="job locks need PostgreSQL")
def test_a_job_whose_worker_died_is_taken_over(
    org, hr, member, sales, period, django_capture_on_commit_callbacks
):
    for _ in range(2):
        factories.member(org).teams.add(sales["team"])
    run = _run(org, hr, period, django_capture_on_commit_callbacks)
    # Killed half way: the run computing, some lines written, and no worker holds its job lock.
    PayoutRun.objects.filter(pk=run.pk).update(status=RunStatus.COMPUTING, done=1)
    run.lines.exclude(membership=member).delete()
    services.run_compute(run_id=run.pk)  # the job, delivered again by the broker
    run.refresh_from_db()
    assert run.status == RunStatus.REVIEW and run.attempt == 2 and run.done == 3
    people = list(run.lines.values_list("membership_id", flat=True))
    assert len(people) == 3 and len(set(people)) == 3  # everyone once: the dead worker's lines went


def test_a_failed_run_says_why_and_blocks_a_second_run_of_its_period(org, hr, member, sales, period,
                                                                     django_capture_on_commit_callbacks):  # fmt: skip
    services.salary_set(
        org=org, actor=hr, membership=member, base=D("200000000000"), effective_from=period[0]
    )
    with pytest.raises(ValidationError), django_capture_on_commit_callbacks(execute=True):
        services.run_start(org=org, actor=hr, start=period[0], end=period[1])
    run = PayoutRun.objects.get()
    assert (
        run.status == RunStatus.FAILED and "too large to store" in run.error_text and not run.lines.exists()
    )
    with pytest.raises(ValidationError) as caught:
        services.run_start(org=org, actor=hr, start=period[0], end=period[1])  # one open run per period
    assert "compute it again" in caught.value.messages[0]
    services.salary_set(org=org, actor=hr, membership=member, base=D(30000), effective_from=period[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.run_retry(run=run, actor=hr)
    run.refresh_from_db()
    assert run.status == RunStatus.REVIEW and run.lines.get(membership=member).total == D(62000)


def test_approvers_and_adjusters_are_other_people(org, hr, admin, second_admin, member, sales, period, client,
                                                  django_capture_on_commit_callbacks):  # fmt: skip
    services.salary_set(org=org, actor=hr, membership=hr, base=D(40000), effective_from=period[0])
    services.scheme_assign(scheme=sales["scheme"], actor=hr, membership=hr)
    run = _run(org, hr, period, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as caught:
        services.run_line_adjust(line=run.lines.get(membership=hr), actor=hr, amount=D(1000), reason="Mine")
    assert "your own pay" in caught.value.messages[0]
    for amount in (D("100000000000"), D("-100000000000")):
        with pytest.raises(ValidationError) as caught:
            services.run_line_adjust(
                line=run.lines.get(membership=member), actor=hr, amount=amount, reason="x"
            )
        assert "amount" in caught.value.message_dict
    services.run_line_adjust(
        line=run.lines.get(membership=member), actor=admin, amount=D(10), reason="Rounding"
    )
    services.run_submit(run=run, actor=hr)
    with pytest.raises(ValidationError) as caught:
        services.run_approve(run=run, actor=admin)  # adjusted a line: not the one to approve it
    assert "adjusted lines" in caught.value.messages[0]
    client.force_login(admin.user)  # the page says why, and offers no approve button
    page = client.get(reverse("payout_run", args=[org.slug, run.pk])).content.decode()
    assert "You adjusted lines of this run" in page and 'data-testid="approve-run"' not in page
    client.force_login(second_admin.user)
    assert (
        'data-testid="approve-run"'
        in client.get(reverse("payout_run", args=[org.slug, run.pk])).content.decode()
    )
    services.run_approve(run=run, actor=second_admin)
    run.refresh_from_db()
    assert run.status == RunStatus.LOCKED


def test_a_failed_experiment_within_the_allowance_does_not_count_against_its_owner(org, hr, manager, member, sales,
                                                                                     period):  # fmt: skip
    start, end = period
    own = factories.goal(org, member, team=sales["team"], scope="personal", parent=sales["team_goal"], start_date=start,
                         end_date=end, base=D(90), challenge=D(100), stretch=D(130), status="active")  # fmt: skip
    tracking.entries_save(org=org, actor=manager, rows=[tracking.EntryInput(goal_id=own.pk, value="50")])
    tracking.indicators_recompute(org=org)
    before = selectors.person_payout(member=member, start=start, end=end)
    assert before.attainment == D("101.4")  # 0.6 × 118 + 0.4 × (103 + 50) / 2
    experiment = plan_services.initiative_create(org=org, actor=manager, data=InitiativeInput(
        title="Live-stream test", goal=own, owner=member, start_date=start, due_date=end, is_experiment=True))  # fmt: skip
    plan_services.initiative_progress(initiative=experiment, actor=manager, progress=20, status="failed",
                                      lesson="Audience too small on weekdays")  # fmt: skip
    after = selectors.person_payout(member=member, start=start, end=end)
    assert after.attainment == D(112)  # the goal with the tolerated experiment is left out for its owner
    assert "Live-stream test" in after.lines[0] and "allowance" in after.lines[0]


def test_a_pending_revision_shows_what_it_would_pay(org, hr, manager, member, sales, period, client):
    start, end = period
    goal_services.revision_request(goal=sales["own"], requester=member, reason="market", comment="New competitor",
                                   base=D(70), challenge=D(80), stretch=D(100), effective_from=start + timedelta(days=1))  # fmt: skip
    now = selectors.person_payout(member=member, start=start, end=end)
    revised = selectors.person_payout(member=member, start=start, end=end, pending=True)
    assert now.attainment == D(112)
    assert revised.attainment == D("122.3")  # 0.6 × 118 + 0.4 × (103 / 80 = 128.8)
    assert revised.lines[0].startswith("Pending revision of")
    assert selectors.has_pending_revisions(member=member, start=start, end=end)
    client.force_login(member.user)
    page = client.get(reverse("incentives_index", args=[org.slug]))
    assert b'data-testid="pending-revision"' in page.content


@pytest.fixture
def locked(org, hr, admin, second_admin, member, sales, period, django_capture_on_commit_callbacks):
    factories.member(org).teams.add(sales["team"])
    run = _run(org, hr, period, django_capture_on_commit_callbacks)
    services.run_line_adjust(line=run.lines.get(membership=member), actor=hr, amount=D("-2000.50"),
                             reason="=HYPERLINK(evil)")  # fmt: skip
    services.run_submit(run=run, actor=hr)
    services.run_approve(run=run, actor=second_admin)
    run.refresh_from_db()
    return run


def test_the_xlsx_export_is_byte_identical_and_adds_up(locked, member):
    first, second = io.BytesIO(), io.BytesIO()
    exports.write_xlsx(locked, first)
    time.sleep(1.1)  # a second later: the file must not carry the time it was written
    exports.write_xlsx(locked, second)
    assert first.getvalue() == second.getvalue()
    book = openpyxl.load_workbook(io.BytesIO(first.getvalue()))
    assert book.sheetnames == ["Summary", "Detail", "Explanation"]
    detail = list(book["Detail"].iter_rows(values_only=True))
    assert detail[0][:10] == ("Employee number", "Name", "Team", "Scheme", "Base salary", "Attainment %",
                              "Performance bonus", "Over-achievement commission", "Adjustment", "Total")  # fmt: skip
    rows = detail[1:]
    assert len(rows) == 2
    assert D(str(sum(r[9] for r in rows))) == locked.total
    mine = next(r for r in rows if r[1] == member.user.display_name)
    assert D(str(mine[9])) == D("59999.50") and mine[10] == "=HYPERLINK(evil)"
    reason_cell = next(
        r for r in book["Detail"].iter_rows(min_row=2) if r[1].value == member.user.display_name
    )[10]
    assert reason_cell.data_type == "s"  # the exact text, stored as text: never a formula
    summary = list(book["Summary"].iter_rows(values_only=True))
    assert summary[-1][0] == "All teams" and D(str(summary[-1][6])) == locked.total
    explanation = list(book["Explanation"].iter_rows(values_only=True))
    assert any("Attainment 112%" in str(r[3]) for r in explanation)


def test_the_csv_export_is_stable(locked, member):
    first = b"".join(exports.csv_chunks(locked))
    assert first == b"".join(exports.csv_chunks(locked))
    rows = list(csv.reader(io.StringIO(first.decode("utf-8-sig"))))
    assert rows[0][0] == "Employee number" and len(rows) == 3
    assert "'=HYPERLINK(evil)" in first.decode("utf-8-sig")  # a spreadsheet opening the CSV shows it as text
    assert sum(D(r[9]) for r in rows[1:]) == locked.total


def test_an_unapproved_run_is_not_exported(
    org, hr, sales, period, client, django_capture_on_commit_callbacks
):
    run = _run(org, hr, period, django_capture_on_commit_callbacks)
    client.force_login(hr.user)
    page = client.get(reverse("payout_run_xlsx", args=[org.slug, run.pk]))
    assert page.status_code == 302
    api = client.get(f"/api/v1/orgs/{org.slug}/payout-runs/{run.pk}/export/")
    assert api.status_code == 400 and api.json()["attr"] == "status"


def test_pages_flow_and_download(org, hr, admin, second_admin, member, sales, period, client,
                                 django_capture_on_commit_callbacks):  # fmt: skip
    client.force_login(hr.user)
    bad = client.post(reverse("payout_runs", args=[org.slug]), {"start": "2026-12-31", "end": "2026-01-01"})
    assert bad.status_code == 400 and not PayoutRun.objects.exists()
    start, end = period
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("payout_runs", args=[org.slug]), {"start": start, "end": end})
    run = PayoutRun.objects.get()
    assert started.url == reverse("payout_run", args=[org.slug, run.pk])
    line = run.lines.get(membership=member)
    url = reverse("payout_line_adjust", args=[org.slug, run.pk, line.pk])
    client.post(url, {"amount": "100", "reason": ""})
    line.refresh_from_db()
    assert line.adjustment == 0
    client.post(url, {"amount": "100", "reason": "Helped the east region"})
    line.refresh_from_db()
    assert line.adjustment == D(100)
    page = client.get(reverse("payout_run", args=[org.slug, run.pk]))
    assert "Helped the east region" in page.content.decode()
    assert client.get(reverse("payout_run", args=[org.slug, run.pk]), {"q": "a\x00b"}).status_code == 200
    assert (
        client.get(f"/api/v1/orgs/{org.slug}/payout-runs/{run.pk}/lines/", {"q": "\x00"}).status_code == 200
    )
    client.post(reverse("payout_run_decide", args=[org.slug, run.pk]), {"decision": "submit"})
    client.force_login(second_admin.user)
    client.post(reverse("payout_run_decide", args=[org.slug, run.pk]), {"decision": "approve"})
    run.refresh_from_db()
    assert run.status == RunStatus.LOCKED
    download = client.get(reverse("payout_run_xlsx", args=[org.slug, run.pk]))
    content = b"".join(download.streaming_content)
    assert download.status_code == 200 and content[:2] == b"PK"
    assert content == b"".join(
        client.get(reverse("payout_run_xlsx", args=[org.slug, run.pk])).streaming_content
    )
    client.force_login(member.user)  # the person sees their own approved payout
    mine = client.get(reverse("incentives_index", args=[org.slug]))
    assert b'data-testid="payslips"' in mine.content and "62,100" in mine.content.decode()


def test_api_flow(
    org, hr, admin, second_admin, member, sales, period, client, django_capture_on_commit_callbacks
):
    base = f"/api/v1/orgs/{org.slug}/payout-runs/"
    client.force_login(hr.user)
    start, end = period
    assert client.post(base, {"start": end, "end": start}, content_type="application/json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(base, {"start": start, "end": end}, content_type="application/json")
    assert created.status_code == 201
    run_id = created.json()["id"]
    status = client.get(f"{base}{run_id}/").json()
    assert status["status"] == "review" and status["percent_done"] == 100
    lines = client.get(f"{base}{run_id}/lines/").json()["results"]
    line = next(x for x in lines if x["member"] == member.pk)
    assert line["total"] == "62000.00" and line["explanation"]
    no_reason = client.post(f"{base}{run_id}/lines/{line['id']}/adjust/", {"amount": "5", "reason": ""},
                            content_type="application/json")  # fmt: skip
    assert no_reason.status_code == 400 and no_reason.json()["attr"] == "reason"
    adjusted = client.post(f"{base}{run_id}/lines/{line['id']}/adjust/", {"amount": "5", "reason": "Typo"},
                           content_type="application/json")  # fmt: skip
    assert adjusted.json()["total"] == "62005.00"
    assert client.post(f"{base}{run_id}/submit/").json()["status"] == "submitted"
    assert client.post(f"{base}{run_id}/approve/").status_code == 403  # HR never approves
    client.force_login(second_admin.user)
    assert client.post(f"{base}{run_id}/approve/").json()["status"] == "locked"
    assert client.post(f"{base}{run_id}/lines/{line['id']}/adjust/", {"amount": "1", "reason": "x"},
                       content_type="application/json").status_code == 400  # fmt: skip
    csv_body = b"".join(client.get(f"{base}{run_id}/export/?file=csv").streaming_content).decode("utf-8-sig")
    assert "62005.00" in csv_body
    assert client.get(f"{base}{run_id}/export/?file=pdf").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        version = client.post(f"{base}{run_id}/new-version/")
    assert version.status_code == 201 and version.json()["previous"] == run_id


def test_nobody_else_sees_the_runs(org, other_org, hr, manager, member, sales, period, client,
                                   django_capture_on_commit_callbacks):  # fmt: skip
    from incentives.models import MoneyGrant

    run = _run(org, hr, period, django_capture_on_commit_callbacks)
    line = run.lines.first()
    MoneyGrant.objects.create(org=org, membership=manager)  # a grant shows the teams' pay, not the runs
    urls = [reverse("payout_runs", args=[org.slug]), reverse("payout_run", args=[org.slug, run.pk]),
            reverse("payout_run_xlsx", args=[org.slug, run.pk]), reverse("payout_run_csv", args=[org.slug, run.pk]),
            f"/api/v1/orgs/{org.slug}/payout-runs/", f"/api/v1/orgs/{org.slug}/payout-runs/{run.pk}/",
            f"/api/v1/orgs/{org.slug}/payout-runs/{run.pk}/lines/",
            f"/api/v1/orgs/{org.slug}/payout-runs/{run.pk}/export/?file=csv"]  # fmt: skip
    for who in (member, manager):
        client.force_login(who.user)
        for url in urls:
            assert client.get(url).status_code == 403, (who.role, url)
        assert client.post(reverse("payout_line_adjust", args=[org.slug, run.pk, line.pk]),
                           {"amount": "1", "reason": "x"}).status_code == 403  # fmt: skip
    stranger = factories.member(other_org, Role.HR)
    client.force_login(stranger.user)
    for url in urls:
        assert client.get(url).status_code == 404, url
    # HR of another organisation, in their own organisation, cannot reach this run either.
    assert client.get(reverse("payout_run", args=[other_org.slug, run.pk])).status_code == 404
    assert client.get(f"/api/v1/orgs/{other_org.slug}/payout-runs/{run.pk}/lines/").status_code == 404
    line.refresh_from_db()
    assert line.adjustment == 0


def test_run_pages_and_lists_run_a_fixed_number_of_queries(org, hr, sales, period, client,
                                                           django_capture_on_commit_callbacks):  # fmt: skip
    client.force_login(hr.user)
    run = _run(org, hr, period, django_capture_on_commit_callbacks)
    services.run_line_adjust(line=run.lines.first(), actor=hr, amount=D(1), reason="pin")
    urls = [reverse("payout_runs", args=[org.slug]), reverse("payout_run", args=[org.slug, run.pk]),
            f"/api/v1/orgs/{org.slug}/payout-runs/", f"/api/v1/orgs/{org.slug}/payout-runs/{run.pk}/lines/"]  # fmt: skip
    pinned = [5, 11, 4, 5]  # the run page: +1 for what HR should check
    for url, expected in zip(urls, pinned, strict=True):
        assert_queries(expected, client, url)
    for _ in range(30):
        factories.member(org).teams.add(sales["team"])
    PayoutRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED)
    services.run_compute(run_id=run.pk)
    PayoutLine.objects.filter(run=run).update(adjusted_by=hr, adjustment_reason="pin")
    assert run.lines.count() == 31
    services.run_submit(run=run, actor=hr)
    services.run_approve(run=run, actor=factories.member(org, Role.ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            services.run_start(
                org=org, actor=hr, start=date(2025, 1, 1) + timedelta(days=n), end=date(2025, 3, 31)
            )
    for url, expected in zip(urls, pinned, strict=True):
        assert_queries(expected, client, url)


def test_run_history_is_the_audit_trail(org, hr, sales, period, django_capture_on_commit_callbacks):
    run = _run(org, hr, period, django_capture_on_commit_callbacks)
    services.run_line_adjust(line=run.lines.first(), actor=hr, amount=D(3), reason="Shown in history")
    history = selectors.run_history(run=run)
    assert history[0].action == "Line adjusted" and ("reason", "", "Shown in history") in history[0].changes
    assert history[1].action == "Lines computed" and history[0].actor == hr.user.get_full_name()


def test_the_demo_has_a_locked_run_ready_to_export(db):
    from django.core.management import call_command

    from goals.demo import demo_calendar

    call_command("seed_demo", verbosity=0)
    run = PayoutRun.objects.get(status=RunStatus.LOCKED)
    assert (run.start, run.end) == demo_calendar(run.org).previous_quarter  # 2026 Q3 when told in Q4
    assert run.lines.count() >= 5 and run.bonus_total > 0
    adjusted = run.lines.get(adjustment=D(1500))
    assert "channel partnership" in adjusted.adjustment_reason
    assert run.submitted_by.role == Role.HR and run.approved_by.role == Role.ADMIN
    first, second = io.BytesIO(), io.BytesIO()
    exports.write_xlsx(run, first)
    exports.write_xlsx(run, second)
    assert first.getvalue() == second.getvalue()


def test_a_schemes_what_if_and_its_changes(org, hr, client):
    scheme = services.scheme_save(org=org, actor=hr, data=ARTICLE)
    client.force_login(hr.user)
    url = reverse("incentive_scheme", args=[org.slug, scheme.pk])
    page = client.get(url, {"base": "30000", "attainment": "112"})
    assert (
        page.status_code == 200 and "Commission 12 points × 5% × ¥20,000 = ¥12,000." in page.content.decode()
    )
    live = client.get(url, {"base": "30000", "attainment": "130"}, HTTP_HX_REQUEST="true")
    assert "¥90,000" in live.content.decode() and b'id="curve-data"' in live.content
    bad = client.get(url, {"base": "-5", "attainment": "abc"})
    assert bad.status_code == 200 and "Enter a base salary" in bad.content.decode()
    form = {"name": "Article", "kind": "linear", "target_bonus": "25000", "threshold": "60",
            **factories.band_fields([("100", "120", "5"), ("120", "", "10")]), "cap_multiple": "0.5", "team_weight": "0.6",
            "own_weight": "0.4"}  # fmt: skip
    refused = client.post(url, form)  # a cap below the target bonus
    assert refused.status_code == 400
    scheme.refresh_from_db()
    assert scheme.target_bonus == D(20000)
    assert client.post(url, {**form, "cap_multiple": "3"}).status_code == 302
    scheme.refresh_from_db()
    assert scheme.target_bonus == D(25000)
    change = AuditEntry.objects.filter(action="scheme.update").latest("at")
    assert change.changes["target_bonus"] == ["20000.00", "25000.00"] and change.actor == hr.user


def test_the_api_preview_answers_what_a_pending_revision_would_pay(org, hr, member, sales, period, client):
    start, end = period
    goal_services.revision_request(goal=sales["own"], requester=member, reason="market", comment="New competitor",
                                   base=D(70), challenge=D(80), stretch=D(100),
                                   effective_from=start + timedelta(days=1))  # fmt: skip
    client.force_login(member.user)
    url = f"/api/v1/orgs/{org.slug}/payouts/preview/?start={start}&end={end}"
    assert client.get(url).json()["attainment"] == "112.0"
    revised = client.get(url + "&pending=true").json()
    assert revised["attainment"] == "122.3" and revised["explanation"][0].startswith("Pending revision of")
