"""The action plan's rows as HTML, built in Python: each action of the meeting with its "mark done"
form and, for the team's managers, its convert form (the goals' <option>s rendered once by the
view). With ten actions the template loop, with two forms an action, was the page's largest
remaining one. The markup is the one the template had (detail.html keeps the list around it); every
value is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape  # the standard one: Django's adds a lazy-string wrapper per call

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .models import ActionStatus, RetroAction


def action_rows(
    actions: Sequence[RetroAction],
    *,
    org_slug: str,
    member_id: int,
    can_manage: bool,
    convert_goals: str,
    csrf_token: str,
) -> SafeString:
    """The <li>s of the action plan (or its empty line). `convert_goals` is the goals' <option>s
    (already escaped), empty when the actions cannot be converted here."""
    if not actions:
        empty = escape(_("No actions yet."))
        return mark_safe(f'<li class="muted">{empty}</li>')  # noqa: S308 - escaped
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
    t_done, t_initiative, t_corrective = (
        escape(_("Mark done")),
        escape(_("Became an initiative")),
        escape(_("Became a corrective action")),
    )
    t_turn, t_becomes = escape(_("Turn into an initiative or a corrective action")), escape(_("Becomes"))
    t_into_initiative, t_into_corrective = (
        escape(_("An initiative on a later period's goal")),
        escape(_("A corrective action")),
    )
    t_goal, t_convert = escape(_("Goal")), escape(_("Convert"))
    out: list[str] = []
    for a in actions:
        pk, short = a.pk, escape(Truncator(a.description).chars(40))
        due = escape(date_format(a.due_date, "SHORT_DATE_FORMAT")) if a.due_date else ""
        line = (
            f"\n    <li>{escape(a.description)} · {escape(a.owner.user.get_full_name())} · {due} · "
            f'<span class="badge">{escape(str(a.get_status_display()))}</span>'
        )
        if a.goal_id:
            line += f" · {escape(a.goal.title)}"
        line += "\n      "
        if (a.owner_id == member_id or can_manage) and a.status == ActionStatus.OPEN:
            status_url = escape(reverse("retro_action_status", args=[org_slug, pk]))
            line += (
                f'<form method="post" action="{status_url}" class="inline-form">{csrf}<input type="hidden" '
                f'name="status" value="done"><button type="submit" class="btn btn-small">{t_done}'
                f'<span class="visually-hidden">: {short}</span></button></form>'
            )
        line += "\n      "
        if a.initiative_id:
            line += f' · <span class="badge" data-testid="became">{t_initiative}</span>'
        elif a.corrective_action_id:
            line += f' · <span class="badge" data-testid="became">{t_corrective}</span>\n      '
        elif convert_goals:
            convert_url = escape(reverse("retro_action_convert", args=[org_slug, pk]))
            line += (
                f'<details class="convert"><summary>{t_turn}<span class="visually-hidden">: {short}</span></summary>\n'
                f'        <form method="post" action="{convert_url}" class="form-grid">{csrf}\n'
                f'          <label for="into-{pk}">{t_becomes}</label>\n'
                f'          <select id="into-{pk}" name="into"><option value="initiative">{t_into_initiative}</option>'
                f'<option value="corrective">{t_into_corrective}</option></select>\n'
                f'          <label for="goal-{pk}">{t_goal}</label>\n'
                f'          <select id="goal-{pk}" name="goal">{convert_goals}</select>\n'
                f'          <button type="submit" class="btn btn-small">{t_convert}</button></form></details>'
            )
        out.append(line + "</li>\n  ")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above
