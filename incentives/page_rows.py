"""Long tables of the incentives pages as HTML, built in Python: the payout run page's lines and
totals per team, the schemes page's salaries.

The payout run page's lines are built from the plain rows of
incentives.selectors.run_line_values (as plans/plan_table.py builds the plan table's): with a
hundred lines a page, each with its adjustment form, the template engine spent most of the page's
time on some thirty nodes a line; one f-string per line with every value escaped costs a fraction
of that. The markup is the one the template had (run.html keeps the table around it); a refused
adjustment form, a bound form with its errors, is still rendered by its template."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape  # the standard one: Django's adds a lazy-string wrapper per call
from typing import Any

from django.forms import Form
from django.template.loader import render_to_string
from django.utils.formats import date_format, localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from teams.numbers import MONEY_PLACES, PERCENT_PLACES, number_formatter

from .forms import AdjustForm

SENTINEL = 2147483647  # an id no line has: its place in the reversed adjustment link


def _adjust_form(r: Mapping[str, Any], key: str, w: Mapping[str, str], refused: Form | None) -> str:
    """The line's adjustment form, as AdjustForm renders its fields, printed from the line."""
    if refused is not None:
        fields = render_to_string("incentives/_adjust_refused.html", {"f": refused})
    else:
        amount = "" if r["adjustment"] is None else str(r["adjustment"])
        amount = f' value="{escape(amount)}"' if amount else ""
        reason = f' value="{escape(r["adjustment_reason"])}"' if r["adjustment_reason"] else ""
        fields = (
            f'<span class="inline-field"><label for="line-{key}-amount">{w["amount"]}</label><input type="text" '
            f'name="amount"{amount} inputmode="decimal" required id="line-{key}-amount">\n</span>'
            f'<span class="inline-field"><label for="line-{key}-reason">{w["reason"]}</label><input type="text" '
            f'name="reason"{reason} maxlength="1000" required id="line-{key}-reason">\n</span>'
        )
    return (
        f'\n        <form method="post" action="{w["url"].format(key)}" class="inline-form adjust-form" '
        f'data-testid="adjust-{r["membership_id"]}">{w["hidden"]}\n          {fields}\n'
        f'          <small class="muted">{w["negative"]}</small>\n'
        f'          <button class="btn btn-small" type="submit">{w["adjust"]}</button></form>\n        '
    )


def run_line_rows(
    lines: list[dict[str, Any]], *, adjustable: bool, adjust_url: str, hidden_fields: str,
    refused: tuple[int, Form] | None = None,
) -> SafeString:  # fmt: skip
    """The <tr>s of the run's lines: name with the explanation (and, while the run is in review,
    the adjustment form), employee number, team and scheme, the figures. `adjust_url` is the
    adjustment link of the line SENTINEL; `hidden_fields` the forms' CSRF token, search and page."""
    money, pct = number_formatter(MONEY_PLACES), number_formatter(PERCENT_PLACES, percent=True)
    w = {
        "url": adjust_url.replace(str(SENTINEL), "{}"), "hidden": hidden_fields,
        "amount": escape(str(AdjustForm.base_fields["amount"].label)),
        "reason": escape(str(AdjustForm.base_fields["reason"].label)),
        "negative": escape(_("Negative to reduce.")), "adjust": escape(_("Adjust")),
    }  # fmt: skip
    adjusted_by = _("Adjusted by %(name)s: %(reason)s")
    out = []
    for r in lines:
        key = str(r["id"])  # printed as text, not localised
        form = refused[1] if refused is not None and refused[0] == r["id"] else None
        note = ""
        if r["adjustment_reason"]:
            name = r["adjusted_by__user__display_name"] or r["adjusted_by__user__email"] or ""
            note = f'<p class="muted">{adjusted_by % {"name": escape(name), "reason": escape(r["adjustment_reason"])}}</p>'
        explanation = "".join(f"<li>{escape(text)}</li>" for text in r["explanation"])
        out.append(
            f'<tr data-testid="line-{r["membership_id"]}">\n      <td class="key-start line-name">'
            f"<details{' open' if form is not None and form.errors else ''}><summary>{escape(r['name'])}</summary>"
            f'<ol class="explanation">{explanation}</ol>\n        {note}\n        '
            f"{_adjust_form(r, key, w, form) if adjustable else ''}</details></td>\n"
            f"      <td>{escape(r['employee_number'] or '—')}</td>\n"
            f'      <td class="line-team">{escape(r["team"] or "—")}<br><small class="muted">{escape(r["scheme"])}</small></td>\n'
            f'      <td class="num">{money(r["base"])}</td><td class="num">{pct(r["attainment"])}</td>\n'
            f'      <td class="num">{money(r["bonus"])}</td><td class="num">{money(r["commission"])}</td>\n'
            f'      <td class="num">{money(r["adjustment"])}</td><td class="num key-end"><strong>{money(r["total"])}</strong></td>\n'
            "    </tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def team_total_rows(totals: Iterable[Any]) -> SafeString:
    """The <tr>s of the totals per team (incentives.selectors.TeamTotal): ninety teams were some
    six hundred template nodes."""
    money = number_formatter(MONEY_PLACES)
    return mark_safe(  # noqa: S308 - the team is escaped, the rest are numbers
        "\n    ".join(
            f'<tr><td>{escape(t.team or "—")}</td><td class="num">{localize(t.people)}</td>'
            f'<td class="num">{money(t.base)}</td><td class="num">{money(t.bonus)}</td>'
            f'<td class="num">{money(t.commission)}</td><td class="num">{money(t.adjustment)}</td>'
            f'<td class="num">{money(t.total)}</td></tr>'
            for t in totals
        )
    )


def salary_rows(salaries: Iterable[Mapping[str, Any]], *, pay_url: str) -> SafeString:
    """The <tr>s of the base salaries (incentives.selectors.salary_list, 500 of them): each name
    links to the person's pay (`pay_url`); most salaries share a few dates, each formatted once."""
    money = number_formatter(MONEY_PLACES)
    days: dict[Any, str] = {}
    out = []
    for s in salaries:
        day = s["effective_from"]
        shown = days.get(day) or days.setdefault(day, escape(date_format(day, "SHORT_DATE_FORMAT")))
        out.append(
            f'<tr><td><a href="{escape(pay_url)}?member={s["membership_id"]}">{escape(s["name"])}</a></td>'
            f'<td class="num">{money(s["base"])}</td><td>{shown}</td></tr>'
        )
    return mark_safe("\n    ".join(out))  # noqa: S308 - every value above is escaped
