from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = _("Tracking")

    def ready(self) -> None:
        from goals.progress import progress_providers

        from .selectors import latest_attainment

        if latest_attainment not in progress_providers:
            progress_providers.append(latest_attainment)
