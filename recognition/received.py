"""What a person was recognised for, offered to other apps through
`teams.hooks.recognition_received_providers` (e.g. the people app's one-on-one facts, which never
import this app): their stars of the month, how many colleagues nominated them each month (never
who: a nomination's author is for managers, HR and admins) and their training and promotion notes.
Three queries whatever the history."""

from __future__ import annotations

from datetime import date

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from teams.hooks import RecognitionReceived
from teams.models import Membership, Organization

from .models import GrowthReward, Nomination, RewardKind, Star

LIMIT = 10


def received_recognition(org: Organization, member: Membership, since: date) -> list[RecognitionReceived]:
    month = since.replace(day=1)
    board = reverse("honour_board", args=[org.slug])
    items = [
        RecognitionReceived(
            text=_("Star of the month (%(month)s) in %(team)s: %(citation)s")
            % {"month": f"{s.month:%Y-%m}", "team": s.team.name, "citation": s.citation},
            when=s.month,
            url=board,
        )  # fmt: skip
        for s in Star.objects.filter(org=org, member=member, month__gte=month)
        .select_related("team")
        .order_by("-month")[:LIMIT]
    ]
    nominations = (
        Nomination.objects.filter(org=org, nominee=member, month__gte=month)
        .values("month").annotate(n=Count("pk")).order_by("-month")[:LIMIT]
    )  # fmt: skip
    items += [
        RecognitionReceived(
            text=ngettext(
                "%(n)s colleague nominated them for star of the month (%(month)s)",
                "%(n)s colleagues nominated them for star of the month (%(month)s)",
                row["n"],
            )
            % {"n": row["n"], "month": f"{row['month']:%Y-%m}"},
            when=row["month"],
        )  # fmt: skip
        for row in nominations
    ]
    growth = reverse("recognition_growth", args=[org.slug])
    for reward in GrowthReward.objects.filter(org=org, member=member, created_at__date__gte=since).order_by(
        "-created_at", "-id"
    )[:LIMIT]:
        kind = _("Training opportunity") if reward.kind == RewardKind.TRAINING else _("Promotion track")
        items.append(
            RecognitionReceived(text=f"{kind}: {reward.title}", when=reward.created_at.date(), url=growth)
        )
    return items
