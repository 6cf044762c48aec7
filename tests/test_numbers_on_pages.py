"""Numbers on the pages read as a person writes them, in English and in Chinese: grouped by
thousands (30,000,000), at the figure's precision (never the stored 12125.0000), and a tier that
was not reached reads as words, never "None"."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from goals.models import Goal
from incentives.models import PayoutRun, RunStatus
from teams.models import Membership, Team
from tracking.models import TierReached

RAW_DECIMALS = re.compile(r"\d\.\d{3,}(?!\d*%)")  # 12125.0000, 136737.4286 (1.0000 too)
NONE = re.compile(r"\bNone\b")
UNGROUPED = re.compile(r"(?<![\w.,/#:-])\d{5,}(?![\d\w])")  # 30000000 (not a date, id or number E00012)


def visible_text(html: str) -> str:
    """What a reader sees: no scripts, styles, tags or attribute values. The History panels are
    left out here: they are sentences of their own, with their own test."""
    html = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    html = re.sub(r'<ul class="history".*?</ul>', " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _page(email: str, url: str, language: str) -> str:
    membership = Membership.objects.select_related("user").get(org__slug="demo", user__email=email)
    membership.user.language = language
    membership.user.save(update_fields=["language"])
    client = Client()
    client.force_login(membership.user)
    response = client.get(url)
    assert response.status_code == 200, url
    return visible_text(response.content.decode())


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    org = "demo"
    ops = Team.objects.get(org__slug=org, name__startswith="Operations")
    sales = Team.objects.get(org__slug=org, name__startswith="Sales 销售团队")
    users_goal = Goal.objects.get(org__slug=org, team=ops, title__contains="200,000")
    deal_goal = Goal.objects.filter(org__slug=org, team=sales, unit="¥").latest("end_date")
    run = PayoutRun.objects.filter(org__slug=org, status=RunStatus.LOCKED).latest("end")
    manager, member, hr = "manager@stretch.demo", "member@stretch.demo", "hr@stretch.demo"
    return [
        (manager, reverse("goals_index", args=[org]), ["30,000,000", "200,000"]),
        (manager, reverse("goal_detail", args=[org, users_goal.pk]), ["200,000", "240,000"]),
        (manager, reverse("goal_detail", args=[org, deal_goal.pk]), []),
        (manager, reverse("team_dashboard", args=[org, ops.pk]), []),
        (manager, reverse("team_dashboard", args=[org, sales.pk]), []),
        (manager, reverse("tracking_index", args=[org]), []),
        (manager, reverse("goal_values", args=[org, users_goal.pk]), []),
        (manager, reverse("goal_values", args=[org, deal_goal.pk]), []),
        (manager, reverse("weekly_review", args=[org, ops.pk]), []),
        (manager, reverse("monthly_review", args=[org, sales.pk]), []),
        (member, reverse("my_work", args=[org]), []),
        (member, reverse("incentives_index", args=[org]), ["30,000.00"]),
        (hr, reverse("payout_runs", args=[org]), []),
        (hr, reverse("payout_run", args=[org, run.pk]), []),
        (hr, reverse("incentive_schemes", args=[org]), ["30,000.00"]),
    ]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_pages_show_numbers_grouped_and_rounded_and_tiers_in_words(demo, language):
    found_large = False
    for email, url, expected in demo:
        text = _page(email, url, language)
        assert not RAW_DECIMALS.findall(text), (url, RAW_DECIMALS.findall(text)[:5])
        assert not NONE.findall(text), url
        assert not UNGROUPED.findall(text), (url, UNGROUPED.findall(text)[:5])
        for figure in expected:
            assert figure in text, (url, figure)
        found_large = found_large or bool(re.search(r"\d{1,3}(,\d{3})+", text))
    assert found_large


def test_a_tier_not_reached_reads_as_words():
    with translation.override("en"):
        assert str(TierReached.NONE.label) == "Below base"
    with translation.override("zh-hans"):
        assert str(TierReached.NONE.label) == "未达基础目标"
