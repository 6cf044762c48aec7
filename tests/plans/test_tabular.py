from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal as D

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from plans import services
from plans.models import Initiative
from plans.services import InitiativeInput
from tests import factories
from tests.conftest import login


def make_plan(org, manager, member):
    goal = factories.goal(org, manager, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
    services.initiative_create(org=org, actor=manager, data=InitiativeInput(
        title="3 online referral campaigns", goal=goal, owner=member, start_date=date(2026, 10, 1),
        due_date=date(2026, 10, 28), dimension_name="User acquisition", budget=D("5000"), needs=["design"],
        priority="P0"))  # fmt: skip
    services.initiative_create(org=org, actor=manager, data=InitiativeInput(
        title="Community operations", goal=goal, owner=member, start_date=date(2026, 10, 1), ongoing=True,
        dimension_name="User retention", needs=["customer_service"]))  # fmt: skip
    return goal


def test_export_round_trips_through_import(org, manager, member):
    goal = make_plan(org, manager, member)
    client = login(manager)
    csv_bytes = client.get(reverse("plan_export", args=[org.slug, goal.pk, "csv"])).content
    text = csv_bytes.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("id,goal_dimension,initiative,owner_email")
    assert "3 online referral campaigns" in text and "5000.00" in text and "yes" in text
    edited = (
        text.replace("5000.00", "6000.00")
        + f",User acquisition,5 channel partners,{member.user.email},,2026-10-08,2026-11-11,no,,legal,,P1,0\n"
    )
    upload = SimpleUploadedFile("plan.csv", edited.encode("utf-8"), content_type="text/csv")
    response = client.post(reverse("plan_import", args=[org.slug, goal.pk]), {"file": upload})
    assert response.status_code == 302
    assert Initiative.objects.filter(goal=goal).count() == 3
    assert Initiative.objects.get(title="3 online referral campaigns").budget == D("6000.00")
    assert Initiative.objects.get(title="5 channel partners").needs == ["legal"]


def test_xlsx_export_is_byte_identical_and_readable(org, manager, member):
    goal = make_plan(org, manager, member)
    client = login(manager)
    url = reverse("plan_export", args=[org.slug, goal.pk, "xlsx"])
    with time_machine.travel(datetime(2026, 11, 20, 4, 0, 0, tzinfo=UTC), tick=False):
        first = client.get(url).content
    with time_machine.travel(datetime(2026, 11, 20, 4, 0, 3, tzinfo=UTC), tick=False):
        second = client.get(url).content  # three seconds later: the zip's times are whole seconds
    assert first == second
    sheet = load_workbook(io.BytesIO(first)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("id", "goal_dimension", "initiative") and len(rows) == 3
    upload = SimpleUploadedFile("plan.xlsx", first)
    assert client.post(reverse("plan_import", args=[org.slug, goal.pk]), {"file": upload}).status_code == 302


def test_a_bad_file_reports_every_cell_and_imports_nothing(org, manager, member):
    goal = make_plan(org, manager, member)
    before = list(Initiative.objects.values_list("title", "budget"))
    body = (
        "id,goal_dimension,initiative,owner_email,start,due,ongoing,budget,resource_needs,priority,progress\n"
        f",Acquisition,Good row,{member.user.email},2026-10-05,2026-10-20,no,100,,P1,0\n"
        f",Acquisition,Bad dates,{member.user.email},2026-10-20,2026-10-05,no,,,P1,0\n"
        ",Acquisition,Unknown owner,nobody@example.com,01/10/2026,,no,-5,astrology,P7,150\n"
    )
    response = login(manager).post(reverse("plan_import", args=[org.slug, goal.pk]),
                                   {"file": SimpleUploadedFile("plan.csv", body.encode())})  # fmt: skip
    assert response.status_code == 400
    errors = {(e.row, e.column) for e in response.context["cell_errors"]}
    assert {
        (3, "due"),
        (4, "owner_email"),
        (4, "start"),
        (4, "resource_needs"),
        (4, "priority"),
        (4, "progress"),
    } <= errors
    assert (
        list(Initiative.objects.values_list("title", "budget")) == before
    )  # nothing imported, not even row 2


def test_wrong_columns_and_unreadable_files(org, manager, member):
    goal = make_plan(org, manager, member)
    client = login(manager)
    url = reverse("plan_import", args=[org.slug, goal.pk])
    wrong = client.post(url, {"file": SimpleUploadedFile("plan.csv", b"name,owner\nx,y\n")})
    assert wrong.status_code == 400 and "missing columns" in wrong.content.decode()
    garbage = client.post(url, {"file": SimpleUploadedFile("plan.xlsx", b"not a spreadsheet")})
    assert garbage.status_code == 400 and "could not be read" in garbage.content.decode()
    other = client.post(url, {"file": SimpleUploadedFile("plan.pdf", b"%PDF")})
    assert other.status_code == 400
    assert client.get(reverse("plan_export", args=[org.slug, goal.pk, "pdf"])).status_code == 404
    empty = client.post(url, {"file": SimpleUploadedFile("plan.csv", b"")})
    assert empty.status_code == 400 and "The file is empty." in empty.content.decode()
    assert login(member).post(url, {"file": SimpleUploadedFile("plan.csv", b"")}).status_code == 403


HEADER = "id,goal_dimension,initiative,owner_email,squad,start,due,ongoing,budget,resource_needs,needs_note,priority,progress\n"


def post_file(client, org, goal, body: str | bytes, name: str = "plan.csv"):
    content = body.encode("utf-8") if isinstance(body, str) else body
    return client.post(
        reverse("plan_import", args=[org.slug, goal.pk]), {"file": SimpleUploadedFile(name, content)}
    )


def csv_export(client, org, goal) -> str:
    return client.get(reverse("plan_export", args=[org.slug, goal.pk, "csv"])).content.decode("utf-8-sig")


def test_changing_the_progress_of_a_failed_experiment_is_reported_not_a_500(org, manager, member):
    """The review's repro: close an experiment as failed at 30 %, export, set progress 0, import."""
    goal = make_plan(org, manager, member)
    experiment = services.initiative_create(org=org, actor=manager, data=InitiativeInput(
        title="Live-stream test", goal=goal, owner=member, start_date=date(2026, 10, 5),
        due_date=date(2026, 10, 20), is_experiment=True))  # fmt: skip
    services.initiative_progress(initiative=experiment, actor=manager, progress=30, status="failed",
                                 lesson="Weekday audience too small")  # fmt: skip
    client = login(manager)
    text = csv_export(client, org, goal)
    line = next(x for x in text.splitlines() if "Live-stream test" in x)
    response = post_file(client, org, goal, text.replace(line, line[: line.rindex(",")] + ",0"))
    assert response.status_code == 302  # a closed experiment stays closed with its lesson: nothing to refuse
    experiment.refresh_from_db()
    assert (experiment.status, experiment.progress, experiment.lesson) == (
        "failed",
        0,
        "Weekday audience too small",
    )


def test_a_progress_change_the_service_refuses_is_a_cell_error_and_nothing_is_saved(
    org, manager, member, monkeypatch
):
    from django.core.exceptions import ValidationError

    from plans import tabular

    goal = make_plan(org, manager, member)
    client = login(manager)
    text = csv_export(client, org, goal)
    lines = text.splitlines()
    lines[1] = lines[1][: lines[1].rindex(",")] + ",40"
    monkeypatch.setattr(tabular.services, "progress_errors", lambda **kw: {"lesson": ["Record the lesson."]})
    response = post_file(client, org, goal, "\n".join(lines).replace("5000.00", "7000.00") + "\n")
    assert response.status_code == 400
    assert [(e.row, e.column, e.message) for e in response.context["cell_errors"]] == [
        (2, "progress", "Record the lesson.")
    ]
    assert Initiative.objects.get(title="3 online referral campaigns").budget == D("5000.00")

    # Backstop: if a service still refuses while saving, the import answers 400 and saves nothing.
    monkeypatch.setattr(tabular.services, "progress_errors", lambda **kw: {})

    def refuse(**kwargs):
        raise ValidationError({"lesson": ["Record the lesson."]})

    monkeypatch.setattr(tabular.services, "initiative_progress", refuse)
    response = post_file(client, org, goal, "\n".join(lines).replace("5000.00", "7000.00") + "\n")
    assert (
        response.status_code == 400
        and "Nothing was imported: Record the lesson." in response.content.decode()
    )
    assert Initiative.objects.get(title="3 online referral campaigns").budget == D("5000.00")


def test_too_long_text_is_a_cell_error_not_a_database_error(org, manager, member):
    goal = make_plan(org, manager, member)
    body = HEADER + (
        f",{'D' * 121},{'T' * 250},{member.user.email},,2026-10-05,2026-10-20,no,,,{'N' * 201},P1,0\n"
    )
    response = post_file(login(manager), org, goal, body)
    assert response.status_code == 400
    errors = {(e.row, e.column): e.message for e in response.context["cell_errors"]}
    assert errors[(2, "initiative")] == "At most 200 characters (this one has 250)."
    assert errors[(2, "goal_dimension")] == "At most 120 characters (this one has 121)."
    assert errors[(2, "needs_note")] == "At most 200 characters (this one has 201)."
    assert Initiative.objects.filter(goal=goal).count() == 2


def test_rows_are_numbered_as_the_spreadsheet_numbers_them_and_report_every_problem(org, manager, member):
    goal = make_plan(org, manager, member)
    first = Initiative.objects.filter(goal=goal).first()
    body = (
        HEADER
        + f",Acquisition,Good,{member.user.email},,2026-10-05,2026-10-20,no,,,,P1,0\n"
        + ",,,,,,,,,,,,\n"  # a blank line is row 3
        + f",Acquisition,Bad due,{member.user.email},,2026-10-05,31/10/2026,no,,,,P1,0\n"
        + ",Acquisition,Nobody,nobody@example.com,,2026-10-20,2026-10-05,no,-5,,,P1,0\n"
        + f",Acquisition,Bad start,{member.user.email},,01/10/2026,,no,-5,,,P1,0\n"
        + f"{first.pk},Acquisition,Twice,{member.user.email},,2026-10-05,2026-10-20,no,,,,P1,0\n"
        + f"{first.pk},Acquisition,Twice again,{member.user.email},,2026-10-05,2026-10-20,no,,,,P1,0\n"
    )
    response = post_file(login(manager), org, goal, body)
    assert response.status_code == 400
    errors = {(e.row, e.column) for e in response.context["cell_errors"]}
    assert (4, "due") in errors and (3, "due") not in errors
    assert {
        (5, "owner_email"),
        (5, "budget"),
        (5, "due"),
    } <= errors  # unknown owner: the rest is still checked
    assert {
        (6, "start"),
        (6, "budget"),
        (6, "due"),
    } <= errors  # bad start: budget and missing due still reported
    assert (8, "id") in errors and (7, "id") not in errors
    message = next(e.message for e in response.context["cell_errors"] if e.row == 8)
    assert "already on row 7" in message
    assert Initiative.objects.filter(goal=goal).count() == 2


def test_re_import_keeps_squad_and_note_and_carries_them_as_columns(org, manager, member):
    goal = make_plan(org, manager, member)
    squad = services.squad_create(org=org, actor=manager, name="Growth squad", lead=member, members=[])
    services.squad_create(org=org, actor=manager, name="Other squad", lead=manager, members=[])
    item = Initiative.objects.get(title="3 online referral campaigns")
    services.initiative_update(initiative=item, actor=manager, data=InitiativeInput(
        title=item.title, goal=goal, owner=member, start_date=item.start_date, due_date=item.due_date,
        dimension_name="User acquisition", budget=item.budget, needs=item.needs, priority=item.priority,
        squad=squad, needs_note="Two video editors"))  # fmt: skip
    client = login(manager)
    text = csv_export(client, org, goal)
    assert "Growth squad" in text and "Two video editors" in text
    # An older export without the squad and note columns keeps both.
    old_header = (
        "id,goal_dimension,initiative,owner_email,start,due,ongoing,budget,resource_needs,priority,progress\n"
    )
    old_row = f"{item.pk},User acquisition,{item.title},{member.user.email},2026-10-01,2026-10-28,no,5500,design,P0,0\n"
    assert post_file(client, org, goal, old_header + old_row).status_code == 302
    item.refresh_from_db()
    assert (item.squad, item.needs_note, item.budget) == (squad, "Two video editors", D("5500.00"))
    # The columns change them; an unknown squad is a cell error.
    changed = text.replace("Growth squad", "other SQUAD").replace("Two video editors", "One editor")
    assert post_file(client, org, goal, changed).status_code == 302
    item.refresh_from_db()
    assert (item.squad.name, item.needs_note) == ("Other squad", "One editor")
    bad = post_file(client, org, goal, text.replace("Growth squad", "Nope"))
    assert {(e.column, e.message) for e in bad.context["cell_errors"]} == {
        ("squad", "No squad with this name in the organisation.")
    }


def test_formulas_are_never_written_and_the_round_trip_is_lossless(org, manager, member):
    goal = make_plan(org, manager, member)
    titles = ['=HYPERLINK("http://evil","x")', "+1+2", "-minus", "@SUM(A1)", "'quoted", "'=both"]
    for title in titles:
        services.initiative_create(org=org, actor=manager, data=InitiativeInput(
            title=title, goal=goal, owner=member, start_date=date(2026, 10, 5), due_date=date(2026, 10, 20),
            dimension_name="=Dimension"))  # fmt: skip
    client = login(manager)
    xlsx = client.get(reverse("plan_export", args=[org.slug, goal.pk, "xlsx"])).content
    sheet = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert not [
        c.value for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))
    ]
    text = csv_export(client, org, goal)
    assert "\n=" not in text and ",=" not in text and ",+" not in text and ",@" not in text
    before = sorted(Initiative.objects.filter(goal=goal).values_list("title", "dimension__name"))
    for upload in (SimpleUploadedFile("plan.xlsx", xlsx), SimpleUploadedFile("plan.csv", text.encode())):
        assert (
            client.post(reverse("plan_import", args=[org.slug, goal.pk]), {"file": upload}).status_code == 302
        )
        assert sorted(Initiative.objects.filter(goal=goal).values_list("title", "dimension__name")) == before
    assert set(titles) <= {t for t, _d in before}


def test_csv_from_excel_on_chinese_windows_is_read_as_gb18030(org, manager, member):
    goal = make_plan(org, manager, member)
    body = (
        HEADER
        + f",用户获取,策划 3 场线上裂变活动,{member.user.email},,2026-10-05,2026-10-20,否,,design,设计,P1,0\n"
    )
    response = post_file(login(manager), org, goal, body.encode("gb18030"))
    assert response.status_code == 302
    assert Initiative.objects.get(title="策划 3 场线上裂变活动").dimension.name == "用户获取"


def test_the_xlsx_keeps_budgets_and_progress_as_numbers(org, manager, member):
    """A budget is a number a spreadsheet can add up (shown as 5,000.00), never text; the file
    still imports back."""
    goal = make_plan(org, manager, member)
    client = login(manager)
    xlsx = client.get(reverse("plan_export", args=[org.slug, goal.pk, "xlsx"])).content
    sheet = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    header = [c.value for c in sheet[1]]
    budget = sheet.cell(row=2, column=header.index("budget") + 1)
    assert budget.data_type == "n" and budget.value == 5000 and budget.number_format == "#,##0.00"
    assert sheet.cell(row=3, column=header.index("budget") + 1).value is None  # no budget: an empty cell
    assert sheet.cell(row=2, column=header.index("progress") + 1).data_type == "n"
    upload = SimpleUploadedFile("plan.xlsx", xlsx)
    assert client.post(reverse("plan_import", args=[org.slug, goal.pk]), {"file": upload}).status_code == 302
    assert Initiative.objects.get(title="3 online referral campaigns").budget == D("5000.00")
