"""Every read of the teams app. Reads of tenant data always take the organisation."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import Verdict, allow, refuse
from ..models import (
    ApiToken,
    AuditEntry,
    Heartbeat,
    LoginAttempt,
    Membership,
    Organization,
    OutboxJob,
    PendingInvitation,
    Role,
    Team,
    User,
)
from .sign_in import (
    break_glass_candidates as break_glass_candidates,
)
from .sign_in import (
    can_sign_in_with_password as can_sign_in_with_password,
)
from .sign_in import (
    can_work_without_mfa as can_work_without_mfa,
)
from .sign_in import (
    mfa_enabled as mfa_enabled,
)
from .sign_in import (
    mfa_required_org as mfa_required_org,
)
from .sign_in import (
    org_domain_get as org_domain_get,
)
from .sign_in import (
    org_domain_list as org_domain_list,
)
from .sign_in import (
    sso_connected_provider_ids as sso_connected_provider_ids,
)
from .sign_in import (
    sso_join_domain as sso_join_domain,
)


def membership_for_user(*, user: User, org_slug: str) -> Membership:
    """The one way from a request to an organisation: the user's active membership in the
    organisation with this slug. Missing organisation and "not yours" give the same 404."""
    try:
        membership = Membership.objects.select_related("org").get(
            org__slug=org_slug, user_id=user.pk, is_active=True, user__is_active=True
        )
    except Membership.DoesNotExist:
        raise Http404("No organisation found.") from None
    membership.user = user  # the signed-in account itself: not read (and built) a second time
    return membership


def organization_list_for_user(*, user: User) -> QuerySet[Organization]:
    return Organization.objects.filter(memberships__user_id=user.pk, memberships__is_active=True).order_by(
        "name"
    )


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user_id=user.pk, is_active=True).select_related("org").order_by("org__name")
    )


def team_list(*, org: Organization) -> QuerySet[Team]:
    return (
        Team.objects.filter(org=org)
        .select_related("parent")
        .annotate(member_count=Count("members", filter=Q(members__is_active=True), distinct=True))
        .prefetch_related(Prefetch("managers", queryset=Membership.objects.select_related("user")))
        .order_by("name")
    )


def team_get(*, org: Organization, team_id: int) -> Team:
    try:
        return Team.objects.select_related("parent").get(org=org, pk=team_id)
    except Team.DoesNotExist:
        raise Http404("No team found.") from None


def team_count(*, org: Organization) -> int:
    """How many teams the organisation has (one COUNT; the home page needs no tree for it)."""
    return Team.objects.filter(org=org).count()


def team_tree(*, org: Organization) -> list[tuple[Team, int]]:
    """All teams of the organisation in tree order, each with its depth (one query)."""
    teams = list(team_list(org=org))
    children: dict[int | None, list[Team]] = {}
    for team in teams:
        children.setdefault(team.parent_id, []).append(team)
    ordered: list[tuple[Team, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for team in children.get(parent_id, []):
            ordered.append((team, depth))
            walk(team.pk, depth + 1)

    walk(None, 0)
    return ordered


# --- Team scope: how far a manager's rights reach ------------------------------------------------
# Within a request (teams.middleware.AccessDeclarationMiddleware opens `team_scope_cache`), each
# person's reach is read once, however many rows a page decides about; outside one (jobs, tests
# calling services) it is read each time, so it is never stale.
_scope_cache: ContextVar[dict[tuple[str, int], frozenset[int]] | None] = ContextVar(
    "stretch_team_scope_cache", default=None
)


@contextmanager
def team_scope_cache() -> Iterator[None]:
    token = _scope_cache.set({})
    try:
        yield
    finally:
        _scope_cache.reset(token)


def _remembered(kind: str, member: Membership, compute: Callable[[], frozenset[int]]) -> frozenset[int]:
    cache = _scope_cache.get()
    if cache is None or member.pk is None:
        return compute()
    key = (kind, member.pk)
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def managed_team_ids(*, member: Membership) -> frozenset[int]:
    """The teams this person manages and every team below them (teams nest): the reach of a
    manager's rights to change goals, plans, reviews, alerts, rhythms and budgets. One query for
    the whole organisation's tree, whatever its depth (once per request); empty for someone who
    manages nothing. The role is not looked at here: callers combine it with the role (see
    `can_manage_team`)."""
    if member.pk is None or not member.is_active:
        return frozenset()

    def compute() -> frozenset[int]:
        managed = Team.managers.through.objects.filter(team_id=OuterRef("pk"), membership_id=member.pk)
        rows = list(
            Team.objects.filter(org_id=member.org_id)
            .annotate(managed=Exists(managed))
            .order_by()
            .values_list("pk", "parent_id", "managed")
        )
        children: dict[int | None, list[int]] = {}
        for pk, parent_id, _managed in rows:
            children.setdefault(parent_id, []).append(pk)
        reach: set[int] = set()
        stack = [pk for pk, _parent_id, managed_here in rows if managed_here]
        while stack:
            current = stack.pop()
            if current not in reach:
                reach.add(current)
                stack.extend(children.get(current, []))
        return frozenset(reach)

    return _remembered("managed", member, compute)


def member_team_ids(*, member: Membership) -> frozenset[int]:
    """The teams this person belongs to (one query, once per request)."""
    if member.pk is None:
        return frozenset()
    return _remembered("teams", member, lambda: frozenset(member.teams.values_list("pk", flat=True)))


def can_manage_team(*, member: Membership, team_id: int | None) -> Verdict:
    """Whether this person changes what belongs to a team (its goals, plans, reviews, rhythm,
    budget, alerts): an admin for every team; a manager for the teams they manage and every team
    below them; nobody else."""
    if team_id is not None and member.is_active:
        if member.role == Role.ADMIN:
            return allow()
        if member.role == Role.MANAGER and team_id in managed_team_ids(member=member):
            return allow()
    return refuse(_("Only an admin or a manager of this team, or of a team above it, changes this."))


def membership_list(
    *, org: Organization, team: Team | None = None, role: str | None = None, search: str | None = None
) -> QuerySet[Membership]:
    qs = (
        Membership.objects.filter(org=org)
        .select_related("user")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("-is_active", "user__display_name", "user__email")
    )
    if team is not None:
        qs = qs.filter(teams=team)
    if role:
        qs = qs.filter(role=role)
    if search:
        qs = qs.filter(Q(user__display_name__icontains=search) | Q(user__email__icontains=search))
    return qs


def membership_get(*, org: Organization, membership_id: int) -> Membership:
    try:
        return Membership.objects.select_related("user").get(org=org, pk=membership_id)
    except Membership.DoesNotExist:
        raise Http404("No member found.") from None


def admin_count(*, org: Organization) -> int:
    return Membership.objects.filter(org=org, role=Role.ADMIN, is_active=True, user__is_active=True).count()


def can_create_organization(*, user: User) -> Verdict:
    """Anyone signed in creates an organisation when the deployment allows it
    (ALLOW_ORGANIZATION_CREATION); otherwise only superusers (the 403 page keeps its generic
    sentence)."""
    return allow() if settings.ALLOW_ORGANIZATION_CREATION or user.is_superuser else refuse("")


def can_accept_invitation(*, invitation: PendingInvitation, user: User) -> Verdict:
    """Only the invited account accepts an invitation (whoever else follows the link is told to
    sign in as that person)."""
    if invitation.user_id != user.pk:
        return refuse(_("This invitation is for another account. Sign in as the invited person."))
    return allow()


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """A person's own tokens (organisation service tokens belong to their organisation instead)."""
    return (
        ApiToken.objects.filter(user_id=user.pk, org__isnull=True)
        .select_related("created_by")
        .order_by("-created_at")
    )


def can_manage_service_tokens(*, member: Membership | None, org: Organization) -> Verdict:
    """Organisation service tokens are created, seen and revoked by the organisation's admins."""
    if member is None or member.org_id != org.pk or not member.is_active or member.role != Role.ADMIN:
        return refuse(_("Only admins manage the organisation's service tokens."), field="org")
    return allow()


def service_token_list(*, org: Organization) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(org=org).select_related("created_by").order_by("-created_at")


def service_token_lists(*, user: User) -> list[tuple[Organization, list[ApiToken]]]:
    """For the tokens page: the service tokens of each organisation the person administers
    (two queries)."""
    orgs = list(
        Organization.objects.filter(
            memberships__user_id=user.pk, memberships__is_active=True, memberships__role=Role.ADMIN
        ).order_by("name")
    )
    tokens: dict[int, list[ApiToken]] = {o.pk: [] for o in orgs}
    for token in ApiToken.objects.filter(org__in=orgs).select_related("created_by").order_by("-created_at"):
        tokens[token.org_id].append(token)  # type: ignore[index]
    return [(o, tokens[o.pk]) for o in orgs]


def service_token_get(*, org: Organization, token_id: int) -> ApiToken:
    try:
        return ApiToken.objects.select_related("org", "created_by").get(org=org, pk=token_id)
    except ApiToken.DoesNotExist:
        raise Http404("No token found.") from None


def membership_for_service_token(*, token: ApiToken, org_slug: str) -> Membership:
    """The acting membership of an organisation service token, for its own organisation only
    (any other organisation: 404, as for a person who is not a member)."""
    try:
        return Membership.with_services.select_related("org", "user").get(
            org_id=token.org_id, org__slug=org_slug, user_id=token.user_id, is_service=True, is_active=True
        )
    except Membership.DoesNotExist:
        raise Http404("No organisation found.") from None


def api_token_get(*, user: User, token_id: int) -> ApiToken:
    try:
        return ApiToken.objects.get(user_id=user.pk, pk=token_id)
    except ApiToken.DoesNotExist:
        raise Http404("No token found.") from None


def login_lockout_remaining(*, username: str, ip: str | None, now: datetime | None = None) -> int:
    """Seconds until sign-in is allowed again for this account or address (0 = not locked).
    Locked when LOGIN_THROTTLE_LIMIT failures happened within LOGIN_THROTTLE_WINDOW; the lock
    lifts one window after the failure that completed the limit."""
    now = now or timezone.now()
    window = settings.LOGIN_THROTTLE_WINDOW
    limit = settings.LOGIN_THROTTLE_LIMIT
    since = now - window
    remaining = 0
    conditions = [Q(username=username.lower())]
    if ip:
        conditions.append(Q(ip=ip))
    for condition in conditions:
        failures = list(
            LoginAttempt.objects.filter(condition, succeeded=False, at__gte=since)
            .order_by("-at")
            .values_list("at", flat=True)[:limit]
        )
        if len(failures) >= limit:
            lifts_at = failures[0] + window
            remaining = max(remaining, int((lifts_at - now).total_seconds()) + 1)
    return remaining


def outbox_backlog() -> dict[str, int]:
    """How many jobs wait in the outbox for the queue, and how long the oldest has waited (s)."""
    oldest = OutboxJob.objects.order_by("created_at").values_list("created_at", flat=True).first()
    return {
        "pending": OutboxJob.objects.count(),
        "oldest_seconds": round((timezone.now() - oldest).total_seconds()) if oldest else 0,
    }


def heartbeat_latest(*, limit: int = 60) -> list[Heartbeat]:
    return list(Heartbeat.objects.order_by("-slot")[:limit])


def heartbeat_overview(*, limit: int = 120) -> dict[str, object]:
    """The scheduler's recent heartbeats for the system page: the last ten, a chart of each slot's
    delay (oldest first, in the current time zone like the table beside it), and whether the last
    beat is fresh (no older than three intervals)."""
    beats = heartbeat_latest(limit=limit)
    chart = [
        {
            "slot": timezone.localtime(b.slot).strftime("%Y-%m-%d %H:%M:%S"),
            "delay": round((b.recorded_at - b.slot).total_seconds(), 2),
        }
        for b in beats
    ]
    last = beats[0] if beats else None
    stale_after = settings.HEARTBEAT_INTERVAL_SECONDS * 3
    return {
        "beats": beats[:10],
        "chart": list(reversed(chart)),
        "last_beat": last,
        "beat_is_fresh": bool(last and (timezone.now() - last.recorded_at).total_seconds() <= stale_after),
        "interval": settings.HEARTBEAT_INTERVAL_SECONDS,
    }


def pending_invitation_list(*, org: Organization) -> QuerySet[PendingInvitation]:
    """Open invitations of existing accounts, waiting to be accepted."""
    return (
        PendingInvitation.objects.filter(org=org, accepted_at=None, cancelled_at=None)
        .select_related("user", "invited_by")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("-created_at")
    )


def pending_invitation_get(*, org: Organization, invitation_id: int) -> PendingInvitation:
    try:
        return PendingInvitation.objects.select_related("user").get(org=org, pk=invitation_id)
    except PendingInvitation.DoesNotExist:
        raise Http404("No invitation found.") from None


def audit_list(
    *,
    org: Organization,
    target_type: str | None = None,
    target_id: int | None = None,
    scope: str | None = None,
) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.filter(org=org).select_related("actor").order_by("-at", "-id")
    if target_type:
        qs = qs.filter(target_type=target_type)
    if target_id is not None:
        qs = qs.filter(target_id=target_id)
    if scope:
        qs = qs.filter(scope=scope)
    return qs


def org_today(org: Organization, now: datetime | None = None) -> date:
    """Today in the organisation's time zone: the one definition of "today" (pages, jobs outside any
    request and the demo all ask it, never the server's UTC date)."""
    return timezone.localdate(now or timezone.now(), timezone=zoneinfo.ZoneInfo(org.timezone))
