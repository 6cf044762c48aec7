from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans")

    def ready(self) -> None:
        from teams.demo import seed_demo_extensions
        from teams.hooks import team_highlight_providers
        from teams.people_picker import register_people_rule
        from teams.scale import seed_scale_extensions, seed_scale_resets

        from .demo import seed_plan
        from .history import register as register_history
        from .scale import reset_plan_scale, seed_plan_scale
        from .selectors import initiative_owners, small_wins

        self._connect_plan_version()
        from teams.sync import track_deletions

        from .models import Initiative

        track_deletions(Initiative, resource="initiatives")
        register_people_rule("initiative-owner", initiative_owners)  # who may own an initiative

        if small_wins not in team_highlight_providers:
            team_highlight_providers.append(small_wins)
        register_history()  # the plan's sentences in a goal's history
        if seed_plan not in seed_demo_extensions:
            seed_demo_extensions.append(seed_plan)
        if seed_plan_scale not in seed_scale_extensions:
            seed_scale_extensions.append(seed_plan_scale)
        if reset_plan_scale not in seed_scale_resets:
            seed_scale_resets.insert(0, reset_plan_scale)  # before the goals they protect

    @staticmethod
    def _connect_plan_version() -> None:
        """Every write to what a plan's analysis reads moves the organisation's plan version on
        (plans.cache): a cached analysis is never read after its data changed."""
        from django.db.models.signals import post_delete, post_save

        from goals.models import Goal

        from .cache import on_plan_write
        from .models import Capacity, Dependency, Initiative, TeamBudget

        for model in (Initiative, Dependency, Capacity, TeamBudget, Goal):
            for signal in (post_save, post_delete):
                signal.connect(on_plan_write, sender=model, dispatch_uid=f"plan-version-{model.__name__}")
