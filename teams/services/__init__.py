"""Every write of the teams app: keyword-only, typed, transactional. One module per sub-domain,
re-exported here so that callers (``from teams import services``) and Celery tasks keep their names:

- ``organisations``: organisations and their teams;
- ``members``: invitations and memberships (role, teams, access);
- ``accounts``: a person's profile and language, API tokens, sign-in throttling, the heartbeat;
- ``audit``: the audit trail;
- ``mfa``: two-factor authentication (TOTP, recovery codes);
- ``sign_in``: an organisation's verified domains (auto-join) and single sign-on requirement;
- ``outbox``: jobs written with the change that needs them, sent to the queue after commit."""

from __future__ import annotations

from .accounts import (
    TOKEN_PREFIX,
    api_token_create,
    api_token_revoke,
    api_token_touch,
    hash_token_key,
    heartbeat_record,
    login_attempt_record,
    login_attempts_prune,
    service_token_create,
    user_set_language,
    user_update_profile,
)
from .audit import (
    audit_diff,
    audit_record,
    audit_record_many,
)
from .members import (
    INVITATION_MAX_AGE,
    INVITATION_SALT,
    InviteResult,
    invitation_email_send,
    invitation_token,
    member_invitation_resend,
    member_invite,
    membership_set_active,
    membership_update,
    pending_invitation_accept,
    pending_invitation_cancel,
    pending_invitation_from_token,
    pending_invitation_resend,
    set_password_path,
)
from .mfa import mfa_deactivate, mfa_recovery_codes_regenerate, mfa_totp_activate
from .organisations import (
    organization_create,
    organization_update,
    team_create,
    team_delete,
    team_update,
)
from .outbox import outbox_drain, outbox_enqueue
from .sign_in import (
    org_domain_add,
    org_domain_remove,
    org_domain_set_auto_join,
    org_domain_verify,
    org_sign_in_update,
    sso_auto_join,
)

__all__ = [
    "mfa_deactivate",
    "mfa_recovery_codes_regenerate",
    "mfa_totp_activate",
    "org_domain_add",
    "org_domain_remove",
    "org_domain_set_auto_join",
    "org_domain_verify",
    "org_sign_in_update",
    "sso_auto_join",
    "outbox_drain",
    "outbox_enqueue",
    "INVITATION_MAX_AGE",
    "INVITATION_SALT",
    "InviteResult",
    "TOKEN_PREFIX",
    "service_token_create",
    "api_token_create",
    "api_token_revoke",
    "api_token_touch",
    "audit_diff",
    "audit_record",
    "audit_record_many",
    "hash_token_key",
    "heartbeat_record",
    "invitation_email_send",
    "invitation_token",
    "login_attempt_record",
    "login_attempts_prune",
    "member_invitation_resend",
    "member_invite",
    "membership_set_active",
    "membership_update",
    "organization_create",
    "organization_update",
    "pending_invitation_accept",
    "pending_invitation_cancel",
    "pending_invitation_from_token",
    "pending_invitation_resend",
    "set_password_path",
    "team_create",
    "team_delete",
    "team_update",
    "user_set_language",
    "user_update_profile",
]
