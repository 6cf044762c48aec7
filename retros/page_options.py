"""The meeting page's <option> lists, built in Python once per page (a template loop over 40 goals
or 30 people for every action's form took more time than the rest of the page): the facilitator
picker, the goals an action may become part of, and the card form's evidence choices."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape  # the standard one: Django's adds a lazy-string wrapper per call
from typing import Any

from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from teams.models import Membership

from . import selectors


def people_options(people: Iterable[Membership], selected: int | None) -> SafeString:
    """The facilitator picker's <option>s, one a person of the team (empty for none)."""
    return mark_safe(  # noqa: S308 - escaped
        "".join(
            f'<option value="{p.pk}"{" selected" if p.pk == selected else ""}>{escape(p.user.get_full_name())}</option>'
            for p in people
        )
    )


def goal_options(goals: list[Any]) -> str:
    """The <option>s of the goals an action may become part of, rendered once for every action's
    convert form (not 40 goals × 2 dates × each action). Each distinct date is formatted once (the
    team's goals share their periods' dates)."""
    short, days = get_format("SHORT_DATE_FORMAT"), {}
    for g in goals:
        for day in (g.start_date, g.end_date):
            if day not in days:
                days[day] = escape(dateformat.format(day, short))
    return "".join(
        f'<option value="{g.pk}">{escape(g.title)} ({days[g.start_date]} – {days[g.end_date]})</option>'
        for g in goals
    )


def evidence_choices(review: selectors.GoalReview) -> list[tuple[str, Any]]:
    """The goal review's alerts, initiatives, leading metrics and revisions, grouped, as the card
    form's evidence choices (read from the review already on the page: no query)."""
    titles = {row.goal.pk: row.goal.title for row in review.results}
    groups: list[tuple[str, Any]] = [("", _("No evidence"))]
    alerts = [(f"alert:{a.alert_id}", f"{titles.get(a.goal_id, '')}: {a.kind_label} ({a.raised_on:%Y-%m-%d})")
              for a in review.alerts]  # fmt: skip
    initiatives = [(f"initiative:{i.pk}", f"{titles.get(i.goal_id, '')}: {i.title}")
                   for i in [*review.initiatives, *review.experiments]]  # fmt: skip
    metrics = [(f"metric:{m.metric_id}", f"{titles.get(m.goal_id, '')}: {m.name}") for m in review.leading]
    revision = _("revision")  # outside the f-string: makemessages does not read f-strings
    revisions = [(f"revision:{r.pk}", f"{row.goal.title}: {revision} {r.created_at:%Y-%m-%d}")
                 for row in review.results for r in row.revisions]  # fmt: skip
    for label, options in ((_("Alerts"), alerts), (_("Initiatives"), initiatives),
                           (_("Leading metrics"), metrics), (_("Revisions"), revisions)):  # fmt: skip
        if options:
            groups.append((label, options))
    return groups
