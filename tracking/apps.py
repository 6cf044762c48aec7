from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = _("Tracking")

    def ready(self) -> None:
        from goals.progress import progress_providers
        from teams.demo import seed_demo_extensions
        from teams.hooks import shell_context_providers

        from .demo import seed_tracking
        from .selectors import inbox_context, latest_attainment

        if latest_attainment not in progress_providers:
            progress_providers.append(latest_attainment)
        if inbox_context not in shell_context_providers:
            shell_context_providers.append(inbox_context)
        if seed_tracking not in seed_demo_extensions:
            seed_demo_extensions.append(seed_tracking)
