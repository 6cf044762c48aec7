"""Alert rules: an organisation's setting for each rule (admins)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from teams.models import Membership, Organization, Role
from tracking import selectors
from tracking.models import AlertRule, RuleKind

RULE_LIMITS: dict[str, tuple[Decimal, Decimal]] = {
    RuleKind.LAGGING_BEHIND: (Decimal(1), Decimal(100)),  # % behind the expected pace
    RuleKind.LEADING_BELOW: (Decimal(1), Decimal(12)),  # completed weeks below target, running
    RuleKind.STANDUP_MISSED: (Decimal(1), Decimal(20)),  # working days without a stand-up
}


def rule_save(
    *,
    org: Organization,
    actor: Membership,
    kind: str,
    enabled: bool,
    threshold: Decimal | None,
    escalate_after_days: int,
) -> AlertRule:
    """An organisation's setting for one alert rule (admins)."""
    errors: dict[str, list[str]] = {}
    if actor.role != Role.ADMIN or actor.org_id != org.pk:
        errors["__all__"] = [_("Only admins change the alert rules.")]
    if kind not in RuleKind.values:
        raise ValidationError({"kind": [_("No such rule.")]})

    def named(problem: str) -> str:  # the page lists every rule: say which one is refused
        return _("%(rule)s: %(problem)s") % {"rule": RuleKind(kind).label, "problem": problem}

    default_threshold, _days = selectors.RULE_DEFAULTS.get(kind, (Decimal(0), 3))
    limits = RULE_LIMITS.get(kind)
    value = default_threshold if threshold is None or limits is None else threshold
    if limits is not None and (not value.is_finite() or not limits[0] <= value <= limits[1]):
        errors["threshold"] = [
            named(_("Between %(low)s and %(high)s.") % {"low": limits[0], "high": limits[1]})
        ]
    elif limits is not None and kind != RuleKind.LAGGING_BEHIND and value != value.to_integral_value():
        errors["threshold"] = [named(_("A whole number."))]
    elif limits is not None and value.as_tuple().exponent < -2:  # type: ignore[operator]
        errors["threshold"] = [named(_("Use at most 2 decimal places."))]
    if not 1 <= escalate_after_days <= 60:
        errors["escalate_after_days"] = [named(_("Between %(low)s and %(high)s.") % {"low": 1, "high": 60})]
    if errors:
        raise ValidationError(errors)
    rule, _created = AlertRule.objects.update_or_create(
        org=org, kind=kind,
        defaults={"enabled": enabled, "threshold": value, "escalate_after_days": escalate_after_days},
    )  # fmt: skip
    return rule
