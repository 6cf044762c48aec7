from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = _("Tracking")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from goals.models import Goal, SupportingMetric, TargetVersion
        from goals.progress import measure_providers, status_label_providers
        from goals.progress_cache import on_progress_write
        from goals.signals import targets_changed
        from teams.demo import seed_demo_extensions
        from teams.hooks import home_panel_providers, shell_context_providers
        from teams.scale import seed_scale_extensions, seed_scale_resets

        from .dashboard_cache import goal_changed
        from .demo import seed_tracking
        from .models import IndicatorSnapshot
        from .scale import reset_tracking_scale, seed_tracking_scale
        from .selectors import inbox_context, latest_measures
        from .services import recompute_on_target_change
        from .views import standup_home_panel

        _register_people_rules()
        _register_sync()

        if latest_measures not in measure_providers:
            measure_providers.append(latest_measures)
        if indicator_status_labels not in status_label_providers:
            status_label_providers.append(indicator_status_labels)
        # A snapshot written one at a time (a bulk recompute moves the version itself).
        post_save.connect(
            on_progress_write, sender=IndicatorSnapshot, dispatch_uid="tracking-progress-snapshot-saved"
        )
        if standup_home_panel not in home_panel_providers:
            home_panel_providers.append(standup_home_panel)
        if inbox_context not in shell_context_providers:
            shell_context_providers.append(inbox_context)
        targets_changed.connect(
            recompute_on_target_change, dispatch_uid="tracking-recompute-on-target-change"
        )
        for model in (Goal, TargetVersion, SupportingMetric):
            post_save.connect(
                goal_changed, sender=model, dispatch_uid=f"tracking-dashboard-{model.__name__}-saved"
            )
        post_delete.connect(
            goal_changed, sender=SupportingMetric, dispatch_uid="tracking-dashboard-metric-deleted"
        )
        if seed_tracking not in seed_demo_extensions:
            seed_demo_extensions.append(seed_tracking)
        if seed_tracking_scale not in seed_scale_extensions:
            seed_scale_extensions.append(seed_tracking_scale)
        if reset_tracking_scale not in seed_scale_resets:
            seed_scale_resets.insert(0, reset_tracking_scale)  # values and alerts before the goals and people


def indicator_status_labels() -> dict[str, str]:
    from .models import IndicatorStatus

    return {code: str(label) for code, label in IndicatorStatus.choices}


def _register_sync() -> None:
    """What integrators mirror (teams.sync): alerts leave tombstones through a signal; metric values
    from the services that delete them (a signal would stop Django's fast deletes of millions of
    values); a deleted supporting metric takes its values with it. Stand-ups are never deleted but
    with their person or organisation."""
    from django.db.models.signals import pre_delete

    from goals.models import SupportingMetric
    from teams.sync import record_deletions, register_resource, track_deletions

    from .models import Alert, MetricEntry

    track_deletions(Alert, resource="alerts")
    register_resource("metric-entries")
    register_resource("standups")

    def metric_values_go(sender: object, instance: SupportingMetric, **kwargs: object) -> None:
        ids = list(MetricEntry.objects.filter(supporting_metric=instance).values_list("pk", flat=True))
        record_deletions(org_id=instance.goal.org_id, resource="metric-entries", ids=ids)

    pre_delete.connect(
        metric_values_go, sender=SupportingMetric, weak=False, dispatch_uid="tombstones-metric"
    )


def _register_people_rules() -> None:
    """Who the tracking forms' person pickers offer: the selectors their services check."""
    from teams.people_picker import register_people_rule

    from .selectors import action_owners, value_people

    register_people_rule("action-owner", lambda org, actor: action_owners(org=org))
    register_people_rule(
        "value-person",
        lambda org, actor: value_people(actor=actor) if actor is not None else action_owners(org=org).none(),
    )
