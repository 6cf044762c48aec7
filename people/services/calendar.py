"""The secret calendar feed address (ICS) of a person: regenerating it replaces the secret (the old
address answers 404 at once), revoking deletes it. The secret is never written to the audit."""

from __future__ import annotations

import secrets

from django.db import transaction

from teams.models import Membership
from teams.services import audit_record

from ..models import CalendarFeed
from .pulses import SCOPE


@transaction.atomic
def calendar_feed_regenerate(*, member: Membership) -> CalendarFeed:
    """Give the person a new secret address (their first, or one replacing the old)."""
    secret = secrets.token_urlsafe(32)
    feed, created = CalendarFeed.objects.update_or_create(
        member=member, defaults={"org": member.org, "secret": secret}
    )
    audit_record(org=member.org, actor=member.user, action="calendar_feed.create" if created else "calendar_feed.regenerate",
                 target=feed, scope=SCOPE)  # fmt: skip
    return feed


@transaction.atomic
def calendar_feed_revoke(*, member: Membership) -> bool:
    """Delete the person's address; returns whether there was one."""
    deleted, _rows = CalendarFeed.objects.filter(member=member).delete()
    if deleted:
        audit_record(
            org=member.org, actor=member.user, action="calendar_feed.revoke", target=member, scope=SCOPE
        )
    return bool(deleted)
