from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Organisations and teams")

    def ready(self) -> None:
        from . import schema  # noqa: F401  (registers the OpenAPI extension)
        from .api_strict import strict_json_types
        from .sync import connect_data_version

        strict_json_types()
        connect_data_version()
