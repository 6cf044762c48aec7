"""A closed retro's exports (Markdown, PDF, XLSX) from the page and the API, and anonymity: the
author of an anonymous card appears in no page, API answer, export or audit entry."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from retros import services
from teams.models import AuditEntry, Role
from tests import factories
from tests.conftest import login
from tests.tracking.test_reviews import pdf_text

pytestmark = pytest.mark.django_db


def api(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person.user)
    return client


def _closed(retro, boss, zhang, li):
    cause = services.card_add(
        retro=retro, actor=zhang, kind="cause", category="external", text="东区竞争对手降价"
    )
    services.vote_toggle(card=cause, actor=li)
    services.lesson_add(retro=retro, actor=boss, kind="try", text="新客户群：中小企业")
    services.action_add(
        retro=retro, actor=boss, description="增加东区推广预算", owner=li, due_date=retro.period_end
    )
    return services.retro_close(retro=retro, actor=boss, summary="落后约10%，原因是竞争")


def _export(client, org, retro, fmt):
    return client.get(reverse("retro_export", args=[org.slug, retro.pk, fmt]))


def test_a_closed_retro_downloads_as_markdown_pdf_and_xlsx_from_its_page(org, retro, boss, zhang, li):
    closed = _closed(retro, boss, zhang, li)
    page = login(zhang).get(reverse("retro_detail", args=[org.slug, retro.pk]))
    assert reverse("retro_export", args=[org.slug, retro.pk, "pdf"]) in page.content.decode()
    md = _export(login(zhang), org, closed, "md")
    assert md.status_code == 200 and md["Content-Type"].startswith("text/markdown")
    assert "attachment" in md["Content-Disposition"]
    text = md.content.decode()
    for expected in (
        "落后约10%，原因是竞争",
        "东区竞争对手降价",
        "Zhang San",
        "新客户群：中小企业",
        "增加东区推广预算",
        "Li Si",
    ):
        assert expected in text
    pdf = _export(login(zhang), org, closed, "pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and b"STSong-Light" in pdf.content
    shown = pdf_text(pdf.content)
    assert "东区竞争对手降价" in shown and "增加东区推广预算" in shown
    book = load_workbook(io.BytesIO(_export(login(zhang), org, closed, "xlsx").content))
    cards, actions = book.worksheets
    assert [c.value for c in cards[2]][3:6] == ["东区竞争对手降价", "Zhang San", 1]
    assert [c.value for c in actions[2]][:2] == ["增加东区推广预算", "Li Si"]
    assert (
        _export(login(zhang), org, closed, "xlsx").content
        == _export(login(boss), org, closed, "xlsx").content
    )


def test_an_open_retro_does_not_export_and_says_why(org, retro, boss):
    client = login(boss)
    response = _export(client, org, retro, "md")
    assert response.status_code == 302
    shown = client.get(response["Location"]).content.decode()
    assert "Close the retrospective first" in shown
    answer = api(boss).get(f"/api/v1/orgs/{org.slug}/retros/{retro.pk}/export/", {"file": "md"})
    assert answer.status_code == 400 and answer.json()["attr"] == "state"
    assert _export(login(boss), org, retro, "docx").status_code == 404


def test_the_api_exports_every_format_and_refuses_an_unknown_one(org, retro, boss, zhang, li):
    closed = _closed(retro, boss, zhang, li)
    url = f"/api/v1/orgs/{org.slug}/retros/{closed.pk}/export/"
    assert api(zhang).get(url).content.decode().startswith("# ")  # Markdown by default
    assert api(zhang).get(url, {"file": "pdf"}).content.startswith(b"%PDF")
    assert api(zhang).get(url, {"file": "xlsx"}).content.startswith(b"PK")
    for bad in ("doc", ""):
        response = api(zhang).get(url, {"file": bad})
        assert response.status_code == 400 and response.json()["attr"] == "file"


def test_someone_outside_the_team_exports_the_record_without_the_cards(org, retro, boss, zhang, li):
    closed = _closed(retro, boss, zhang, li)
    reader = factories.member(org, Role.VIEWER, name="Reader Only")
    text = _export(login(reader), org, closed, "md").content.decode()
    assert "增加东区推广预算" in text and "东区竞争对手降价" not in text
    book = load_workbook(io.BytesIO(_export(login(reader), org, closed, "xlsx").content))
    assert book.worksheets[0].max_row == 1  # the header only


def test_an_anonymous_cards_author_appears_nowhere(org, anonymous_retro, boss, zhang, li):
    """Page, API (list, create, edit, vote), every export and the audit trail: no name, no id."""
    retro = anonymous_retro
    base = f"/api/v1/orgs/{org.slug}"
    created = api(zhang).post(f"{base}/retro-cards/", {"retro": retro.pk, "kind": "cause", "category": "resources",
                              "text": "人手不够", "token": "anon-1"}, format="json")  # fmt: skip
    assert created.status_code == 201 and created.json()["author"] is None
    card_id = created.json()["id"]
    edited = api(zhang).patch(f"{base}/retro-cards/{card_id}/", {"text": "人手严重不够"}, format="json")
    assert edited.status_code == 200
    api(li).post(f"{base}/retro-cards/{card_id}/vote/")
    api(boss).post(f"{base}/retro-cards/{card_id}/group/", {"group_label": "资源"}, format="json")
    traces = {"Zhang San", str(zhang.user.email), f'"author": {zhang.pk}', f'"author":{zhang.pk}'}

    def assert_clean(content: str, where: str) -> None:
        for trace in traces:
            assert trace not in content, f"{where} names the author ({trace})"

    for person in (boss, li, zhang):
        listed = api(person).get(f"{base}/retro-cards/", {"retro": retro.pk})
        assert listed.json()["results"][0]["author_name"] == "Anonymous"
        assert_clean(listed.content.decode(), "the API list")
    assert_clean(edited.content.decode(), "the API edit")
    # The pages: a teammate's whole page, and the facilitator's live board (their full page offers
    # every person of the team as an action owner, which names nobody as the card's author).
    page = login(li).get(reverse("retro_detail", args=[org.slug, retro.pk]))
    assert "人手严重不够" in page.content.decode()
    assert_clean(page.content.decode(), "a teammate's page")
    board = login(boss).get(
        reverse("retro_detail", args=[org.slug, retro.pk]), headers={"HX-Request": "true"}
    )
    assert "人手严重不够" in board.content.decode()
    assert_clean(board.content.decode(), "the live board")
    services.retro_close(retro=retro, actor=boss, summary="资源不足")
    assert_clean(
        login(boss).get(reverse("retro_detail", args=[org.slug, retro.pk])).content.decode(),
        "the closed page",
    )
    for fmt in ("md", "xlsx", "pdf"):
        body = _export(login(boss), org, retro, fmt).content
        assert b"Zhang San" not in body
        if fmt == "md":
            assert "人手严重不够" in body.decode() and "Anonymous" in body.decode()
        if fmt == "pdf":
            assert "Zhang San" not in pdf_text(body) and "人手严重不够" in pdf_text(body)
        if fmt == "xlsx":
            values = [
                c.value for row in load_workbook(io.BytesIO(body)).worksheets[0].iter_rows() for c in row
            ]
            assert "人手严重不够" in values and "Zhang San" not in values and "Anonymous" in values
    entries = AuditEntry.objects.filter(action__startswith="retro_card")
    assert {e.action for e in entries} >= {"retro_card.create", "retro_card.update"}
    for entry in entries:
        assert entry.actor is None and str(zhang.pk) not in json.dumps(entry.changes)


def test_exports_are_written_in_chinese_for_a_chinese_reader(org, anonymous_retro, boss, zhang):
    from django.utils import translation

    from retros import exports, selectors

    services.card_add(retro=anonymous_retro, actor=zhang, kind="cause", category="external", text="政策变化")
    closed = services.retro_close(retro=anonymous_retro, actor=boss, summary="外部环境变化")
    with translation.override("zh-hans"):
        data = selectors.retro_export(retro=closed, member=boss)
        text = exports.retro_markdown(data)
        shown = pdf_text(exports.retro_pdf(data, org_name=org.name))
        sheets = load_workbook(io.BytesIO(exports.retro_xlsx(data))).sheetnames
    assert "## 目标回顾" in text and "## 结果分析" in text and "匿名" in text and "Zhang San" not in text
    assert "经验提炼" in shown and "政策变化" in shown and "匿名" in shown
    assert sheets == ["卡片", "行动计划"]
