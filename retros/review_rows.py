"""The goal review's table rows as HTML, built in Python from the (cached) GoalReview: with 40
goals the template loop was the page's largest remaining one. The markup is the one the template
had (detail.html keeps the table around it); every value is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape  # the standard one: Django's adds a lazy-string wrapper per call

from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from teams.numbers import format_number, format_percent, places_of

from .selectors.review import ReviewRow


def review_rows(rows: Sequence[ReviewRow], *, goals_url: str) -> SafeString:
    """The <tr>s of the goal-review table (or its empty line)."""
    if not rows:
        empty = escape(_("No goals in this retrospective."))
        return mark_safe(f'<tr><td colspan="5" class="empty">{empty}</td></tr>')  # noqa: S308 - escaped
    t_goal, t_targets, t_actual = escape(_("Goal")), escape(_("Targets")), escape(_("Actual"))
    t_attainment, t_tier = escape(_("Attainment")), escape(_("Tier reached"))
    goals_url = escape(goals_url)
    out: list[str] = []
    for row in rows:
        g, r = row.goal, row.result
        places = places_of(g)
        revisions = ""
        for rev in row.revisions:
            day = date_format(rev.effective_from, "SHORT_DATE_FORMAT") if rev.effective_from else ""
            said = _("Revised from %(day)s: %(reason)s") % {
                "day": escape(day),
                "reason": escape(str(rev.get_reason_display())),
            }
            revisions += (
                f'<br><small class="muted">{said} — {escape(Truncator(rev.comment).chars(80))}</small>'
            )
        in_force = r.in_force if r else None
        targets = (
            " / ".join(
                format_number(v, places) for v in (in_force.base, in_force.challenge, in_force.stretch)
            )
            if in_force
            else "—"
        )
        actual = format_number(r.actual if r else None, places)
        attainment = format_percent(r.attainment if r else None)
        tier = (r.tier if r else "") or "none"
        out.append(
            f'<tr><td data-label="{t_goal}"><a href="{goals_url}{g.pk}/">{escape(g.title)}</a>\n{revisions}</td>\n'
            f'<td data-label="{t_targets}">{escape(targets)}</td>\n<td data-label="{t_actual}">{escape(actual)}</td>\n'
            f'<td data-label="{t_attainment}">{escape(attainment)}</td>\n'
            f'<td data-label="{t_tier}"><span class="badge tier-{escape(str(tier))}">{escape(row.tier_label)}</span></td></tr>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value escaped above


def burnup_rows(rows: Sequence[ReviewRow], *, retro_url: str) -> SafeString:
    """The goals' burn-up <details>, each loading its chart when opened (hx-get `?burnup=<goal>`)."""
    t_loading, t_actual = escape(_("Loading…")), escape(_("Actual"))
    retro_url = escape(retro_url)
    out: list[str] = []
    for row in rows:
        g, r = row.goal, row.result
        summary = escape(g.title)
        if r:
            summary += f" · {t_actual} {escape(format_number(r.actual, places_of(g)))} · {escape(str(row.tier_label))}"
        out.append(
            f'\n    <details class="burnup-figure" hx-get="{retro_url}?burnup={g.pk}" hx-trigger="toggle once" '
            f'hx-target="find .burnup-slot" hx-swap="innerHTML">\n      <summary>{summary}</summary>\n'
            f'      <div class="burnup-slot" aria-live="polite"><p class="muted">{t_loading}</p></div></details>'
        )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above
