"""The demo carries recognition: a star of the month with its nomination, 张三 resolving 李四's
blockers, a training opportunity and a promotion-track note, and the operations team's afternoon
tea for a recent week (the article's example 6). Seeding twice changes nothing."""

from __future__ import annotations

from django.core.management import call_command

from recognition.demo import AFTERNOON_TEA, OPERATIONS
from recognition.models import EarnedReward, GrowthReward, InstantRewardRule, Nomination, Star
from tracking.models import Standup


def counts():
    return (Star.objects.count(), Nomination.objects.count(), GrowthReward.objects.count(),
            InstantRewardRule.objects.count(), EarnedReward.objects.count())  # fmt: skip


def test_demo_recognition(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    star = Star.objects.select_related("team", "member__user").get()
    assert star.team.name == OPERATIONS and star.member.user.email == "member@stretch.demo" and star.citation
    nomination = Nomination.objects.get(nominee=star.member, month=star.month)
    assert nomination.reason and nomination.nominator.user.email == "lisi@stretch.demo"
    assert star.evidence["nominations"] == 1
    assert set(GrowthReward.objects.values_list("kind", flat=True)) == {"training", "promotion"}
    reward = EarnedReward.objects.select_related("team").get()
    assert reward.team.name == OPERATIONS and reward.reward == AFTERNOON_TEA and reward.evidence["met"]
    assert Standup.objects.filter(blocker_resolved_by=star.member).exists()
    before = counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == before
