"""A one-on-one held across two screens and a pulse answered from the landing page, in 中文:
陈经理 prepares the one-on-one on a desktop, 张三 joins it on a 360×740 phone (she ticks a point
and gives her feeling), 陈经理 marks it held and the point not reached carries over — she sees it
on her phone. Then 张三 answers the open pulse straight from the home page card on her phone (timed),
makes her calendar address and the feed answers; HR reads the plotly trend on a desktop. Every page
is checked with axe-core and left as a screenshot."""

from __future__ import annotations

import random
import time
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from people import services
from people.models import PulseAnswer, PulseParticipation
from teams.models import Role
from teams.selectors import org_today
from tests import factories

from .test_main_flows_zh import LANGUAGE, check, field, sign_in, zh

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


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
    # Four closed weekly pulses of the team (answers carry no person), and this week's, open.
    rng = random.Random(3)
    for week in range(4, 0, -1):
        day = today - timedelta(days=7 * week)
        past = services.pulse_make(org=org, team=ops, opens_on=day, closes_on=day + timedelta(days=2), threshold=5,
                                   actor=people["hr"])  # fmt: skip
        PulseAnswer.objects.bulk_create([PulseAnswer(org=org, pulse=past, question=q, team=ops,
                                                     score=max(1, min(5, 4 - (4 - week) // 2 + rng.choice((-1, 0, 1)))))
                                         for q in past.questions.all() for _n in range(6)])  # fmt: skip
    schedule = services.schedule_create(actor=people["manager"], team=ops, cadence="weekly", next_on=today,
                                        days_open=3, threshold=5)  # fmt: skip
    (pulse_id,) = services.scheduled_pulses_open(org=org, today=today)
    return {"org": org, "ops": ops, "series": series, "pulse_id": pulse_id, "schedule": schedule, **people}


def test_one_on_one_on_two_screens_and_a_pulse_from_the_home_page(open_page, acme):
    desktop = open_page("desktop", locale="zh-CN")
    phone = open_page("phone", locale="zh-CN")
    manager, zhang = acme["manager"], acme["zhang"]

    # 陈经理 prepares on his desktop.
    sign_in(desktop, manager)
    desktop.goto("/o/acme/people/")
    desktop.get_by_test_id("series").get_by_role("link").click()
    meeting_url = desktop.url
    agenda = desktop.get_by_test_id("agenda-form")
    for point in ("第二季度的目标拆解", "培训预算"):
        field(agenda, "Talking point").fill(point)
        agenda.get_by_role("button", name=zh("Add talking point")).click()
        expect(desktop.get_by_test_id("agenda")).to_contain_text(point)
    check(desktop, "one-on-one-desktop-manager")

    # 张三 joins on her phone: ticks the first point, gives her feeling.
    sign_in(phone, zhang)
    phone.goto(meeting_url)
    expect(phone.get_by_test_id("agenda-item")).to_have_count(2)
    phone.get_by_test_id("agenda-item").first.get_by_role("button").click()
    expect(phone.get_by_test_id("agenda-item").first).to_have_class("agenda-item done")
    feeling = phone.get_by_test_id("feeling-form")
    feeling.get_by_label(zh("3 · OK")).check()
    feeling.get_by_role("button", name=zh("Save feeling")).click()
    expect(phone.get_by_test_id("feeling")).to_have_text(zh("Feeling: %(n)s of 5", n=3))
    check(phone, "one-on-one-phone-member")

    # 陈经理 marks it held on the desktop; the point not reached carries over, on her phone too.
    desktop.reload()
    desktop.get_by_test_id("hold").click()
    expect(desktop.get_by_test_id("agenda")).to_contain_text("培训预算")
    expect(desktop.get_by_test_id("agenda")).not_to_contain_text("第二季度的目标拆解")
    check(desktop, "one-on-one-next-desktop")
    phone.goto("/o/acme/people/")
    phone.get_by_test_id("series").get_by_role("link").click()
    expect(phone.get_by_test_id("agenda")).to_contain_text("培训预算")
    check(phone, "one-on-one-next-phone")

    # The pulse, straight from the landing page on her phone: a tap per question, timed.
    phone.goto("/o/acme/")
    card = phone.get_by_test_id("home-pulse")
    expect(card).to_be_visible()
    check(phone, "home-pulse-phone")
    started = time.monotonic()
    questions = card.get_by_test_id("pulse-question")
    for index in range(questions.count()):
        questions.nth(index).get_by_text("2", exact=True).click()
    card.get_by_role("button", name=zh("Send anonymously")).click()
    expect(phone.locator(".message-success")).to_have_text(
        zh("Thank you: your answers are in, without your name.")
    )
    assert time.monotonic() - started < 30
    expect(phone.get_by_test_id("home-pulse")).to_have_count(0)
    assert phone.url.endswith("/o/acme/")
    assert PulseParticipation.objects.filter(pulse_id=acme["pulse_id"], member=zhang).exists()
    check(phone, "home-pulse-answered-phone")

    # Her calendar address, on the phone; the feed answers with iCalendar to the secret alone.
    phone.goto("/o/acme/people/calendar/")
    phone.get_by_role("button", name=zh("Make my calendar address")).click()
    url = phone.get_by_test_id("feed-url").input_value()
    check(phone, "calendar-phone")
    response = open_page("desktop").request.get(url)
    assert response.status == 200 and response.headers["content-type"].startswith("text/calendar")
    assert (
        "BEGIN:VEVENT" in response.text() and zh("One-on-one with %(name)s", name="陈经理") in response.text()
    )

    # HR reads the team's trend, drawn by plotly from the local static files, with its table.
    sign_in(desktop, acme["hr"])
    desktop.goto("/o/acme/people/pulses/")
    expect(desktop.get_by_test_id("pulse-schedule")).to_have_count(1)
    check(desktop, "pulses-hr-desktop")
    desktop.get_by_test_id("pulse-list").get_by_role("link").nth(1).click()
    expect(desktop.get_by_test_id("pulse-trend-chart").locator(".main-svg").first).to_be_visible()
    expect(desktop.get_by_test_id("trend").locator("table")).to_be_visible()
    check(desktop, "pulse-trend-desktop")
