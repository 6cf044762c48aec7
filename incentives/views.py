"""Thin pages of the incentives app: my pay with the what-if slider, and (HR) schemes, their
assignments and salaries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from teams.access import ALL_ROLES, MANAGERS, PEOPLE_WITH_MONEY, OrgRequest, org_page
from teams.models import Role
from teams.page_forms import apply_service_errors, form_page, parse_day

from . import exports, selectors, services
from .forms import AdjustForm, AssignForm, BaseBandFormSet, RunForm, SalaryForm, SchemeForm, band_formset
from .models import BonusScheme, PayoutRun, RunStatus
from .page_rows import SENTINEL as LINE_SENTINEL
from .page_rows import run_line_rows, salary_rows, team_total_rows


@org_page(roles=ALL_ROLES)
@require_GET
def index_view(request: OrgRequest) -> HttpResponse:
    """My pay this quarter (or a person's, for those who may see it), explained line by line; the
    slider asks "what if" (htmx, live) and the chart shows the scheme's payout curve."""
    try:
        query = selectors.payout_query(org=request.org, viewer=request.membership, params=request.GET)
    except ValidationError as error:  # keep the person asked for; drop the bad figures
        query = selectors.payout_query(org=request.org, viewer=request.membership,
                                       params={"member": request.GET.get("member", "")})  # fmt: skip
        messages.error(request, " ".join(error.messages))
    if query.forbidden:
        raise PermissionDenied(_("You cannot see this person's pay."))
    context = {**selectors.pay_page(query=query), "is_hr": request.membership.role in PEOPLE_WITH_MONEY,
               "is_manager": request.membership.role in MANAGERS}  # fmt: skip
    template = "incentives/index.html#payout" if request.htmx else "incentives/index.html"
    return render(request, template, context)


def _scheme_input(data: dict[str, Any], bands: list[list[Any]]) -> services.SchemeInput:
    """A valid SchemeForm and band rows as the service's input (the form has already split the
    text lines, the band rows turned their rates into fractions)."""
    return services.SchemeInput(
        name=data["name"], kind=data["kind"], target_bonus=data.get("target_bonus"),
        target_bonus_pct=data.get("target_bonus_pct"), threshold=data.get("threshold") or Decimal(0),
        bands=bands, steps=data["steps"], cap_multiple=data.get("cap_multiple"),
        cap_amount=data.get("cap_amount"),
        multiples=data["multiples"] or None, team_weight=data.get("team_weight") or Decimal(0),
        own_weight=data.get("own_weight") or Decimal(0),
    )  # fmt: skip


def _scheme_forms(
    posted: Any, *, scheme: BonusScheme | None, adding: bool
) -> tuple[SchemeForm, BaseBandFormSet]:
    """The scheme form and its band rows: as posted, or (adding a band) unbound with what was typed
    and one more row."""
    initial = SchemeForm.initial_for(scheme) if scheme else None
    if adding:
        form = SchemeForm(initial={**(initial or {}), **posted.dict()})
    else:
        form = SchemeForm(posted, initial=initial)
    return form, band_formset(posted, bands=scheme.bands if scheme else None, add_row=adding)


def _show_scheme_refusal(form: SchemeForm, bands: BaseBandFormSet, error: ValidationError) -> None:
    """The service's refusal where it belongs: each band row its own, the form the rest."""
    found = error.message_dict if hasattr(error, "error_dict") else {}
    bands.show_service_errors(found)
    others = {k: v for k, v in found.items() if not k.startswith("bands")}
    apply_service_errors(form, ValidationError(others) if found else error)


def _scheme_form_page(
    request: OrgRequest, *, scheme: BonusScheme | None, template: str, context: dict[str, Any],
    saved: Any,
) -> HttpResponse:  # fmt: skip
    """The scheme form with its band rows: a POST saves both (each refusal shown where it belongs,
    with what was typed), "add_band" shows the rows typed so far and one more, saving nothing."""
    posted = request.POST if request.method == "POST" else None
    adding = posted is not None and "add_band" in posted
    form, bands = _scheme_forms(posted, scheme=scheme, adding=adding)
    if posted is not None and not adding:
        form_ok, bands_ok = form.is_valid(), bands.is_valid()
        if form_ok and bands_ok:
            try:
                result = services.scheme_save(org=request.org, actor=request.membership, scheme=scheme,
                                              data=_scheme_input(form.cleaned_data, bands.bands))  # fmt: skip
            except ValidationError as error:
                _show_scheme_refusal(form, bands, error)
            else:
                return saved(result)
    status = 400 if posted is not None and not adding else 200
    return render(
        request, template, {**context, "form": form, "bands": bands, "adding": adding}, status=status
    )


@org_page(roles=PEOPLE_WITH_MONEY)
@require_http_methods(["GET", "POST"])
def schemes_view(request: OrgRequest) -> HttpResponse:
    """HR: the bonus schemes, who they apply to, and a form for a new one."""

    def saved(scheme: BonusScheme) -> HttpResponse:
        messages.success(request, _("Scheme “%(name)s” saved.") % {"name": scheme.name})
        return redirect("incentive_schemes", org_slug=request.org.slug)

    return _scheme_form_page(
        request,
        scheme=None,
        template="incentives/schemes.html",
        context=_schemes_context(request),
        saved=saved,
    )


def _schemes_context(request: OrgRequest, salary_form: SalaryForm | None = None) -> dict[str, Any]:
    assign_form = AssignForm(org=request.org)
    schemes = selectors.scheme_list(org=request.org)
    for scheme in schemes:
        scheme.member_picker = assign_form.member_picker(scheme.pk)  # type: ignore[attr-defined]
    pay_url = reverse("incentives_index", args=[request.org.slug])
    salaries = salary_rows(selectors.salary_list(org=request.org), pay_url=pay_url)
    return {"schemes": schemes, "assign_form": assign_form, "salaries": salaries,
            "salary_form": salary_form or SalaryForm(org=request.org)}  # fmt: skip


@org_page(roles=PEOPLE_WITH_MONEY)
@require_http_methods(["GET", "POST"])
def scheme_view(request: OrgRequest, scheme_id: int) -> HttpResponse:
    """One scheme: what it pays (a base salary and an attainment, moved live, with its curve) and
    the form that changes it (every change is in the audit trail)."""
    scheme = selectors.scheme_get(org=request.org, scheme_id=scheme_id)
    try:
        what_if = selectors.scheme_what_if_query(params=request.GET)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        what_if = selectors.scheme_what_if_query(params={})
    payout = selectors.scheme_payout(scheme=scheme, base=what_if.base, attainment=what_if.attainment)
    curve = selectors.scheme_curve(scheme=scheme, base=what_if.base)
    if request.htmx and request.method == "GET":
        return render(request, "incentives/scheme.html#payout", {"payout": payout, "curve": curve})

    def saved(result: BonusScheme) -> HttpResponse:
        messages.success(request, _("Scheme “%(name)s” saved.") % {"name": result.name})
        return redirect("incentive_scheme", org_slug=request.org.slug, scheme_id=result.pk)

    context = {"scheme": scheme, "what_if": what_if, "payout": payout, "curve": curve}
    return _scheme_form_page(
        request, scheme=scheme, template="incentives/scheme.html", context=context, saved=saved
    )


@org_page(roles=PEOPLE_WITH_MONEY)
@require_POST
def assign_view(request: OrgRequest, scheme_id: int) -> HttpResponse:
    scheme = selectors.scheme_get(org=request.org, scheme_id=scheme_id)
    try:
        target = selectors.assignment_target(org=request.org, raw=AssignForm.posted_target(request.POST))
        services.scheme_assign(scheme=scheme, actor=request.membership, **target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Scheme assigned."))
    return redirect("incentive_schemes", org_slug=request.org.slug)


@org_page(roles=PEOPLE_WITH_MONEY)
@require_POST
def salary_view(request: OrgRequest) -> HttpResponse:
    """Set a base salary; refused, the page again (400) with the form as typed and the reasons."""
    form = SalaryForm(request.POST, org=request.org)
    if form.is_valid():
        try:
            services.salary_set(org=request.org, actor=request.membership, membership=form.cleaned_data["member"],
                                base=form.cleaned_data["base"], effective_from=form.cleaned_data["effective_from"])  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error, {"membership": "member"})
        else:
            messages.success(request, _("Salary saved."))
            return redirect("incentive_schemes", org_slug=request.org.slug)
    context = {
        "form": SchemeForm(),
        "bands": band_formset(None),
        **_schemes_context(request, salary_form=form),
    }
    return render(request, "incentives/schemes.html", context, status=400)


# --- Payout runs ----------------------------------------------------------------------------------------
@org_page(roles=PEOPLE_WITH_MONEY)
@require_http_methods(["GET", "POST"])
def runs_view(request: OrgRequest) -> HttpResponse:
    """HR: the payout runs, newest period first, and a form to start one."""
    form = RunForm(request.POST if request.method == "POST" else None, org=request.org)

    def started(run: PayoutRun) -> HttpResponse:
        messages.success(request, _("Payout run started: the lines are being computed."))
        period_open = selectors.period_open_warning(org=request.org, end=run.end)
        if period_open:
            messages.warning(request, period_open)
        return redirect("payout_run", org_slug=request.org.slug, run_id=run.pk)

    end = parse_day(form["end"].value())  # the end typed (or the current quarter's): has it passed?
    return form_page(request, form, template="incentives/runs.html", on_success=started,
                     context={"runs": selectors.run_list(org=request.org),
                              "period_open": selectors.period_open_warning(org=request.org, end=end) if end else None},
                     save=lambda data: services.run_start(org=request.org, actor=request.membership, start=data["start"],
                                                          end=data["end"], language=request.LANGUAGE_CODE))  # fmt: skip


@org_page(roles=PEOPLE_WITH_MONEY)
@require_GET
def run_view(request: OrgRequest, run_id: int) -> HttpResponse:
    """One run: its progress while computing, totals per team, the lines (searchable, 100 a page)
    with their explanations and adjustments, the decisions and the audit trail."""
    run = selectors.run_get(org=request.org, run_id=run_id)
    if request.htmx and request.GET.get("part") == "progress":
        response = render(request, "incentives/run.html#progress", {"run": run})
        if run.status not in (RunStatus.QUEUED, RunStatus.COMPUTING):
            response["HX-Refresh"] = "true"  # the lines are ready: show the whole page
        return response
    context = _run_context(request, run, search=request.GET.get("q", ""), page_number=request.GET.get("page"))
    return render(request, "incentives/run.html#lines" if request.htmx else "incentives/run.html", context)


def _run_context(
    request: OrgRequest, run: PayoutRun, *, search: str, page_number: Any, refused: tuple[int, AdjustForm] | None = None
) -> dict[str, Any]:  # fmt: skip
    """The run page; each line of the page carries its adjustment form (the refused one as typed)."""
    search = search.replace("\x00", "")[:100]
    page = Paginator(selectors.run_line_values(run=run, search=search), selectors.LINES_PER_PAGE).get_page(
        page_number
    )
    return {
        **_line_rows(request, run, page, search=search, refused=refused),
        "run": run, "search": search, "teams": team_total_rows(selectors.run_team_totals(run=run)),
        "history": selectors.run_history(run=run), "successor": selectors.run_successor(run=run),
        "warnings": selectors.run_warnings(run=run),
        "is_admin": request.membership.role == Role.ADMIN,
        "approval_refusal": selectors.can_approve_run(actor=request.membership, run=run).reason or None
        if run.status == RunStatus.SUBMITTED else None,
    }  # fmt: skip


def _line_rows(
    request: OrgRequest, run: PayoutRun, page: Any, *, search: str, refused: tuple[int, AdjustForm] | None
) -> dict[str, Any]:
    """The page's lines, printed from plain rows (incentives/page_rows.py): each adjustment form's
    link built once for the page, its hidden fields (one CSRF token for all) printed once. Only a
    refused form is a bound form, to show its errors."""
    lines = list(page)
    hidden = format_html('{}<input type="hidden" name="q" value="{}"><input type="hidden" name="page" value="{}">',
                         csrf_input(request), search, page.number)  # fmt: skip
    rows = run_line_rows(
        lines, adjustable=run.status == RunStatus.REVIEW, hidden_fields=hidden, refused=refused,
        adjust_url=reverse("payout_line_adjust", args=[request.org.slug, run.pk, LINE_SENTINEL]),
    )  # fmt: skip
    return {"page": page, "lines": lines, "line_rows": rows}


@org_page(roles=PEOPLE_WITH_MONEY)
@require_POST
def run_decide_view(request: OrgRequest, run_id: int) -> HttpResponse:
    """submit (HR), approve or send back (an admin), a new version of a locked run, retry a failed one."""
    run = selectors.run_get(org=request.org, run_id=run_id)
    decision, actor = request.POST.get("decision", ""), request.membership
    actions = {
        "submit": (lambda: services.run_submit(run=run, actor=actor), _("Run submitted for approval.")),
        "approve": (lambda: services.run_approve(run=run, actor=actor), _("Run approved and locked.")),
        "return": (lambda: services.run_return(run=run, actor=actor, reason=request.POST.get("reason", "")),
                   _("Run sent back to HR.")),
        "new_version": (lambda: services.run_new_version(run=run, actor=actor, language=request.LANGUAGE_CODE),
                        _("New version started: the lines are being computed.")),
        "retry": (lambda: services.run_retry(run=run, actor=actor), _("The run is being computed again.")),
    }  # fmt: skip
    if decision not in actions:
        messages.error(request, _("Unknown decision."))
        return redirect("payout_run", org_slug=request.org.slug, run_id=run.pk)
    act, done = actions[decision]
    try:
        result = act()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("payout_run", org_slug=request.org.slug, run_id=run.pk)
    messages.success(request, done)
    return redirect("payout_run", org_slug=request.org.slug, run_id=result.pk)


@org_page(roles=PEOPLE_WITH_MONEY)
@require_POST
def line_adjust_view(request: OrgRequest, run_id: int, line_id: int) -> HttpResponse:
    """Adjust one line with a reason; refused, the run page again (400) with that line's form as
    typed and the reasons next to its fields."""
    run = selectors.run_get(org=request.org, run_id=run_id)
    line = selectors.line_get(run=run, line_id=line_id)
    form = AdjustForm(request.POST, auto_id=f"line-{line.pk}-%s")
    search = request.POST.get("q", "").replace("\x00", "")[:100]
    if form.is_valid():
        try:
            services.run_line_adjust(line=line, actor=request.membership, amount=form.cleaned_data["amount"],
                                     reason=form.cleaned_data["reason"])  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Line of %(name)s adjusted.") % {"name": line.name})
            query = urlencode({"q": search}) if search else ""
            return redirect(
                reverse("payout_run", args=[request.org.slug, run.pk]) + (f"?{query}" if query else "")
            )
    messages.error(request, _("The line of %(name)s was not adjusted: see why below.") % {"name": line.name})
    context = _run_context(
        request, run, search=search, page_number=request.POST.get("page"), refused=(line.pk, form)
    )
    return render(request, "incentives/run.html", context, status=400)


@org_page(roles=PEOPLE_WITH_MONEY)
@require_GET
def run_export_view(request: OrgRequest, run_id: int, fmt: str) -> HttpResponseBase:
    """The locked run as XLSX or CSV, streamed; an unapproved run cannot be exported."""
    run = selectors.run_get(org=request.org, run_id=run_id)
    try:
        return exports.download(run, fmt)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("payout_run", org_slug=request.org.slug, run_id=run.pk)
