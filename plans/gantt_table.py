"""The Gantt's accessible table (the phone view too) as HTML, built in Python from the chart's
plain rows (plans.selectors.gantt_chart): with 500–700 initiatives the template engine spent about
two thirds of the page's time on the rows' twenty-odd nodes each; one f-string per row with every
value escaped costs a small part of that. The markup is the one the template had (gantt.html keeps
the table around it)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape  # the standard one: Django's adds a lazy-string wrapper per call
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def gantt_table_rows(
    chart: Mapping[str, Any], table: list[tuple[dict[str, Any], list[dict[str, Any]]]]
) -> SafeString:
    """The <tbody>s of the Gantt's table (plans.selectors.gantt_table): one per group, its header
    row, then its initiatives; one saying there are none when there are no groups."""
    labels = chart["labels"]
    milestone = f' <span class="badge badge-ok">{escape(labels["milestone"])}</span>'
    critical = f' <span class="badge badge-warn">{escape(labels["critical"])}</span>'
    no_dimension = escape(labels["no_dimension"])
    out: list[str] = []
    for group, rows in table:
        label = escape(str(group["label"])) if group["label"] else no_dimension
        out.append(
            f'\n    <tbody>\n      <tr class="group-row"><th colspan="5" scope="rowgroup">{label}</th></tr>\n      '
        )
        for r in rows:
            overdue = ' class="overdue"' if r["overdue"] else ""
            badges = (milestone if r["milestone"] else "") + (critical if r["critical"] else "")
            flag = (
                f' <span class="badge badge-bad" data-testid="overdue">⚠ {escape(r["overdue_text"])}</span>'
                if r["overdue"]
                else ""
            )
            out.append(
                f'\n      <tr{overdue} data-testid="gantt-row-{r["id"]}">'
                f'<th scope="row">{escape(r["title"])}{badges}</th>\n'
                f"        <td>{escape(str(r['owner']))}</td><td>{escape(r['dates'])}</td>\n"
                f"        <td>{escape(str(r['status_label']))}{flag}</td>\n"
                f'        <td class="num">{r["progress"]}%</td></tr>\n      '
            )
        out.append("\n    </tbody>\n    ")
    if not table:
        empty = escape(_("No initiatives yet."))
        out.append(f'\n    <tbody><tr><td colspan="5" class="empty">{empty}</td></tr></tbody>\n    ')
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
