from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = _("Incentives")

    def ready(self) -> None:
        from teams.demo import seed_demo_extensions
        from teams.scale import seed_scale_extensions, seed_scale_resets

        from .demo import seed_incentives
        from .scale import reset_incentives_scale, seed_incentives_scale

        if seed_incentives not in seed_demo_extensions:
            seed_demo_extensions.append(seed_incentives)
        if seed_incentives_scale not in seed_scale_extensions:
            seed_scale_extensions.append(seed_incentives_scale)
        if reset_incentives_scale not in seed_scale_resets:
            seed_scale_resets.insert(0, reset_incentives_scale)
        _register_people_rules()
        from teams.access import PEOPLE_WITH_MONEY
        from teams.sync import track_deletions

        from .models import PayoutLine

        track_deletions(
            PayoutLine,
            resource="payout-lines",
            may_read=lambda member: member.role in PEOPLE_WITH_MONEY and not member.is_service,
        )


def _register_people_rules() -> None:
    """Who the incentives forms' person pickers offer: the selectors their services check."""
    from teams.people_picker import register_people_rule

    from .selectors import grantable_managers

    register_people_rule("grantable-manager", lambda org, actor: grantable_managers(org=org))
