"""One-on-ones and a pulse in the browser, in 中文, on a desktop and on a 360×740 phone: 陈经理
prepares a one-on-one with 张三 (a talking point, an action, his private note); 张三 opens it, sees the shared
agenda and the facts but not his note, adds her own point and the feeling check; then she answers
the pulse with a tap per question. Every page is checked with axe-core and left as a screenshot."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from people import services
from people.models import AgendaItem, PulseAnswer
from teams.models import Role
from teams.selectors import org_today
from tests import factories

from .test_main_flows_zh import LANGUAGE, check, field, sign_in, zh

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["desktop", "phone"])
def screen(request, open_page):
    return open_page(request.param, locale="zh-CN")


@pytest.fixture
def acme():
    org = factories.organization(name="Acme Growth", slug="acme", creator=factories.user(name="创始人"))
    ops = factories.team(org, "运营团队")
    people = {
        "hr": factories.member(org, Role.HR, name="王芳"),
        "manager": factories.member(org, Role.MANAGER, name="陈经理", teams=[ops]),
        "zhang": factories.member(org, Role.MEMBER, name="张三", teams=[ops]),
    }
    ops.managers.add(people["manager"])
    for membership in people.values():
        membership.user.language = LANGUAGE
        membership.user.save(update_fields=["language"])
    today = org_today(org)
    series = services.series_start(actor=people["manager"], team=ops, member=people["zhang"], cadence="biweekly",
                                   next_date=today)  # fmt: skip
    pulse = services.pulse_create(actor=people["hr"], team=None, opens_on=today, closes_on=today)
    return {"org": org, "ops": ops, "series": series, "pulse": pulse, **people}


def test_a_one_on_one_and_a_pulse_on_a_desktop_and_a_phone_in_chinese(screen, acme):
    page, manager, zhang = screen, acme["manager"], acme["zhang"]

    sign_in(page, manager)
    page.goto("/o/acme/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("One-on-ones"))
    check(page, "people-index-manager")
    page.get_by_test_id("series").get_by_role("link").click()
    expect(page.get_by_test_id("meeting-card")).to_be_visible()
    agenda = page.get_by_test_id("agenda-form")
    field(agenda, "Talking point").fill("第二轮裂变活动的预算")
    agenda.get_by_role("button", name=zh("Add talking point")).click()
    expect(page.get_by_test_id("agenda")).to_contain_text("第二轮裂变活动的预算")
    actions = page.get_by_test_id("action-form")
    field(actions, "Action").fill("和财务确认设计预算")
    field(actions, "Owner").select_option(label="陈经理")
    actions.get_by_role("button", name=zh("Add action")).click()
    expect(page.get_by_test_id("actions")).to_contain_text("和财务确认设计预算")
    note = page.get_by_test_id("note-form")
    field(note, "My private note").fill("张三最近有些疲惫")
    note.get_by_role("button", name=zh("Save my note")).click()
    expect(page.locator(".message-success")).to_have_text(zh("Your private note is saved."))
    check(page, "people-meeting-manager")

    sign_in(page, zhang)
    page.goto("/o/acme/people/")
    page.get_by_test_id("series").get_by_role("link").click()
    expect(page.get_by_test_id("agenda")).to_contain_text("第二轮裂变活动的预算")
    expect(page.get_by_test_id("actions")).to_contain_text("和财务确认设计预算")
    expect(page.locator("body")).not_to_contain_text("张三最近有些疲惫")  # his note is his alone
    feeling = page.get_by_test_id("feeling-form")
    feeling.get_by_label("4 · " + zh("4 · Good").split("· ")[1]).check()
    feeling.get_by_role("button", name=zh("Save feeling")).click()
    expect(page.get_by_test_id("feeling")).to_have_text(zh("Feeling: %(n)s of 5", n=4))
    agenda = page.get_by_test_id("agenda-form")
    field(agenda, "Talking point").fill("渠道合作的法务审核太慢")
    agenda.get_by_role("button", name=zh("Add talking point")).click()
    expect(page.get_by_test_id("agenda-item")).to_have_count(2)
    check(page, "people-meeting-member")
    assert AgendaItem.objects.filter(author=zhang).count() == 1

    # The pulse: a tap per question, in well under 30 seconds.
    page.goto("/o/acme/people/pulses/")
    check(page, "pulses-member")
    started = time.monotonic()
    page.get_by_test_id("pulse-to-answer").get_by_role("link").click()
    questions = page.get_by_test_id("pulse-question")
    expect(questions.first).to_be_visible()
    for index in range(questions.count()):
        questions.nth(index).get_by_text("4", exact=True).click()
    check(page, "pulse-answer")
    page.get_by_role("button", name=zh("Send anonymously")).click()
    expect(page.locator(".message-success")).to_have_text(
        zh("Thank you: your answers are in, without your name.")
    )
    assert time.monotonic() - started < 30
    assert PulseAnswer.objects.count() == acme["pulse"].questions.count()
    expect(page.get_by_test_id("to-answer")).to_contain_text(zh("No pulse waiting for you."))
    check(page, "pulses-answered")
    assert re.search(r"/people/pulses/$", page.url)
