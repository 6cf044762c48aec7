"""Cards and votes. An anonymous card stores no author — only a keyed hash that lets its author
remove it — and its audit entry names no actor, so no page, API, export or audit can reveal who
wrote it. Votes are limited per person (the retro's `votes_per_person`)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from goals.models import Revision, SupportingMetric
from plans.models import Initiative
from teams.errors import NotAllowed
from teams.models import Membership
from teams.services import audit_diff, audit_record
from tracking.selectors.results import period_alerts

from .. import selectors
from ..models import (
    CARD_LIMIT,
    Card,
    CardKind,
    CauseCategory,
    EvidenceKind,
    FactorCategory,
    Retrospective,
    Vote,
)
from ._common import SCOPE, raise_if, text_errors

TOKEN_LIMIT = 40


def _evidence_exists(retro: Retrospective, kind: str, pk: int) -> bool:
    """The evidence belongs to the organisation (and, for an alert, to the retro's goals)."""
    goal_ids = list(retro.goals.values_list("pk", flat=True))
    if kind == EvidenceKind.ALERT:
        alerts = period_alerts(
            org=retro.org, goal_ids=goal_ids, start=retro.period_start, end=retro.period_end
        )
        return any(a.alert_id == pk for a in alerts)
    if kind == EvidenceKind.INITIATIVE:
        return Initiative.objects.filter(org_id=retro.org_id, pk=pk).exists()
    if kind == EvidenceKind.METRIC:
        return SupportingMetric.objects.filter(goal__org_id=retro.org_id, pk=pk).exists()
    if kind == EvidenceKind.REVISION:
        return Revision.objects.filter(goal__org_id=retro.org_id, pk=pk).exists()
    return False


@transaction.atomic
def card_add(
    *, retro: Retrospective, actor: Membership, kind: str, text: str, category: str = "", evidence_kind: str = "",
    evidence_id: int | None = None, token: str = "",
) -> Card:  # fmt: skip
    """A person of the team adds a card, before or during the meeting (until it closes). With the
    same form token (a double-clicked submit) the card is added once and returned again."""
    selectors.can_take_part(member=actor, retro=retro).require()
    errors: dict[str, list[str]] = {}
    text_errors(errors, "text", text, required=_("Write something on the card."), limit=CARD_LIMIT)
    if kind not in CardKind.values:
        errors["kind"] = [_("Choose a cause, a success factor or an observation.")]
    elif kind == CardKind.CAUSE and category not in CauseCategory.values:
        errors["category"] = [
            _("Choose the cause: strategy, resources, external change, execution or other.")
        ]
    elif kind == CardKind.FACTOR and category not in FactorCategory.values:
        errors["category"] = [
            _("Choose the factor: innovative method, collaboration, resources, market or other.")
        ]
    elif kind == CardKind.NOTE:
        category = ""
    if evidence_kind:
        if evidence_kind not in EvidenceKind.values:
            errors["evidence_kind"] = [_("Choose an alert, an initiative, a metric or a revision.")]
        elif evidence_id is None or not _evidence_exists(retro, evidence_kind, evidence_id):
            errors["evidence_id"] = [_("No such evidence in this retrospective's goals.")]
    if len(token) > TOKEN_LIMIT:
        errors["token"] = [_("This form has expired: reload the page.")]
    raise_if(errors)
    key = selectors.author_key(retro_id=retro.pk, member_id=actor.pk)
    if token and (same := Card.objects.filter(retro=retro, author_key=key, token=token).first()):
        return same
    anonymous = retro.anonymous_cards
    card = Card(org_id=retro.org_id, retro=retro, kind=kind, category=category, text=text.strip(),
                author=None if anonymous else actor, author_key=key, anonymous=anonymous,
                evidence_kind=evidence_kind if evidence_kind else "", evidence_id=evidence_id if evidence_kind else None,
                token=token)  # fmt: skip
    card.full_clean(exclude=["token"])
    try:
        with transaction.atomic():
            card.save()
    except IntegrityError:  # the double click's twin got there first
        return Card.objects.get(retro=retro, author_key=key, token=token)
    # An anonymous card's audit entry names nobody: no actor, no author.
    audit_record(org=retro.org, actor=None if anonymous else actor.user, action="retro_card.create", target=card,
                 changes={"retro": [None, retro.pk], "kind": [None, kind], "category": [None, category]},
                 scope=SCOPE)  # fmt: skip
    return card


def _card_author(card: Card, actor: Membership) -> bool:
    return card.author_key == selectors.author_key(retro_id=card.retro_id, member_id=actor.pk)


@transaction.atomic
def card_delete(*, card: Card, actor: Membership) -> None:
    """Its author (anonymous or not) or the facilitator removes a card, until the retro closes."""
    retro = card.retro
    if not (_card_author(card, actor) and selectors.can_take_part(member=actor, retro=retro)):
        selectors.can_facilitate(member=actor, retro=retro).require()
    audit_record(org=retro.org, actor=None if card.anonymous else actor.user, action="retro_card.delete",
                 target=card, changes={"retro": [retro.pk, None]}, scope=SCOPE)  # fmt: skip
    card.delete()


@transaction.atomic
def card_edit(*, card: Card, actor: Membership, text: str | None = None, category: str | None = None) -> Card:
    """Its author (anonymous or not) rewrites a card's text or category, until the retro closes;
    the facilitator may move a card to another category (not change its words). The audit entry of an anonymous card names nobody and keeps no text."""
    retro = card.retro
    author = _card_author(card, actor) and bool(selectors.can_take_part(member=actor, retro=retro))
    if not author:
        selectors.can_facilitate(member=actor, retro=retro).require()
        if text is not None:
            raise NotAllowed(_("Only its author changes what a card says."))
    errors: dict[str, list[str]] = {}
    if text is not None:
        text_errors(errors, "text", text, required=_("Write something on the card."), limit=CARD_LIMIT)
    if category is not None:
        allowed = {CardKind.CAUSE: CauseCategory.values, CardKind.FACTOR: FactorCategory.values}.get(
            CardKind(card.kind), [""]
        )  # fmt: skip
        if category not in allowed:
            errors["category"] = [_("Choose a category of this kind of card.")]
    raise_if(errors)
    before: dict[str, object] = {"category": card.category}
    if text is not None:
        card.text = text.strip()
    if category is not None:
        card.category = category
    card.full_clean(exclude=["token"])
    card.save(update_fields=["text", "category"])
    audit_record(org=retro.org, actor=None if card.anonymous else actor.user, action="retro_card.update",
                 target=card, changes=audit_diff(before, {"category": card.category}), scope=SCOPE)  # fmt: skip
    return card


@transaction.atomic
def card_group(*, card: Card, actor: Membership, group_label: str) -> Card:
    """The facilitator groups cards under a label (empty: ungrouped)."""
    selectors.can_facilitate(member=actor, retro=card.retro).require()
    if len(group_label) > 80:
        raise ValidationError({"group_label": [_("At most %(limit)s characters (this one has %(count)s).")
                                               % {"limit": 80, "count": len(group_label)}]})  # fmt: skip
    card.group_label = group_label.strip()
    card.save(update_fields=["group_label"])
    return card


@transaction.atomic
def vote_set(*, card: Card, actor: Membership, voted: bool) -> bool:
    """Vote for a card (`voted`) or take the vote back; doing it twice changes nothing (an API
    client that retries). Refused beyond the votes per person, as `vote_toggle`."""
    mine = Vote.objects.filter(card=card, voter=actor).exists()
    if mine == voted:
        selectors.can_take_part(member=actor, retro=card.retro).require()
        return voted
    return vote_toggle(card=card, actor=actor)


@transaction.atomic
def vote_toggle(*, card: Card, actor: Membership) -> bool:
    """Vote for a card, or take the vote back. Refused beyond the retro's votes per person (two
    votes at once are counted one after the other: the person's row is locked). Returns whether
    the person now votes for the card."""
    retro = card.retro
    selectors.can_take_part(member=actor, retro=retro).require()
    Membership.objects.select_for_update().filter(pk=actor.pk).first()  # one vote of a person at a time
    mine = Vote.objects.filter(card=card, voter=actor).first()
    if mine is not None:
        mine.delete()
        return False
    used = Vote.objects.filter(retro=retro, voter=actor).count()
    if used >= retro.votes_per_person:
        raise ValidationError({"vote": [_("You have used your %(n)s votes: take one back to vote for this card.")
                                        % {"n": retro.votes_per_person}]})  # fmt: skip
    Vote.objects.create(org_id=retro.org_id, retro=retro, card=card, voter=actor)
    return True
