"""The prompt the recognition app offers other apps (through `teams.hooks.recognition_prompt_providers`)
to recognise a colleague: a link to this month's nomination form, filled in with the person and the
reason (e.g. a small win of the people app, which never imports this app)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from teams.access import CONTRIBUTORS
from teams.hooks import RecognitionPrompt
from teams.models import Membership

from .models import TEXT_LIMIT


def nomination_prompt(
    viewer: Membership, nominee_id: int, nominee_name: str, reason: str
) -> RecognitionPrompt | None:
    """Anyone who nominates (members, managers, admins) may nominate a colleague, not themself."""
    if not viewer.is_active or viewer.role not in CONTRIBUTORS or viewer.pk == nominee_id:
        return None
    query = urlencode({"nominee": nominee_id, "reason": reason[:TEXT_LIMIT]})
    url = f"{reverse('recognition_index', args=[viewer.org.slug])}?{query}#nominate"
    return RecognitionPrompt(
        label=_("Nominate %(name)s for star of the month") % {"name": nominee_name}, url=url
    )
