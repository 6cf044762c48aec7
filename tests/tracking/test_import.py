"""Metric values from a CSV / XLSX file: all or nothing, every bad cell by row and column,
checked and stored in the background with its progress shown."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from goals import services as goal_services
from teams.selectors import org_today
from tests import factories
from tests.conftest import login
from tracking import services
from tracking.models import ImportJob, MetricEntry


@pytest.fixture
def goal(org, manager, member):
    team = factories.team(org, "Operations", managers=[manager])
    member.teams.add(team)
    today = org_today(org)
    goal = factories.goal(org, manager, team=team, title="New users", start_date=today - timedelta(days=30),
                          end_date=today + timedelta(days=60), status="active")  # fmt: skip
    goal_services.supporting_metric_save(goal=goal, actor=manager, kind="leading", name="Content pushes",
                                         weekly_target=D(20))  # fmt: skip
    return goal


def csv_file(lines: list[str], name: str = "values.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode("utf-8"), content_type="text/csv")


def test_a_clean_file_is_imported_once_however_often_it_is_sent(
    org, member, goal, django_capture_on_commit_callbacks
):
    day = org_today(org).isoformat()
    lines = ["goal,metric,day,value,person,external_id,note",
             f"{goal.pk},,{day},1850,{member.user.email.upper()},bi-1,Campaign",
             f"{goal.pk},Content pushes,{day},6,,bi-2,",
             "", f"{goal.pk},,{day},\"1,200\",,,"]  # fmt: skip
    client = login(member)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("values_import", args=[org.slug]), {"file": csv_file(lines[:4])})
        assert response.status_code == 302
    job = ImportJob.objects.order_by("-pk").first()
    assert (job.state, job.created, job.updated, job.unchanged) == (
        "done",
        0,
        0,
        2,
    ) and job.processed == job.total
    assert MetricEntry.objects.count() == 2
    entry = MetricEntry.objects.get(external_id="bi-1")
    assert entry.member == member and entry.source == "import" and entry.value == D(1850)
    assert MetricEntry.objects.get(external_id="bi-2").supporting_metric.name == "Content pushes"
    page = client.get(reverse("import_job", args=[org.slug, job.pk])).content.decode()
    assert "Imported: 0 new, 0 updated, 2 unchanged." in page and "hx-trigger" not in page


def test_every_bad_cell_is_reported_by_row_and_column_and_nothing_is_imported(org, member, goal, other_org, outsider,
                                                                              django_capture_on_commit_callbacks):  # fmt: skip
    foreign = factories.goal(other_org, outsider, status="active")
    day = org_today(org).isoformat()
    lines = ["goal,metric,day,value,person", f"{goal.pk},,{day},10,", "", f"{goal.pk},,24/11/2026,10,",
             f"{goal.pk},Visits,{day},ten,nobody@example.com", f"{foreign.pk},,{day},1,"]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        login(member).post(reverse("values_import", args=[org.slug]), {"file": csv_file(lines)})
    job = ImportJob.objects.get()
    assert job.state == "failed" and not MetricEntry.objects.exists()
    found = {(e["row"], e["column"]) for e in job.errors}
    assert found == {(4, "day"), (5, "metric"), (5, "value"), (5, "person"), (6, "goal")}
    page = login(member).get(reverse("import_job", args=[org.slug, job.pk])).content.decode()
    assert "5 problems found; nothing was imported." in page and "Enter a date as YYYY-MM-DD." in page


def test_wrong_columns_and_unreadable_files_are_refused_at_once(org, member, goal):
    client = login(member)
    url = reverse("values_import", args=[org.slug])
    wrong = client.post(url, {"file": csv_file(["goal,date,amount", "1,2026-11-24,3"])})
    assert wrong.status_code == 400 and "missing columns: day, value" in wrong.content.decode()
    assert "unknown columns: date, amount" in wrong.content.decode()
    junk = client.post(
        url, {"file": SimpleUploadedFile("values.xlsx", b"not a zip", content_type="application/zip")}
    )
    assert junk.status_code == 400 and "could not be read as a table" in junk.content.decode()
    empty = client.post(url, {"file": csv_file(["goal,day,value"])})
    assert empty.status_code == 400 and "The file has no values." in empty.content.decode()
    assert client.post(url, {}).status_code == 400
    assert not ImportJob.objects.exists()


def test_xlsx_with_real_dates_and_a_progress_page_while_it_runs(org, member, goal):
    book = Workbook()
    sheet = book.active
    sheet.append(["goal", "day", "value"])
    today = org_today(org)
    for n in range(12):
        sheet.append([goal.pk, today - timedelta(days=n), 100 + n])  # dates and numbers as Excel keeps them
    out = io.BytesIO()
    book.save(out)
    job = services.import_start(org=org, actor=member, filename="values.xlsx", content=out.getvalue())
    page = (
        login(member)
        .get(reverse("import_job", args=[org.slug, job.pk]), HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert (
        'hx-trigger="every 1s"' in page and "0 of 12 rows checked" in page
    )  # not run yet: the worker has it
    services.import_run(job_id=job.pk)
    assert services.import_run(job_id=job.pk).state == "done"  # a duplicated job does nothing more
    assert MetricEntry.objects.count() == 12 and MetricEntry.objects.filter(day=today).get().value == D(100)


def test_other_organisations_imports_are_invisible(org, member, goal, other_org, outsider):
    job = ImportJob.objects.create(org=org, created_by=member, filename="x.csv", total=1)
    assert login(outsider).get(reverse("import_job", args=[other_org.slug, job.pk])).status_code == 404
