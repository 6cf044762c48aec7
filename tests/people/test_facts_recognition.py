"""The prepared facts' recognition received (through the recognition app's hook: people never
imports it) and the error-tolerance allowance left with the failed experiments of the quarter."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from goals.periods import quarter_containing
from people import selectors
from people.talking_points import talking_points
from plans.models import Initiative, Status
from recognition.models import GrowthReward, Nomination, RewardKind, Star
from tests import factories
from tests.conftest import login


def _experiment(org, goal, owner, title, finished, lesson="Too few visitors on weekdays"):
    return Initiative.objects.create(org=org, goal=goal, owner=owner, title=title, start_date=finished,
                                     baseline_start=finished, is_experiment=True, status=Status.FAILED,
                                     finished_at=finished, lesson=lesson)  # fmt: skip


def test_recognition_received_is_shown_to_both_without_who_nominated(
    org, ops, series, lead, zhang, li, today
):
    month = today.replace(day=1)
    Star.objects.create(org=org, team=ops, month=month, member=zhang, citation="Closed the Q4 backlog")
    Nomination.objects.create(org=org, month=month, nominator=li, nominee=zhang, reason="Secret reason")
    Nomination.objects.create(org=org, month=month, nominator=lead, nominee=zhang, reason="Another reason")
    GrowthReward.objects.create(org=org, member=zhang, kind=RewardKind.TRAINING, title="Negotiation course")
    old = (month - timedelta(days=400)).replace(day=1)
    Star.objects.create(org=org, team=ops, month=old, member=zhang, citation="Long ago")
    Nomination.objects.create(org=org, month=month, nominator=zhang, nominee=li, reason="Given, not received")

    facts = selectors.prepared_facts(org=org, member=zhang)
    texts = [r.text for r in facts.recognition]
    assert len(texts) == 3, texts
    assert any("Closed the Q4 backlog" in t and "Operations" in t for t in texts)
    assert any(t.startswith("2 colleagues nominated") for t in texts)
    assert any("Negotiation course" in t for t in texts)
    page = reverse("people_series", args=[org.slug, series.pk])
    for person in (zhang, lead):
        html = login(person).get(page).content.decode()
        assert "Closed the Q4 backlog" in html and "Negotiation course" in html
        assert "Secret reason" not in html and "Li Si" not in html and "Long ago" not in html


def test_the_allowance_left_and_the_failed_experiments_of_the_quarter(org, ops, series, lead, zhang, today):
    org.experiment_allowance = 1
    org.save(update_fields=["experiment_allowance"])
    goal = factories.goal(org, zhang, actor=lead, team=ops, scope="team", status="active")
    start, _end = quarter_containing(today, start_month=org.fiscal_year_start_month)
    _experiment(org, goal, zhang, "Weekday live stream", start)
    before = selectors.prepared_facts(org=org, member=zhang).experiments
    assert before.allowance == 1 and before.remaining == 0 and [e.within for e in before.failed] == [True]
    _experiment(org, goal, zhang, "Pop-up stand", start, lesson="")
    _experiment(org, goal, zhang, "Last quarter's flyer", start - timedelta(days=1))
    facts = selectors.prepared_facts(org=org, member=zhang)
    assert [(e.title, e.within) for e in facts.experiments.failed] == [
        ("Weekday live stream", True), ("Pop-up stand", False)]  # fmt: skip
    assert facts.experiments.remaining == 0
    points = [s.text for s in talking_points(facts, org_slug=org.slug)]
    assert any("Pop-up stand" in p and "teach" in p for p in points)
    html = login(zhang).get(reverse("people_series", args=[org.slug, series.pk])).content.decode()
    assert "0 failed experiments still within the allowance" in html
    assert "Weekday live stream" in html and "within allowance" in html and "beyond allowance" in html
    assert "Too few visitors on weekdays" in html and "Last quarter" not in html


def test_an_unused_allowance_and_no_recognition(org, series, lead, zhang):
    org.experiment_allowance = 2
    org.save(update_fields=["experiment_allowance"])
    facts = selectors.prepared_facts(org=org, member=zhang)
    assert facts.recognition == [] and facts.experiments.remaining == 2 and facts.experiments.failed == []
    html = login(lead).get(reverse("people_series", args=[org.slug, series.pk])).content.decode()
    assert "2 failed experiments still within the allowance" in html
    assert "No recognition in the last six months." in html and "No failed experiments this quarter." in html
