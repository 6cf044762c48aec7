"""The one-on-one reminder: the day before (and on the day, if that was missed), both people get
an e-mail. Beat runs it every hour; a meeting is claimed with one conditional UPDATE
(`reminded_at` from empty to now), so two beats, a retried job or a second worker remind once."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from teams.models import Organization
from teams.selectors import org_today

from ..models import Meeting
from ..tasks import email_one_on_one_reminder


def one_on_one_reminders(*, org: Organization) -> list[int]:
    """Claim the organisation's open meetings of today and tomorrow that nobody reminded yet, and
    queue their e-mails after commit. Returns the meetings claimed by this run (none on a rerun)."""
    today = org_today(org)
    due = list(
        Meeting.objects.filter(org=org, held_at__isnull=True, reminded_at__isnull=True, series__active=True,
                               day__gte=today, day__lte=today + timedelta(days=1)).values_list("pk", flat=True)
    )  # fmt: skip
    claimed = []
    now = timezone.now()
    for meeting_id in due:
        with transaction.atomic():
            if Meeting.objects.filter(pk=meeting_id, reminded_at__isnull=True).update(reminded_at=now):
                claimed.append(meeting_id)
                transaction.on_commit(
                    lambda pk=meeting_id: email_one_on_one_reminder.delay(meeting_id=pk)  # type: ignore[misc]
                )
    return claimed


def one_on_one_reminder_send(*, meeting_id: int) -> int:
    """E-mail both people of a meeting, each in their language. Returns the e-mails sent."""
    meeting = (
        Meeting.objects.select_related("series__manager__user", "series__member__user", "org")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None or meeting.held_at is not None:
        return 0
    series = meeting.series
    sent = 0
    url = settings.SITE_URL.rstrip("/") + reverse("people_meeting", args=[meeting.org.slug, meeting.pk])
    for person, other in ((series.manager, series.member), (series.member, series.manager)):
        user = person.user
        with translation.override(user.language or meeting.org.default_language):
            subject = _("One-on-one with %(name)s on %(day)s") % {
                "name": other.user.get_full_name(), "day": meeting.day.isoformat(),
            }  # fmt: skip
            body = _("Add your talking points before you meet: %(url)s") % {"url": url}
        sent += send_mail(subject, body, None, [user.email])
    return sent
