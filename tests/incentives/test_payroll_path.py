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
from incentives.models import BonusScheme, PayoutRun, RunStatus
from teams.selectors import org_today
from tests import factories
from tests.incentives import test_runs

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


ARTICLE_FORM = {"name": "Article", "kind": "linear", "target_bonus": "20000", "threshold": "60",
                "team_weight": "0.6", "own_weight": "0.4"}  # fmt: skip


def test_the_scheme_form_shows_bands_as_rows_in_percent(org, hr, client):
    scheme = services.scheme_save(org=org, actor=hr, data=test_runs.ARTICLE)
    client.force_login(hr.user)
    page = client.get(reverse("incentive_scheme", args=[org.slug, scheme.pk])).content.decode()
    editor = page.split('data-testid="band-editor"')[1].split("</fieldset>")[0]
    assert 'name="bands-0-start" value="100"' in editor and 'name="bands-0-end" value="120"' in editor
    assert 'name="bands-0-rate" value="5"' in editor and 'name="bands-1-rate" value="10"' in editor
    assert "0.05" not in page and "0.10" not in page
    listing = client.get(reverse("incentive_schemes", args=[org.slug])).content.decode()
    assert "100–120%: 5%" in listing and "120–…%: 10%" in listing and "0.05" not in listing
    new_form = listing.split('data-testid="band-editor"')[1].split("</fieldset>")[
        0
    ]  # the article's, to start from
    assert 'name="bands-0-rate" value="5"' in new_form and 'name="bands-1-start" value="120"' in new_form


def test_band_rows_are_saved_from_percent_and_refused_row_by_row(org, hr, client):
    client.force_login(hr.user)
    url = reverse("incentive_schemes", args=[org.slug])
    bad = client.post(
        url, {**ARTICLE_FORM, **factories.band_fields([("100", "90", "5"), ("110", "", "150")])}
    )
    assert bad.status_code == 400 and not BonusScheme.objects.exists()
    html = bad.content.decode()
    row0, row1 = (
        html.split('data-testid="band-row-0"')[1].split("</tbody>")[0],
        html.split('data-testid="band-row-1"')[1].split("</tbody>")[0],
    )
    assert "“To” must be above “from” (100 %)." in row0 and 'value="90"' in row0
    assert "A rate is between 0 % and 100 %." in row1 and 'value="150"' in row1 and 'value="110"' in row1
    overlap = client.post(
        url, {**ARTICLE_FORM, **factories.band_fields([("100", "120", "5"), ("110", "", "10")])}
    )
    row1 = overlap.content.decode().split('data-testid="band-row-1"')[1].split("</tbody>")[0]
    assert overlap.status_code == 400 and "Overlaps the band before it, which ends at 120 %." in row1
    first = client.post(url, {**ARTICLE_FORM, **factories.band_fields([("90", "", "5")])})
    assert "The first band starts at 100 %" in first.content.decode().split('data-testid="band-row-0"')[1]
    ok = client.post(url, {**ARTICLE_FORM, **factories.band_fields([("120", "", "10 %"), ("100", "120", "5%"),
                                                                      ("", "", "")])})  # fmt: skip
    assert ok.status_code == 302
    assert BonusScheme.objects.get().bands == [["100", "120", "0.05"], ["120", None, "0.1"]]


def test_band_rows_are_added_and_removed_without_javascript(org, hr, client):
    scheme = services.scheme_save(org=org, actor=hr, data=test_runs.ARTICLE)
    client.force_login(hr.user)
    url = reverse("incentive_scheme", args=[org.slug, scheme.pk])
    rows = factories.band_fields([("100", "120", "5"), ("120", "", "10")], initial=2)
    added = client.post(url, {**ARTICLE_FORM, **rows, "add_band": "1"})
    html = added.content.decode()
    assert added.status_code == 200 and 'data-testid="band-row-2"' in html and 'name="bands-2-start"' in html
    assert (
        'name="bands-1-start" value="120"' in html and "field-error" not in html
    )  # what was typed, no errors yet
    scheme.refresh_from_db()
    assert scheme.bands == [["100", "120", "0.05"], ["120", None, "0.10"]]  # nothing saved
    removed = client.post(url, {**ARTICLE_FORM, **rows, "bands-1-DELETE": "on", "bands-0-end": ""})
    assert removed.status_code == 302
    scheme.refresh_from_db()
    assert scheme.bands == [["100", None, "0.05"]]


def test_the_api_names_the_band_row_that_is_wrong(org, hr, client):
    client.force_login(hr.user)
    body = {"name": "API", "kind": "linear", "target_bonus": "1000", "threshold": "60",
            "bands": [["100", "120", "0.05"], ["125", None, "0.1"]]}  # fmt: skip
    answer = client.post(f"/api/v1/orgs/{org.slug}/bonus-schemes/", body, content_type="application/json")
    assert answer.status_code == 400
    attrs = {e["attr"]: e["detail"] for e in answer.json()["errors"]}
    assert "bands" in attrs and "gap" in attrs["bands.1.start"]


def test_the_run_history_reads_amounts_as_money(org, hr, sales, period, django_capture_on_commit_callbacks):
    from incentives import selectors

    run = _run(org, hr, period, django_capture_on_commit_callbacks)
    services.run_line_adjust(line=run.lines.first(), actor=hr, amount=D("1234.5"), reason="Helped the east")
    adjusted = selectors.run_history(run=run)[0]
    assert ("adjustment", "0.00", "1,234.50") in adjusted.changes
    assert any(field == "total" and "," in str(after) for field, _before, after in adjusted.changes)
