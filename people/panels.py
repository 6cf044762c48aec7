"""The home page card (teams.hooks.home_panel_providers): the pulse waiting for this person, with
its questions right there — a tap each and send, without leaving the landing page."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from teams.hooks import HomePanel
from teams.selectors import org_today

from .forms import PulseAnswerForm
from .models import Pulse, PulseParticipation
from .questions import question
from .selectors.pulses import ANSWERING_ROLES

PANEL_LIMIT = 10


def pulse_home_panel(request: Any) -> list[HomePanel]:
    """One query when nothing waits (the open pulses for me not answered yet), two with a pulse
    (its questions), none for viewers."""
    member = getattr(request, "membership", None)
    if member is None or member.role not in ANSWERING_ROLES:
        return []
    today = org_today(member.org)
    answered = PulseParticipation.objects.filter(member=member).values("pulse_id")
    waiting = list(
        Pulse.objects.filter(org_id=member.org_id, opens_on__lte=today, closes_on__gte=today)
        .filter(Q(team__isnull=True) | Q(team__members=member)).exclude(pk__in=answered)
        .select_related("team").order_by("closes_on", "pk")[:PANEL_LIMIT]
    )  # fmt: skip
    if not waiting:
        return []
    pulse = waiting[0]
    bank = [q for q in (question(p.key, pulse.bank_version) for p in pulse.questions.all()) if q is not None]
    form = PulseAnswerForm(questions=bank, auto_id="home_q_%s")
    return [HomePanel("people/_home_pulse.html", {"pulse": pulse, "form": form, "more": len(waiting) - 1})]
