"""The demo carries the article's retrospectives: the sales team 10 % behind for competition in the
key region with its two actions carried into this quarter's goal, the e-commerce team's live
streaming made a regular channel, the operations quarter's published lessons, and a failure share
with one tolerated experiment. Seeding twice changes nothing."""

from __future__ import annotations

from django.core.management import call_command

from goals.demo import SALES_DEALS
from retros import selectors
from retros.demo import SALES, SHOP
from retros.models import Card, Lesson, RetroAction, Retrospective, RetroState
from teams.models import Membership


def counts():
    return (
        Retrospective.objects.count(),
        Card.objects.count(),
        Lesson.objects.count(),
        RetroAction.objects.count(),
    )


def test_demo_retros(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    sales = Retrospective.objects.get(team__name=SALES)
    assert sales.state == RetroState.CLOSED and "10%" in sales.summary
    assert Card.objects.filter(retro=sales, kind="cause", category="external").exists()
    actions = RetroAction.objects.filter(retro=sales)
    assert actions.count() == 2 and {a.goal.title for a in actions} == {SALES_DEALS}
    shop = Retrospective.objects.get(team__name=SHOP)
    live = Lesson.objects.get(retro=shop, published=True, text__contains="直播")
    assert live.stage == "standard" and live.owner.user.email == "shop@stretch.demo" and live.review_on
    assert live.watched_goal.status == "active"  # its watched indicator, this quarter
    share = Retrospective.objects.get(kind="failure_share")
    review = selectors.goal_review(retro=share)
    assert len(review.experiments) == 1 and review.experiments[0].lesson
    published = Lesson.objects.filter(retro=share, published=True, evidence_goal__isnull=False)
    assert published.count() == 1  # the failure share published its experiment to the knowledge base
    operations = Retrospective.objects.get(kind="quarter")
    assert Lesson.objects.filter(retro=operations, published=True).count() == 2
    # Drafting next quarter's user-growth goal of the operations team offers them, and one of them was
    # applied to this quarter's goal.
    from goals.hooks import GoalDraft

    draft = GoalDraft(org=operations.org, team_id=operations.team_id, parent_id=None, title="下季度新增注册用户",
                      metric_name="New registered users", unit="users")  # fmt: skip
    [panel] = selectors.lessons_for_draft(draft)
    offered = {lesson.retro_id for lesson in panel.context["lessons"]}
    assert operations.pk in offered and sum(lesson.applied for lesson in panel.context["lessons"]) >= 1
    # The sales manager's next retro of the team would bring the two open actions back.
    manager = Membership.objects.get(user__email="sales.manager@stretch.demo")
    page = selectors.retro_page(retro=sales, member=manager)
    assert len(page.board.actions) == 2
    before = counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == before
