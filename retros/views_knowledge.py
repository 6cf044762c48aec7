"""The knowledge base's pages (知识库): search with filters, an entry with its practice stage and the
goals it was applied to, writing an entry directly, applying a lesson to a goal, and the causes
across periods chart. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from goals.models import Goal
from goals.periods import quarter_containing
from teams.access import ALL_ROLES, MANAGERS, OPEN_RULE, TEAM_RULE, OrgRequest, org_page
from teams.errors import NotAllowed
from teams.models import Team
from teams.page_forms import apply_service_errors, form_page, parse_id
from teams.selectors import org_today

from . import selectors, services
from .forms import KnowledgeEntryForm, PracticeForm
from .knowledge_rows import knowledge_rows
from .models import CauseCategory, Lesson, PracticeStage

LIST_LIMIT = 100
QUARTERS = 8  # the period filter offers the last eight quarters


def _quarters(today: date) -> list[tuple[str, tuple[date, date]]]:
    found = []
    start, _end = quarter_containing(today)
    for _n in range(QUARTERS):
        span = quarter_containing(start)
        found.append((f"{span[0].year}-Q{(span[0].month - 1) // 3 + 1}", span))
        start = span[0] - timedelta(days=1)
    return found


@org_page(roles=ALL_ROLES)
@require_GET
def knowledge_view(request: OrgRequest) -> HttpResponse:
    """知识库: published entries, searched in Chinese and English, filtered by team, metric, cause
    category, tag, period and practice stage; each with how often it was applied."""
    get = request.GET
    quarters = _quarters(org_today(request.org))
    period = get.get("period", "")
    stage = get.get("stage")
    filters = selectors.KnowledgeFilters(
        query=get.get("q", "")[:200], team_id=parse_id(get.get("team")), metric=get.get("metric", "")[:120],
        cause=get.get("cause", "") if get.get("cause") in CauseCategory.values else "", tag=get.get("tag", "")[:60],
        period=dict(quarters).get(period), stage=stage if stage in PracticeStage.values and stage else None,
    )  # fmt: skip
    lessons = list(selectors.knowledge_search(org_id=request.org.pk, filters=filters, limit=LIST_LIMIT))
    context = {
        "lessons": lessons, "knowledge_rows": knowledge_rows(lessons, org_slug=request.org.slug), "f": filters, "query": filters.query, "team_id": filters.team_id, "period": period,
        "teams": list(Team.objects.filter(org=request.org).order_by("name")),
        "metrics": selectors.knowledge_metrics(org_id=request.org.pk), "causes": CauseCategory.choices,
        "stages": [c for c in PracticeStage.choices if c[0]], "quarters": [q for q, _span in quarters],
        "can_write": request.membership.role in MANAGERS,
    }  # fmt: skip
    return render(request, "retros/knowledge.html#rows" if request.htmx else "retros/knowledge.html", context)


@org_page(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def knowledge_new_view(request: OrgRequest) -> HttpResponse:
    """A manager writes an entry straight into the knowledge base (for a team they manage)."""
    member = request.membership
    form = KnowledgeEntryForm(request.POST if request.method == "POST" else None, member=member)

    def save(data: dict[str, Any]) -> Lesson:
        goal = data.get("evidence_goal")
        return services.knowledge_entry_create(
            team=data["team"], actor=member, kind=data["kind"], text=data["text"], metric_name=data["metric_name"],
            tags=data["tags"], cause_category=data.get("cause_category") or "",
            evidence_goal_id=goal.pk if goal else None,
        )  # fmt: skip

    def saved(lesson: Lesson) -> HttpResponse:
        messages.success(request, _("Entry added to the knowledge base."))
        return redirect("knowledge_entry", org_slug=request.org.slug, lesson_id=lesson.pk)

    return form_page(request, form, template="retros/knowledge_new.html", save=save, on_success=saved)


def _entry(
    request: OrgRequest, lesson: Lesson, form: PracticeForm | None = None, status: int = 200
) -> HttpResponse:
    member = request.membership
    can_manage = services.can_manage_lesson(member=member, lesson=lesson)
    if can_manage and form is None:
        form = PracticeForm(member=member, auto_id="practice_%s", initial={
            "stage": lesson.stage, "owner": lesson.owner_id, "review_on": lesson.review_on,
            "watched_goal": lesson.watched_goal_id})  # fmt: skip
    context = {"lesson": lesson, "applications": selectors.entry_applications(lesson=lesson),
               "practice_form": form if can_manage else None}  # fmt: skip
    return render(request, "retros/knowledge_entry.html", context, status=status)


@org_page(roles=ALL_ROLES, write_roles=MANAGERS, object_rule=TEAM_RULE)
@require_http_methods(["GET", "POST"])
def knowledge_entry_view(request: OrgRequest, lesson_id: int) -> HttpResponse:
    """An entry: its retro and evidence, its practice stage (owner, review date, watched indicator),
    the goals it was applied to. A manager of its team moves it through the stages."""
    lesson = selectors.knowledge_entry_get(org_id=request.org.pk, lesson_id=lesson_id)
    if request.method == "GET":
        return _entry(request, lesson)
    if not services.can_manage_lesson(member=request.membership, lesson=lesson):
        raise NotAllowed(_("Only a manager of the lesson's team moves it through the practice stages."))
    form = PracticeForm(request.POST, member=request.membership, auto_id="practice_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.practice_set(lesson=lesson, actor=request.membership, stage=data.get("stage") or "",
                                  owner=data.get("owner"), review_on=data.get("review_on"),
                                  watched_goal_id=data["watched_goal"].pk if data.get("watched_goal") else None)  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("knowledge_entry", org_slug=request.org.slug, lesson_id=lesson.pk)
    return _entry(request, lesson, form=form, status=400)


@org_page(roles=MANAGERS, object_rule=OPEN_RULE)
@require_POST
def lesson_apply_view(request: OrgRequest, lesson_id: int) -> HttpResponse:
    """Apply an entry of the knowledge base to a goal the person changes (its page shows it)."""
    lesson = selectors.knowledge_entry_get(org_id=request.org.pk, lesson_id=lesson_id)
    goal = Goal.objects.filter(org=request.org, pk=parse_id(request.POST.get("goal")) or 0).first()
    if goal is None:
        messages.error(request, _("Choose a goal of this organisation."))
        return _entry(request, lesson, status=400)
    services.lesson_apply(lesson=lesson, goal=goal, actor=request.membership)
    messages.success(request, _("Lesson applied to “%(goal)s”.") % {"goal": goal.title})
    back = request.POST.get("back")  # applied beside the revision form or the decomposition table
    if back == "decomposition":
        return redirect("goal_decompose", org_slug=request.org.slug, goal_id=goal.pk)
    url = reverse("goal_detail", kwargs={"org_slug": request.org.slug, "goal_id": goal.pk})
    return redirect(url + "#revisions" if back == "revision" else url)


@org_page(roles=ALL_ROLES)
@require_GET
def causes_view(request: OrgRequest) -> HttpResponse:
    """Causes across periods: counts of the causes retros named, per team and quarter (or month),
    as a chart and as a table."""
    by = "month" if request.GET.get("by") == "month" else "quarter"
    team_id = parse_id(request.GET.get("team"))
    trends = selectors.cause_trends(
        org_id=request.org.pk, team_id=team_id, by=by, today=org_today(request.org)
    )
    context = {"trends": trends, "by": by, "team_id": team_id,
               "teams": list(Team.objects.filter(org=request.org).order_by("name"))}  # fmt: skip
    return render(request, "retros/causes.html", context)
