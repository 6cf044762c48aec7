from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = _("Goals")

    def ready(self) -> None:
        from teams.demo import seed_demo_extensions
        from teams.scale import seed_scale_extensions, seed_scale_resets
        from teams.sync import track_deletions

        from .demo import seed_goals
        from .models import Goal
        from .signals import targets_changed

        # A goal's targets are part of its row: a change moves its updated_at (?updated_since=).
        track_deletions(Goal, resource="goals")
        _connect_progress_cache()
        targets_changed.connect(_touch_goal, dispatch_uid="goals-targets-touch")
        from .scale import reset_goal_scale, seed_goal_scale

        if seed_goals not in seed_demo_extensions:
            seed_demo_extensions.append(seed_goals)
        if seed_goal_scale not in seed_scale_extensions:
            seed_scale_extensions.append(seed_goal_scale)
        if reset_goal_scale not in seed_scale_resets:
            seed_scale_resets.append(reset_goal_scale)


def _connect_progress_cache() -> None:
    """A goal or target version saved or deleted moves the cached roll-up's version on."""
    from django.db.models.signals import post_delete, post_save

    from .models import Goal, TargetVersion
    from .progress_cache import on_progress_write

    for model in (Goal, TargetVersion):
        for name, signal in (("saved", post_save), ("deleted", post_delete)):
            signal.connect(
                on_progress_write, sender=model, dispatch_uid=f"goals-progress-{model.__name__}-{name}"
            )


def _touch_goal(sender: object, goal: object, **kwargs: object) -> None:
    from django.utils import timezone

    from .models import Goal

    Goal.objects.filter(pk=goal.pk).update(updated_at=timezone.now())  # type: ignore[attr-defined]
