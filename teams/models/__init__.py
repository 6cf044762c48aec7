"""Tenancy core: users, organisations (the tenant), teams, memberships with roles (core); who may
get in: sign-in domains, invitations, API tokens, sign-in attempts (access); the platform's own
rows: heartbeat, outbox, audit trail (ops). Every model is re-exported here."""

from .access import (
    SERVICE_TOKEN_SCOPES,
    ApiToken,
    LoginAttempt,
    OrgDomain,
    PendingInvitation,
    TokenScope,
)
from .core import (
    RESERVED_SLUGS,
    Currency,
    Membership,
    Month,
    Organization,
    PeopleManager,
    Role,
    Team,
    User,
    UserManager,
    slug_validator,
    validate_timezone,
)
from .ops import (
    AuditEntry,
    Heartbeat,
    OutboxJob,
    Tombstone,
)

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Currency",
    "Heartbeat",
    "LoginAttempt",
    "Membership",
    "Month",
    "OrgDomain",
    "Organization",
    "OutboxJob",
    "PendingInvitation",
    "PeopleManager",
    "RESERVED_SLUGS",
    "Role",
    "SERVICE_TOKEN_SCOPES",
    "Team",
    "Tombstone",
    "TokenScope",
    "User",
    "UserManager",
    "slug_validator",
    "validate_timezone",
]
