from __future__ import annotations

import io
from datetime import date
from decimal import Decimal as D

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
        + f",User acquisition,5 channel partners,{member.user.email},2026-10-08,2026-11-11,no,,legal,P1,0\n"
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
    first, second = client.get(url).content, client.get(url).content
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
    assert login(member).post(url, {"file": SimpleUploadedFile("plan.csv", b"")}).status_code == 403
