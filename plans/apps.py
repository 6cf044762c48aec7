from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans")

    def ready(self) -> None:
        from teams.demo import seed_demo_extensions
        from teams.hooks import team_highlight_providers
        from teams.scale import seed_scale_extensions, seed_scale_resets

        from .demo import seed_plan
        from .history import register as register_history
        from .scale import reset_plan_scale, seed_plan_scale
        from .selectors import small_wins

        if small_wins not in team_highlight_providers:
            team_highlight_providers.append(small_wins)
        register_history()  # the plan's sentences in a goal's history
        if seed_plan not in seed_demo_extensions:
            seed_demo_extensions.append(seed_plan)
        if seed_plan_scale not in seed_scale_extensions:
            seed_scale_extensions.append(seed_plan_scale)
        if reset_plan_scale not in seed_scale_resets:
            seed_scale_resets.insert(0, reset_plan_scale)  # before the goals they protect
