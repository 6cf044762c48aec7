from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = _("Goals")

    def ready(self) -> None:
        from teams.demo import seed_demo_extensions
        from teams.scale import seed_scale_extensions, seed_scale_resets

        from .demo import seed_goals
        from .scale import reset_goal_scale, seed_goal_scale

        if seed_goals not in seed_demo_extensions:
            seed_demo_extensions.append(seed_goals)
        if seed_goal_scale not in seed_scale_extensions:
            seed_scale_extensions.append(seed_goal_scale)
        if reset_goal_scale not in seed_scale_resets:
            seed_scale_resets.append(reset_goal_scale)
