from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans")

    def ready(self) -> None:
        from teams.demo import seed_demo_extensions

        from .demo import seed_plan

        if seed_plan not in seed_demo_extensions:
            seed_demo_extensions.append(seed_plan)
