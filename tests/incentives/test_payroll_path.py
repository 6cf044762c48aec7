"""HR's payroll path: a run says who has no base salary or employee number and whether its period
has ended; the XLSX is ready for payroll (widths, frozen header, filter, employee numbers)."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal as D

import openpyxl
from django.contrib.messages import get_messages
from django.urls import reverse

from incentives import exports, services
from incentives.models import PayoutRun, RunStatus
from tests import factories
from tests.incentives import test_runs
from tracking.selectors import org_today

# The payout runs' fixtures: an HR person, the article's sales team and scheme, a period, a locked run.
hr, sales, period, second_admin, locked = (test_runs.hr, test_runs.sales, test_runs.period,
                                           test_runs.second_admin, test_runs.locked)  # fmt: skip
_run = test_runs._run


def _codes(body):
    return {w["code"]: w for w in body["warnings"]}


def test_a_run_names_the_people_without_a_base_salary_or_an_employee_number(
    org, hr, member, sales, period, client, django_capture_on_commit_callbacks
):
    newcomer = factories.member(org, name="Newcomer Ng")
    newcomer.teams.add(sales["team"])
    member.employee_number = "E042"
    member.save()
    run = _run(org, hr, period, django_capture_on_commit_callbacks)
    assert run.lines.get(membership=newcomer).base == 0
    client.force_login(hr.user)
    page = client.get(reverse("payout_run", args=[org.slug, run.pk])).content.decode()
    no_salary = page.split('data-testid="warning-no_salary"')[1].split("</li>")[0]
    no_number = page.split('data-testid="warning-no_employee_number"')[1].split("</li>")[0]
    assert (
        "no base salary" in no_salary
        and "Newcomer Ng" in no_salary
        and member.user.get_full_name() not in no_salary
    )
    assert "no employee number" in no_number and "Newcomer Ng" in no_number
    assert member.user.get_full_name() not in no_number
    detail = _codes(client.get(f"/api/v1/orgs/{org.slug}/payout-runs/{run.pk}/").json())
    people = [p["member"] for p in detail["no_salary"]["people"]]
    assert newcomer.pk in people and member.pk not in people and detail["no_salary"]["count"] == len(people)
    assert newcomer.pk in [p["member"] for p in detail["no_employee_number"]["people"]]
    # HR sets the salaries and computes the run again: the warning goes.
    for line in run.lines.exclude(membership=member):
        services.salary_set(
            org=org, actor=hr, membership=line.membership, base=D(20000), effective_from=period[0]
        )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("payout_run_decide", args=[org.slug, run.pk]), {"decision": "retry"})
    run.refresh_from_db()
    assert run.status == RunStatus.REVIEW and run.lines.get(membership=newcomer).base == D(20000)
    assert "no_salary" not in _codes(client.get(f"/api/v1/orgs/{org.slug}/payout-runs/{run.pk}/").json())


def test_the_explanation_says_when_no_base_salary_is_recorded(org, hr, sales, period,
                                                              django_capture_on_commit_callbacks):  # fmt: skip
    newcomer = factories.member(org, name="Newcomer Ng")
    newcomer.teams.add(sales["team"])
    run = _run(org, hr, period, django_capture_on_commit_callbacks)
    assert any("No base salary" in text for text in run.lines.get(membership=newcomer).explanation)


def test_a_run_for_a_period_that_has_not_ended_warns_when_started_and_on_its_page(
    org, hr, sales, period, client, django_capture_on_commit_callbacks
):
    client.force_login(hr.user)
    start, end = period  # ends in 60 days
    runs_page = client.get(reverse("payout_runs", args=[org.slug])).content.decode()
    assert 'data-testid="period-open"' in runs_page  # the current quarter has not ended either
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("payout_runs", args=[org.slug]), {"start": start, "end": end})
    flashed = [str(m) for m in get_messages(started.wsgi_request)]
    assert any("has not ended" in text for text in flashed), flashed
    run = PayoutRun.objects.get()
    page = client.get(reverse("payout_run", args=[org.slug, run.pk])).content.decode()
    assert "has not ended" in page.split('data-testid="warning-period_open"')[1].split("</li>")[0]
    assert "period_open" in _codes(client.get(f"/api/v1/orgs/{org.slug}/payout-runs/{run.pk}/").json())
    # A period that is over gives no such warning.
    today = org_today(org)
    with django_capture_on_commit_callbacks(execute=True):
        past = services.run_start(
            org=org, actor=hr, start=today - timedelta(days=120), end=today - timedelta(days=30)
        )
    body = client.get(f"/api/v1/orgs/{org.slug}/payout-runs/{past.pk}/").json()
    assert "period_open" not in _codes(body) and "period_open" not in str(body["warnings"])


def test_the_runs_list_of_the_api_carries_no_warnings(
    org, hr, sales, period, client, django_capture_on_commit_callbacks
):
    _run(org, hr, period, django_capture_on_commit_callbacks)
    client.force_login(hr.user)
    listed = client.get(f"/api/v1/orgs/{org.slug}/payout-runs/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert rows and "warnings" not in rows[0]


def test_the_xlsx_is_ready_for_payroll(member, request):
    member.employee_number = "E042"
    member.save()
    run = request.getfixturevalue("locked")
    out = io.BytesIO()
    exports.write_xlsx(run, out)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    detail = book["Detail"]
    assert detail.freeze_panes == "C2"  # header row and the number and name stay in view
    assert detail.auto_filter.ref == f"A1:K{detail.max_row}"
    assert detail.column_dimensions["A"].width >= 12 and detail.column_dimensions["B"].width >= 16
    assert detail.column_dimensions["K"].width >= 30
    numbers = [row[0] for row in detail.iter_rows(min_row=2, values_only=True)]
    assert member.employee_number in numbers
    summary = book["Summary"]
    assert summary.freeze_panes == "A5" and summary.column_dimensions["A"].width >= 16
    explanation = book["Explanation"]
    assert explanation.freeze_panes == "A2" and explanation.auto_filter.ref.startswith("A1:D")
    assert explanation.column_dimensions["D"].width >= 60


def test_the_demo_people_have_employee_numbers_on_their_payout_lines(db):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    run = PayoutRun.objects.filter(org__slug="demo", status=RunStatus.LOCKED).latest("end")
    numbers = list(run.lines.values_list("employee_number", flat=True))
    assert numbers and all(numbers) and len(set(numbers)) == len(numbers)
