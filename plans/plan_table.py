"""The plan table's rows as HTML, built in Python from the plain rows of
plans.selectors.plan_page: with 300–500 initiatives the template engine spent ~0.25 ms per row on
some forty nodes each; one f-string per row with every value escaped costs a tenth of that. The
markup is the one the template had (goal_plan.html keeps the table around it)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape  # the standard one: Django's adds a lazy-string wrapper per call
from typing import Any

from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from teams.numbers import format_money


def _labels() -> dict[str, str]:
    """The table's words in the active language, escaped as the template's ``{{ l_word }}`` were;
    the close-experiment form's words stay as its ``{% translate %}`` left them."""
    words = {
        "dimension": _("Goal dimension"), "initiative": _("Initiative"), "owner": _("Owner"),
        "when": pgettext("initiative schedule", "When"), "needs": _("Resource needs"), "priority": _("Priority"),
        "progress": _("Progress"), "on_path": _("On the critical path"), "critical": _("critical"),
        "milestone": _("milestone"), "experiment": _("experiment"), "edit": _("Edit"),
        "progress_pct": _("Progress %"), "update": _("Update"), "was": _("was"), "within": _("(within allowance)"),
        "beyond": _("(beyond allowance)"), "lesson": _("Lesson"), "close": _("Close as failed"),
        "lesson_learned": _("Lesson learned"),
        "close_note": _("A failed experiment is a lesson, not a loss: within the organisation's allowance it "
                        "counts against no one."),
        "close_button": _("Failed — record the lesson"),
    }  # fmt: skip
    verbatim = {"close", "lesson_learned", "close_note", "close_button"}
    return {key: text if key in verbatim else escape(text) for key, text in words.items()}


def _close_experiment(r: Mapping[str, Any], w: Mapping[str, str], csrf_input: str) -> str:
    """plans/close_experiment.html for one row."""
    pk = r["pk"]
    return (
        f'<details class="close-experiment" data-testid="close-experiment-{pk}"><summary>{w["close"]}</summary>'
        f'<form method="post" action="{r["progress_url"]}">{csrf_input}'
        f'<input type="hidden" name="progress" value="{r["progress"]}">'
        '<input type="hidden" name="status" value="failed">'
        f'<div class="field"><label for="lesson-{pk}">{w["lesson_learned"]}</label>'
        f'<textarea id="lesson-{pk}" name="lesson" rows="2" required></textarea></div>'
        f'<p class="muted"><small>{w["close_note"]}</small></p>'
        f'<button type="submit" class="btn btn-small">{w["close_button"]}</button></form></details>'
    )


def plan_table_rows(
    groups: Mapping[str, list[dict[str, Any]]], *, can_plan: bool, currency: str, csrf_input: str
) -> SafeString:
    """The <tr>s of the plan table: each group's rows, the group's dimension on its first row."""
    w = _labels()
    currency = escape(currency)
    money: dict[str, str] = {}  # each amount formatted once: budgets repeat across rows
    out: list[str] = []
    for dimension, rows in groups.items():
        first = True
        for r in rows:
            pk, title, progress = r["pk"], escape(r["title"]), r["progress"]
            classes = " ".join(
                c
                for c, on in (("critical", r["critical"]), ("flagged", r["flags"]), ("slipped", r["slipped"]))
                if on
            )
            badges = ""
            if r["critical"]:
                badges += f' <span class="badge badge-warn" title="{w["on_path"]}">{w["critical"]}</span>'
            if r["is_milestone"]:
                badges += f' <span class="badge badge-ok">{"🎉 " if r["milestone_reached_at"] else ""}{w["milestone"]}</span>'
            if r["is_experiment"]:
                badges += f' <span class="badge">{w["experiment"]}</span>'
            if r["squad__name"]:
                badges += f'<br><small class="muted">{escape(r["squad__name"])}</small>'
            if can_plan:
                url = r["edit_url"]
                badges += (f'<br><a class="btn btn-small btn-link" href="{url}" hx-get="{url}" hx-target="closest tr" '
                           f'hx-swap="outerHTML">{w["edit"]}</a>')  # fmt: skip
            was = f" ({w['was']} {escape(r['was'])})" if r["was"] else ""
            budget = r["budget"]
            if budget:
                key = str(budget)  # by str(): Decimal("2.0") == Decimal("2") but shows otherwise
                if key not in money:
                    money[key] = f"{format_money(budget)} {currency}"
                needs = money[key]
            else:
                needs = ""
            needs += "".join(f'<span class="chip">{escape(n)}</span>' for n in r["needs_labels"])
            if r["needs_note"]:
                needs += f" <small>{escape(r['needs_note'])}</small>"
            status = escape(r["status_label"])
            if r["tolerated"] is True:
                status += f" {w['within']}"
            elif r["tolerated"] is False:
                status += f" {w['beyond']}"
            tail = (
                f'<br><small class="lesson">{w["lesson"]}: {escape(r["lesson"])}</small>'
                if r["lesson"]
                else ""
            )
            if r["can_report"]:
                tail += (
                    f'<form method="post" action="{r["progress_url"]}" class="progress-form">{csrf_input}'
                    f'<input type="number" name="progress" min="0" max="100" value="{progress}" '
                    f'aria-label="{w["progress_pct"]} {title}" inputmode="numeric"> '
                    f'<button type="submit" class="btn btn-small">{w["update"]}</button></form>'
                )
                if r["open_experiment"]:
                    tail += _close_experiment(r, w, csrf_input)
            strong = f"<strong>{escape(dimension) or '—'}</strong>" if first else ""
            first = False
            priority = escape(r["priority"])
            out.append(
                f'<tr id="initiative-{pk}" class="{classes}">'
                f'<td data-label="{w["dimension"]}">{strong}</td>'
                f'<td data-label="{w["initiative"]}">{title}{badges}</td>'
                f'<td data-label="{w["owner"]}">{escape(r["owner_name"])}</td>'
                f'<td data-label="{w["when"]}">{escape(r["weeks"])}<br><small class="muted">{escape(r["dates"])}{was}'
                "</small></td>"
                f'<td data-label="{w["needs"]}">{needs}</td>'
                f'<td data-label="{w["priority"]}"><span class="badge priority-{priority}">{priority}</span></td>'
                f'<td data-label="{w["progress"]}"><meter min="0" max="100" value="{progress}">{progress}%</meter> '
                f'{progress}% <small class="muted" data-testid="status-{pk}">{status}</small>{tail}</td></tr>'
            )  # fmt: skip
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped


def conflict_items(conflicts: list[dict[str, Any]], *, people_url: str) -> SafeString:
    """The <li>s of the page's conflicts (plans.selectors.plan_page's ``conflicts``). The words are
    translated once for the page, and each number and title formatted once: a plan of 500
    initiatives has hundreds of conflicts over the same few owners and amounts."""
    fixed = {
        "early_start": _("Starts before a predecessor finishes."),
        "blocked_p0": _("A P0 initiative waits for a lower-priority one."),
        "late": _("Due after the goal's period ends."),
    }
    overloaded = _("Owner overloaded: priority-weighted load %(load)s against a capacity of %(capacity)s.")
    over_budget = _("Budget requested %(requested)s exceeds the team's %(available)s.")
    capacity_link = _("Capacity")
    numbers: dict[str, str] = {}  # by str(): Decimal("2.0") == Decimal("2") but shows otherwise
    money: dict[str, str] = {}
    titles: dict[int, str] = {}
    more: dict[int, str] = {}

    def number(value: Any) -> str:
        key = f"{type(value).__name__}:{value}"
        if key not in numbers:
            numbers[key] = escape(localize(value))
        return numbers[key]

    def amount(value: Any) -> str:
        key = f"{type(value).__name__}:{value}"
        if key not in money:
            money[key] = escape(format_money(value))
        return money[key]

    def title(row: Mapping[str, Any]) -> str:
        pk = row["pk"]
        if pk not in titles:
            titles[pk] = f"“{escape(row['title'])}”"
        return titles[pk]

    out = []
    for c in conflicts:
        kind, detail = c["kind"], c["detail"]
        if kind == "overload":
            text = overloaded % {"load": number(detail["load"]), "capacity": number(detail["capacity"])}
            text += f' <a href="{people_url}#member-{escape(str(detail["owner"]))}">{capacity_link}</a>'
        elif kind == "budget":
            text = over_budget % {
                "requested": amount(detail["requested"]),
                "available": amount(detail["available"]),
            }
        else:
            text = fixed.get(kind, "")
        elsewhere = c["elsewhere"]
        if elsewhere and elsewhere not in more:
            more[elsewhere] = " " + ngettext(
                "and %(n)s more in other plans", "and %(n)s more in other plans", elsewhere
            ) % {"n": elsewhere}
        tail = more[elsewhere] if elsewhere else ""
        out.append(f'<li class="conflict conflict-{escape(kind)}">{text} '
                   f'<span class="muted">{", ".join(title(r) for r in c["rows"])}{tail}</span></li>')  # fmt: skip
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped


def dependency_items(
    dependencies: list[dict[str, Any]], *, can_plan: bool, remove_url: Any, csrf_input: str
) -> SafeString:
    """The <li>s of the page's dependencies (rows of pk and the two titles)."""
    remove = _("Remove")
    out = []
    for d in dependencies:
        form = (
            f' <form method="post" action="{remove_url(d["pk"])}" class="inline">{csrf_input}'
            f'<button type="submit" class="btn btn-small btn-link">{remove}</button></form>' if can_plan else ""
        )  # fmt: skip
        out.append(f"<li>“{escape(d['predecessor__title'])}” → “{escape(d['successor__title'])}”{form}</li>")
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped


def suggestion_items(suggestions: list[Any]) -> SafeString:
    """The <li>s of the page's budget suggestions (plans.selectors.BudgetSuggestion)."""
    consider = _("Consider moving %(amount)s from “%(source)s” (%(source_priority)s, not started) to “%(target)s” "
                 "(%(target_priority)s, %(behind)s points behind).")  # fmt: skip
    out = []
    for sg in suggestions:
        text = consider % {
            "amount": escape(localize(sg.amount)), "source": escape(sg.source.title),
            "source_priority": escape(sg.source.priority), "target": escape(sg.target.title),
            "target_priority": escape(sg.target.priority), "behind": escape(localize(sg.behind))}  # fmt: skip
        out.append(f"<li>💡 {text}</li>")
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped
