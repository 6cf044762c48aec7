from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = _("Incentives")

    def ready(self) -> None:
        from teams.demo import seed_demo_extensions

        from .demo import seed_incentives

        if seed_incentives not in seed_demo_extensions:
            seed_demo_extensions.append(seed_incentives)
