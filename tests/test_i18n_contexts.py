"""Short English words that mean different things get their own translation (pgettext): the
payout run's From / To are the period's start and end, not a budget transfer's 调出 / 调入."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils import translation

from incentives.forms import RunForm
from plans import services as plan_services
from teams.forms import InviteForm, ProfileForm
from teams.models import Role
from tests import factories
from tests.conftest import login


def _chinese(membership):
    membership.user.language = "zh-hans"
    membership.user.save(update_fields=["language"])
    return login(membership)


def test_the_payout_run_form_asks_for_the_period_in_chinese(org):
    with translation.override("zh-hans"):
        form = RunForm(org=org)
        labels = (str(form["start"].label), str(form["end"].label))
    assert labels == ("开始日期", "结束日期")


def test_the_payout_runs_page_in_chinese_shows_period_words_not_transfer_words(org):
    hr = factories.member(org, Role.HR, name="何人力")
    html = _chinese(hr).get(reverse("payout_runs", args=[org.slug])).content.decode()
    assert '<label for="id_start">开始日期' in html and '<label for="id_end">结束日期' in html
    assert "调出" not in html and "调入" not in html


def test_the_budget_move_still_says_transfer_out_and_in(org):
    manager = factories.member(org, Role.MANAGER, name="陈经理")
    team = factories.team(org, "Operations", managers=[manager])
    goal = factories.goal(org, manager, team=team, start_date=date(2027, 1, 1), end_date=date(2027, 3, 31))
    for title in ("线上推荐活动", "渠道合作"):
        plan_services.initiative_create(
            org=org, actor=manager,
            data=plan_services.InitiativeInput(title=title, goal=goal, owner=manager, start_date=date(2027, 1, 4),
                                               due_date=date(2027, 1, 31), budget=Decimal(5000)),
        )  # fmt: skip
    html = _chinese(manager).get(reverse("goal_plan", args=[org.slug, goal.pk])).content.decode()
    assert '<label class="visually-hidden" for="move-source">调出</label>' in html
    assert '<label class="visually-hidden" for="move-target">调入</label>' in html


def test_a_persons_name_is_not_a_things_name():
    with translation.override("zh-hans"):
        assert str(InviteForm.base_fields["display_name"].label) == "姓名"
        assert str(ProfileForm.base_fields["display_name"].label) == "姓名"


def test_the_tier_none_and_a_pending_delivery_read_right():
    from goals.models import Revision
    from tracking.models import Delivery, TierReached

    with translation.override("zh-hans"):
        assert str(TierReached.NONE.label) == "未达基础目标"  # a word, never "None"
        assert str(Revision.State.PENDING.label) == "待审批"
        assert str(Delivery.State.PENDING.label) == "待发送"
