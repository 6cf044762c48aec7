"""Walk every URL pattern of the project — pages and API, including routes added later — and
check, for anonymous, a member of another organisation, each role and a manager of another team,
the outcome declared next to the view (teams.access / teams.api_base):

* anonymous: pages redirect to sign-in, the API answers 401 (public views: anything but 5xx);
* a member of another organisation: 404, exactly like a missing organisation;
* a role the declaration allows: not refused (no 401/403/404, no 5xx);
* a role it does not allow: 403;
* a write to an object that belongs to a team (the route declares TEAM_RULE): allowed to admins
  and to the manager of that team or of a team above it; 403 for everyone else the role lets in —
  a manager of another team, a member who neither owns it nor belongs to the team.

The objects the walker makes belong to "Walk team", which the `manager` principal manages (object
arguments that are teams are sub-teams of it, so the reach into sub-teams is walked too); the
`other_manager` principal manages another team. A route that lets managers or members write to an
object from its URL must declare its object rule (TEAM_RULE or OPEN_RULE), or it fails here.

A route without a declaration, without a name, or with a URL argument this file cannot fill
fails the test: add a declaration, a name, or an entry to KWARG_FIXTURES.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from teams import services
from teams.access import TEAM_RULE, Access, access_of
from teams.models import Membership, Organization, Role, Team, User

from . import factories

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Route:
    name: str
    callback: Any
    params: tuple[str, ...]
    is_api: bool

    def __str__(self) -> str:
        return self.name


def _walk(
    patterns: list[Any], prefix: str = "", params: tuple[str, ...] = ()
) -> Iterator[tuple[str, URLPattern, tuple[str, ...], str]]:
    for entry in patterns:
        regex = entry.pattern.regex
        names = params + tuple(regex.groupindex)
        if isinstance(entry, URLResolver):
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _walk(entry.url_patterns, ns, names)
        elif isinstance(entry, URLPattern):
            yield prefix, entry, names, str(entry.pattern)


def all_routes() -> list[Route]:
    routes = []
    for ns, pattern, params, raw in _walk(get_resolver().url_patterns):
        name = f"{ns}{pattern.name}" if pattern.name else f"<unnamed {raw}>"
        callback = pattern.callback
        is_api = "api" in getattr(callback, "__module__", "") or bool(getattr(callback, "cls", None))
        routes.append(Route(name=name, callback=callback, params=params, is_api=is_api))
    return routes


ROUTES = all_routes()


def test_every_route_is_named_and_declares_access():
    problems = [r.name for r in ROUTES if r.name.startswith("<unnamed")]
    problems += [f"{r.name}: no access declaration" for r in ROUTES if access_of(r.callback) is None]
    problems += [
        f"{r.name}: takes org_slug but is not an organisation view"
        for r in ROUTES
        if "org_slug" in r.params and (a := access_of(r.callback)) is not None and a.kind != "org"
    ]
    assert not problems, "\n".join(problems)


def test_walk_covers_the_whole_project():
    """Guards the walker itself: if it silently found nothing, every other check would pass."""
    names = {r.name for r in ROUTES}
    assert {
        "org_home",
        "org_floor",
        "member_list",
        "team-list",
        "member-detail",
        "login",
        "api_me",
        "healthz",
    } <= names
    assert len(ROUTES) >= 30


# --- Filling URL arguments ------------------------------------------------------------------------
@dataclass
class World:
    org: Organization
    other_org: Organization
    principal: User | None
    foreign: bool = False  # fill object arguments with objects of another organisation / user
    built: dict[str, Any] = field(default_factory=dict)  # arguments filled so far, for dependent objects
    lead: Membership | None = None  # who manages the walk team in `org` (the `manager` principal)
    teams: dict[int, Team] = field(default_factory=dict)
    leads: dict[int, Membership] = field(default_factory=dict)

    @property
    def object_org(self) -> Organization:
        return self.other_org if self.foreign else self.org

    @property
    def object_team(self) -> Team:
        """The team the walker's objects belong to, managed by `object_lead`."""
        org = self.object_org
        if org.pk not in self.teams:
            lead = self.lead if (self.lead is not None and not self.foreign) else None
            lead = lead or factories.member(org, Role.MANAGER, name="Walk lead")
            self.teams[org.pk] = factories.team(org, "Walk team", managers=[lead])
            self.leads[org.pk] = lead
        return self.teams[org.pk]

    @property
    def object_lead(self) -> Membership:
        self.object_team  # noqa: B018 - made with the team
        return self.leads[self.object_org.pk]

    @property
    def object_admin(self) -> Membership:
        """Who sets the walker's objects up (the organisation's founding admin)."""
        return Membership.objects.filter(org=self.object_org, role=Role.ADMIN).order_by("pk").first()

    def teammate(self) -> Membership:
        return factories.member(self.object_org, Role.MEMBER, teams=[self.object_team])


def _team(world: World) -> int:
    """A sub-team of the walk team: the manager's reach includes the teams below theirs."""
    return factories.team(world.object_org, parent=world.object_team).pk


def _membership(world: World) -> int:
    return factories.member(world.object_org, Role.MEMBER, name="Walk member").pk


def _invitation(world: World) -> int:
    elsewhere = factories.member(factories.organization(), Role.MEMBER).user
    inviter = Membership.objects.filter(org=world.object_org, role=Role.ADMIN).first().user
    result = services.member_invite(
        org=world.object_org, email=elsewhere.email, display_name="x", role=Role.MEMBER, invited_by=inviter
    )
    return result.pending.pk


def _team_goal(world: World, **fields: Any):
    """A goal of the walk team, owned by one of its members, set up by the organisation's admin."""
    return factories.goal(world.object_org, world.teammate(), actor=world.object_admin, team=world.object_team,
                          scope="team", **fields)  # fmt: skip


def _goal(world: World) -> int:
    return _team_goal(world).pk


def _supporting_metric(world: World) -> int:
    from goals import services as goal_services
    from goals.models import Goal

    goal = Goal.objects.get(pk=world.built["goal_id"]) if "goal_id" in world.built else _team_goal(world)
    return goal_services.supporting_metric_save(
        goal=goal, actor=world.object_admin, kind="leading", name="Content pushes", weekly_target=Decimal(10)
    ).pk


def _goal_comment(world: World) -> int:
    from goals import services as goal_services

    goal = _team_goal(world)
    return goal_services.comment_add(goal=goal, author=goal.owner, body="Looks right").pk


def _revision(world: World) -> int:
    """A teammate asks to revise the team's goal, which serves a goal of the team's manager: the
    manager decides (the owner of the goal it serves, managing its team)."""
    from goals import services as goal_services

    parent = factories.goal(world.object_org, world.object_lead, actor=world.object_admin, team=world.object_team,
                            scope="team", status="active")  # fmt: skip
    goal = _team_goal(world, parent=parent, status="active")
    return goal_services.revision_request(
        goal=goal, requester=goal.owner, reason="market", comment="Competition", base=Decimal(90),
        challenge=Decimal(110), stretch=Decimal(130), effective_from=date(2026, 2, 1),
    ).pk  # fmt: skip


def _initiative(world: World) -> int:
    from plans import services as plan_services

    goal = _team_goal(world)
    return plan_services.initiative_create(
        org=world.object_org, actor=world.object_admin,
        data=plan_services.InitiativeInput(title="Walk initiative", goal=goal, owner=goal.owner,
                                           start_date=date(2026, 1, 5), due_date=date(2026, 1, 20)),
    ).pk  # fmt: skip


def _dependency(world: World) -> int:
    from plans import services as plan_services
    from plans.models import Initiative

    first = Initiative.objects.get(pk=_initiative(world))
    second = Initiative.objects.get(pk=_initiative(world))
    return plan_services.dependency_add(predecessor=first, successor=second, actor=world.object_admin).pk


def _squad(world: World) -> int:
    from plans import services as plan_services

    lead = factories.member(world.object_org, Role.MANAGER)
    return plan_services.squad_create(
        org=world.object_org, actor=lead, name=f"Squad {lead.pk}", lead=lead, members=[]
    ).pk


def _standup(world: World) -> int:
    from teams.selectors import org_today
    from tracking import services as tracking_services

    person = factories.member(world.object_org, Role.MEMBER)
    return tracking_services.standup_submit(
        member=person, actor=person,
        data=tracking_services.StandupInput(day=org_today(world.object_org), today="Walk the URLs"),
    ).pk  # fmt: skip


def _metric_entry(world: World) -> int:
    from datetime import timedelta

    from teams.selectors import org_today
    from tracking import services as tracking_services

    today = org_today(world.object_org)
    goal = _team_goal(
        world, status="active", start_date=today - timedelta(days=5), end_date=today + timedelta(days=5)
    )
    return tracking_services.entry_create(
        org=world.object_org, actor=world.object_admin,
        data=tracking_services.EntryInput(goal_id=goal.pk, value="3"),
    ).pk  # fmt: skip


def _alert(world: World) -> int:
    from tracking.models import Alert

    goal = _team_goal(world, status="active")
    return Alert.objects.create(
        org=world.object_org,
        kind="lagging_behind",
        dedupe_key=f"walk:{goal.pk}",
        goal=goal,
        raised_on=goal.start_date,
        deviation_pct=Decimal(12),
        since=goal.start_date,
    ).pk


def _corrective_action(world: World) -> int:
    from tracking.models import Alert, CorrectiveAction

    alert = Alert.objects.get(pk=_alert(world))
    return CorrectiveAction.objects.create(
        org=world.object_org,
        alert=alert,
        goal=alert.goal,
        description="More promotion",
        owner=alert.goal.owner,
        due_date=alert.goal.end_date,
    ).pk


def _channel(world: World) -> int:
    from tracking.models import NotificationChannel

    return NotificationChannel.objects.create(
        org=world.object_org, name="Walk", kind="slack", url="https://hooks.example.com/walk"
    ).pk


def _delivery(world: World) -> int:
    """A failed delivery (so that retrying it is possible)."""
    from tracking.models import Delivery

    channel_id = world.built.get("channel_id") or _channel(world)
    return Delivery.objects.create(channel_id=channel_id, event="walk", text="Walk", state="failed").pk


def _review(world: World) -> int:
    from tracking.models import Review

    team = factories.team(world.object_org, parent=world.object_team)
    return Review.objects.create(org=world.object_org, team=team, kind="week", start=date(2026, 11, 23)).pk


def _import_job(world: World) -> int:
    from tracking.models import ImportJob

    owner = factories.member(world.object_org, Role.MEMBER)
    return ImportJob.objects.create(org=world.object_org, created_by=owner, filename="values.csv", total=1).pk


def _scheme(world: World) -> int:
    from incentives.models import BonusScheme

    count = BonusScheme.objects.filter(org=world.object_org).count()
    return BonusScheme.objects.create(
        org=world.object_org, name=f"Walk scheme {count + 1}", target_bonus=1
    ).pk


def _payout_run(world: World) -> int:
    """A run in review (so adjusting and submitting are possible), with a unique period."""
    from incentives.models import PayoutRun, RunStatus

    count = PayoutRun.objects.filter(org=world.object_org).count()
    return PayoutRun.objects.create(
        org=world.object_org, start=date(2026, 1, 1), end=date(2026, 3, 31), version=count + 1,
        status=RunStatus.REVIEW,
    ).pk  # fmt: skip


def _payout_line(world: World) -> int:
    from incentives.models import PayoutLine, PayoutRun

    run_id = world.built.get("run_id") or world.built.get("pk") or _payout_run(world)
    run = PayoutRun.objects.get(pk=run_id)
    person = factories.member(run.org)
    return PayoutLine.objects.create(
        org=run.org, run=run, membership=person, name="Walk", scheme="Walk", base=1, target_bonus=1, attainment=1,
        bonus=1, commission=0, total=2,
    ).pk  # fmt: skip


def _locked_payout_run(world: World) -> int:
    from incentives.models import PayoutRun, RunStatus

    count = PayoutRun.objects.filter(org=world.object_org).count()
    return PayoutRun.objects.create(
        org=world.object_org, start=date(2026, 1, 1), end=date(2026, 3, 31), version=count + 1,
        status=RunStatus.LOCKED,
    ).pk  # fmt: skip


def _own_payout_line(world: World) -> int:
    """A line of the signed-in person (in their organisation): every role reads their own approved pay."""
    from incentives.models import PayoutLine, PayoutRun

    run = PayoutRun.objects.get(pk=world.built["pk"])
    person = Membership.objects.filter(org=run.org, user=world.principal).first() if world.principal else None
    person = person or factories.member(run.org)
    return PayoutLine.objects.create(
        org=run.org, run=run, membership=person, name="Walk", scheme="Walk", base=1, target_bonus=1, attainment=1,
        bonus=1, commission=0, total=2,
    ).pk  # fmt: skip


def _money_grant(world: World) -> int:
    from incentives.models import MoneyGrant

    manager = factories.member(world.object_org, Role.MANAGER)
    return MoneyGrant.objects.create(org=world.object_org, membership=manager, reason="Walk").pk


def _instant_rule(world: World) -> int:
    from recognition.models import InstantRewardRule

    # A new sub-team of the walk team each call: one rule per team and reward.
    team = factories.team(world.object_org, parent=world.object_team)
    return InstantRewardRule.objects.create(org=world.object_org, team=team, reward=f"Walk tea {team.pk}").pk


def _retro(world: World) -> int:
    """A retro of the walk team, collecting cards (a new period each call: one per key)."""
    from retros import services as retro_services

    start = date(2024, 1, 1) + timedelta(days=28 * world.object_team.retros.count())
    return retro_services.retro_start(team=world.object_team, actor=world.object_admin, kind="month",
                                      period_start=start, period_end=start + timedelta(days=27)).pk  # fmt: skip


def _closed_retro(world: World) -> int:
    """A closed retro of the walk team (what viewers read, and what exports)."""
    from retros import services as retro_services
    from retros.models import Retrospective

    retro = Retrospective.objects.get(pk=_retro(world))
    return retro_services.retro_close(retro=retro, actor=world.object_admin, summary="Walk summary").pk


def _retro_read(world: World) -> int:
    """A retro the principal reads: a viewer reads closed ones only, everyone else any."""
    viewer = world.principal is not None and not world.foreign and Membership.objects.filter(
        user=world.principal, org=world.org, role=Role.VIEWER
    ).exists()  # fmt: skip
    return _closed_retro(world) if viewer else _retro(world)


def _retro_card(world: World) -> int:
    from retros import services as retro_services
    from retros.models import Retrospective

    retro = Retrospective.objects.get(pk=_retro(world))
    return retro_services.card_add(retro=retro, actor=world.teammate(), kind="note", text="Walk card").pk


def _retro_action(world: World) -> int:
    from retros import services as retro_services
    from retros.models import Retrospective

    retro = Retrospective.objects.get(pk=_retro(world))
    return retro_services.action_add(retro=retro, actor=world.object_admin, description="Walk action",
                                     owner=world.teammate(), due_date=retro.period_end).pk  # fmt: skip


def _retro_lesson(world: World) -> int:
    from retros import services as retro_services
    from retros.models import Retrospective

    retro = Retrospective.objects.get(pk=_retro(world))
    lesson = retro_services.lesson_add(retro=retro, actor=world.object_admin, kind="keep", text="Walk lesson")
    # Published: the knowledge base's entry pages read it (and apply it to a goal).
    return retro_services.lesson_publish(lesson=lesson, actor=world.object_admin).pk


def _one_on_one(world: World):
    """A series between the walk team's manager and one of its members."""
    from people import services as people_services
    from teams.selectors import org_today

    return people_services.series_start(
        actor=world.object_lead, team=world.object_team, member=world.teammate(), cadence="weekly",
        next_date=org_today(world.object_org),
    )  # fmt: skip


def _series(world: World) -> int:
    return _one_on_one(world).pk


def _meeting(world: World) -> int:
    return _one_on_one(world).meetings.get().pk


def _pulse(world: World) -> int:
    """An organisation pulse, open today (so answering it is possible)."""
    from people import services as people_services
    from teams.selectors import org_today

    runner = world.object_admin
    today = org_today(world.object_org)
    return people_services.pulse_create(actor=runner, team=None, opens_on=today, closes_on=today).pk


def _pulse_schedule(world: World) -> int:
    """A pulse schedule of the walk team (its manager stops it; a manager of another team cannot)."""
    from people import services as people_services
    from people.models import PulseSchedule
    from teams.selectors import org_today

    existing = PulseSchedule.objects.filter(team=world.object_team, active=True).first()
    if existing is not None:
        return existing.pk
    return people_services.schedule_create(
        actor=world.object_lead, team=world.object_team, cadence="weekly", next_on=org_today(world.object_org),
        days_open=3, threshold=5,
    ).pk  # fmt: skip


def _token(world: World) -> int:
    owner = factories.user() if world.foreign or world.principal is None else world.principal
    token, _key = services.api_token_create(user=owner, name="walk")
    return token.pk


def _service_token(world: World) -> int:
    admin = world.object_admin
    token, _key = services.service_token_create(org=world.object_org, actor=admin, name="walk", scope="read")
    return token.pk


_domain_numbers = itertools.count(1)


def _domain(world: World) -> int:
    name = f"walk{next(_domain_numbers)}.example"
    return services.org_domain_add(org=world.object_org, domain=name, actor=world.object_admin.user).pk


KWARG_FIXTURES: dict[str, Callable[[World], Any]] = {
    "org_slug": lambda w: w.org.slug,
    "team_id": _team,
    "membership_id": _membership,
    "invitation_id": _invitation,
    "goal_id": _goal,
    "initiative_id": _initiative,
    "dependency_id": _dependency,
    "squad_id": _squad,
    "metric_id": _supporting_metric,
    "revision_id": _revision,
    "token_id": _token,
    "service_token_id": _service_token,
    "domain_id": _domain,
    "entry_id": _metric_entry,
    "alert_id": _alert,
    "job_id": _import_job,
    "scheme_id": _scheme,
    "run_id": _payout_run,
    "line_id": _payout_line,
    "action_id": _corrective_action,
    "standup_id": _standup,
    "channel_id": _channel,
    "delivery_id": _delivery,
    "rule_id": _instant_rule,
    "grant_id": _money_grant,
    "retro_id": _retro_read,
    "card_id": _retro_card,
    "retro_action_id": _retro_action,
    "lesson_id": _retro_lesson,
    "series_id": _series,
    "meeting_id": _meeting,
    "pulse_id": _pulse,
    "schedule_id": _pulse_schedule,
    "secret": lambda w: "not-a-valid-calendar-secret",
    "people_rule": lambda w: "people",
    "uidb64": lambda w: "MQ",
    "fmt": lambda w: "csv",
    "kind": lambda w: "lagging_behind",
    "token": lambda w: "not-a-valid-token",
    "provider_id": lambda w: "company",  # an identity provider (none configured in the walk: 404)
}
# Arguments that only carry a one-time token, not an object of an organisation or a user.
NOT_OBJECTS = {"org_slug", "uidb64", "token", "fmt", "kind", "provider_id", "people_rule", "secret"}
# DRF detail routes use `pk`: filled by route name.
PK_FIXTURES: dict[str, Callable[[World], Any]] = {
    "team-detail": _team,
    "member-detail": _membership,
    "member-resend-invitation": _membership,
    "invitation-detail": _invitation,
    "invitation-resend": _invitation,
    "goal-detail": _goal,
    "goal-status": _goal,
    "goal-targets": _goal,
    "goal-versions": _goal,
    "goal-decomposition-preview": _goal,
    "goal-decomposition-apply": _goal,
    "goal-split": _goal,
    "goal-history": _goal,
    "supporting-metric-detail": _supporting_metric,
    "goal-comment-detail": _goal_comment,
    "revision-detail": _revision,
    "revision-approve": _revision,
    "revision-reject": _revision,
    "initiative-detail": _initiative,
    "initiative-progress": _initiative,
    "dependency-detail": _dependency,
    "squad-detail": _squad,
    "standup-detail": _standup,
    "standup-resolve-blocker": _standup,
    "metric-entry-detail": _metric_entry,
    "alert-detail": _alert,
    "alert-acknowledge": _alert,
    "alert-resolve": _alert,
    "corrective-action-detail": _corrective_action,
    "corrective-action-progress": _corrective_action,
    "notification-channel-detail": _channel,
    "notification-channel-test": _channel,
    "notification-delivery-detail": _delivery,
    "notification-delivery-retry": _delivery,
    "review-detail": _review,
    "bonus-scheme-detail": _scheme,
    "bonus-scheme-assign": _scheme,
    "instant-reward-rule-detail": _instant_rule,
    "payout-run-detail": _payout_run,
    "payout-run-lines": _payout_run,
    "payout-run-adjust": _payout_run,
    "payout-run-submit": _payout_run,
    "payout-run-approve": _payout_run,
    "payout-run-return": _payout_run,
    "payout-run-new-version": _payout_run,
    "payout-run-retry": _payout_run,
    "payout-run-export": _payout_run,
    "service-token-detail": _service_token,
    "service-token-revoke": _service_token,
    "value-import-detail": _import_job,
    "payout-run-line": _locked_payout_run,
    "money-grant-detail": _money_grant,
    "money-grant-revoke": _money_grant,
    "retro-detail": _retro_read,
    "retro-phase": _retro,
    "retro-reveal-votes": _retro,
    "retro-facilitator": _retro,
    "retro-close": _retro,
    "retro-export": _closed_retro,
    "retro-card-detail": _retro_card,
    "retro-card-vote": _retro_card,
    "retro-card-unvote": _retro_card,
    "retro-card-group": _retro_card,
    "lesson-publish": _retro_lesson,
    "retro-action-set-status": _retro_action,
    "retro-action-convert": _retro_action,
}
# URL arguments filled differently for one route (route name, argument).
ROUTE_KWARG_FIXTURES: dict[tuple[str, str], Callable[[World], Any]] = {
    ("payout-run-line", "line_id"): _own_payout_line,
    ("retro_export", "retro_id"): _closed_retro,
    ("retro_export", "fmt"): lambda w: "md",
}


def build_url(route: Route, world: World) -> str:
    kwargs = {}
    for param in route.params:
        maker = (
            PK_FIXTURES.get(route.name)
            if param == "pk"
            else ROUTE_KWARG_FIXTURES.get((route.name, param), KWARG_FIXTURES.get(param))
        )
        if maker is None:
            pytest.fail(
                f"{route.name}: no fixture for URL argument {param!r}; add one to KWARG_FIXTURES/PK_FIXTURES"
            )
        kwargs[param] = world.built[param] = maker(world)
    world.built = {}
    return reverse(route.name, kwargs=kwargs)


def takes_objects(route: Route) -> bool:
    return any(param not in NOT_OBJECTS for param in route.params)


def methods_of(route: Route) -> list[str]:
    cls = getattr(route.callback, "cls", None)
    if cls is not None:
        actions = getattr(route.callback, "actions", None)
        if actions:
            return [m for m in actions if m in METHODS]
        return [m for m in METHODS if hasattr(cls, m)]
    view_class = getattr(route.callback, "view_class", None)
    if view_class is not None:
        return [m for m in ("get", "post") if hasattr(view_class, m)]
    return ["get", "post"]


def required_roles(route: Route, method: str) -> frozenset[str]:
    cls = getattr(route.callback, "cls", None)
    if cls is not None and hasattr(cls, "roles_for"):
        action = (getattr(route.callback, "actions", None) or {}).get(method)
        return cls.roles_for(action=action, method=method)
    access: Access = route.callback.stretch_access
    return access.roles_for(method)


def object_rule(route: Route, method: str) -> str | None:
    """The object rule a route declares for a method: TEAM_RULE, OPEN_RULE or None."""
    cls = getattr(route.callback, "cls", None)
    if cls is not None and hasattr(cls, "object_rule_for"):
        if method == "get":
            return None  # the API checks object rules on writes only
        action = (getattr(route.callback, "actions", None) or {}).get(method)
        return cls.object_rule_for(action=action)
    access: Access = route.callback.stretch_access
    return access.rule_for(method)


# Roles whose writes to a team's objects depend on the team (admins may do everything).
TEAM_BOUND_ROLES = {Role.MANAGER, Role.MEMBER}


def _send(client: Client, method: str, url: str, is_api: bool):
    if is_api:
        return getattr(client, method)(
            url, data={} if method != "get" else None, content_type="application/json"
        )
    return getattr(client, method)(url)


def _setup(principal: str):
    """The organisations, the signed-in user, and (for the `manager` principal) the membership that
    manages the walk team."""
    org = factories.organization(name="Walk org", slug="walk")
    other_org = factories.organization(name="Walk other", slug="walk-other")
    user: User | None = None
    lead: Membership | None = None
    client = Client()
    if principal == "outsider":
        user = factories.member(other_org, Role.ADMIN).user
    elif principal == "deactivated":
        membership = factories.member(org, Role.ADMIN)
        services.membership_set_active(membership=membership, active=False)
        user = membership.user
    elif principal == "other_manager":  # manages a team, but not the walk team nor one above it
        membership = factories.member(org, Role.MANAGER, name="Other manager")
        factories.team(org, "Elsewhere", managers=[membership])
        user = membership.user
    elif principal != "anonymous":
        membership = factories.member(org, principal)
        lead = membership if principal == Role.MANAGER else None
        user = membership.user
    if user is not None:
        client.force_login(user)
    return org, other_org, user, client, lead


def _relogin(client: Client, user: User | None) -> None:
    """Some writes (deactivate, delete) change the world; start each method afresh."""
    client.logout()
    if user is not None:
        Membership.objects.filter(user=user).update(is_active=True)
        client.force_login(user)


PRINCIPALS = ["anonymous", "outsider", "deactivated", *[r.value for r in Role], "other_manager"]


@pytest.mark.parametrize("route", ROUTES, ids=str)
@pytest.mark.parametrize("principal", PRINCIPALS)
def test_route_permissions(route: Route, principal: str, db):
    org, other_org, user, client, lead = _setup(principal)
    access = access_of(route.callback)
    assert access is not None, f"{route.name} declares no access"
    world = World(org=org, other_org=other_org, principal=user, lead=lead)
    role = Role.MANAGER if principal == "other_manager" else principal

    for method in methods_of(route):
        url = build_url(route, world)
        response = _send(client, method, url, route.is_api)
        where = f"{method.upper()} {url} as {principal}"
        assert response.status_code < 500, f"{where}: server error {response.status_code}"
        if access.kind == "public":
            assert response.status_code not in (401, 403), (
                f"{where}: public view refused ({response.status_code})"
            )
            continue
        if principal == "anonymous":
            if route.is_api:
                assert response.status_code == 401, f"{where}: expected 401, got {response.status_code}"
            else:
                assert response.status_code == 302, (
                    f"{where}: expected a sign-in redirect, got {response.status_code}"
                )
                assert response["Location"].startswith(reverse("login")), where
            continue
        if access.kind == "user":
            assert response.status_code not in (401, 403, 404), (
                f"{where}: signed-in user refused ({response.status_code})"
            )
            continue
        # Organisation views.
        if principal in ("outsider", "deactivated"):
            assert response.status_code == 404, f"{where}: expected 404, got {response.status_code}"
            continue
        rule = object_rule(route, method) if takes_objects(route) else None
        if (
            method != "get" and takes_objects(route) and role in TEAM_BOUND_ROLES
            and role in required_roles(route, method) and response.status_code != 405
        ):  # fmt: skip
            assert rule is not None, (
                f"{where}: writes to the object in its URL without an object rule: declare "
                "object_rule=TEAM_RULE or OPEN_RULE (teams.access; object_rule / action_object_rules in the API)"
            )
        if role not in required_roles(route, method):
            assert response.status_code == 403, f"{where}: expected 403, got {response.status_code}"
        elif rule == TEAM_RULE and principal not in (Role.ADMIN, Role.MANAGER):
            # Neither an admin nor the walk team's manager: the object is another team's.
            assert response.status_code == 403, (
                f"{where}: a write to another team's object must answer 403, got {response.status_code}"
            )
        else:
            assert response.status_code not in (401, 403, 404), (
                f"{where}: allowed role refused ({response.status_code})"
            )
        if method != "get":
            _relogin(client, user)


OBJECT_ROUTES = [
    r for r in ROUTES if takes_objects(r) and (a := access_of(r.callback)) and a.kind != "public"
]


def test_some_routes_take_objects():
    assert {"team_edit", "member-detail", "api_token_revoke"} <= {r.name for r in OBJECT_ROUTES}


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=str)
def test_an_object_of_another_organisation_or_user_answers_404(route: Route, db):
    """An admin of the URL's organisation (or the signed-in user, for their own things) asks for
    an object that belongs to another organisation (or user): 404, exactly as if it did not exist."""
    org, other_org, user, client, _lead = _setup(Role.ADMIN)
    world = World(org=org, other_org=other_org, principal=user, foreign=True)
    statuses = []
    for method in methods_of(route):
        url = build_url(route, world)
        response = _send(client, method, url, route.is_api)
        # 405 (a method the page does not take) is answered before any lookup, so it reveals nothing.
        assert response.status_code in (404, 405), (
            f"{method.upper()} {url}: expected 404, got {response.status_code}"
        )
        statuses.append(response.status_code)
    assert 404 in statuses, f"{route.name}: no method answered 404 for a foreign object"
    if route.is_api:
        assert set(statuses) == {404}, f"{route.name}: {statuses}"
