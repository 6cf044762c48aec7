from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetrosConfig(AppConfig):
    name = "retros"
    verbose_name = _("Retros")

    def ready(self) -> None:
        from teams.hooks import home_panel_providers

        from .selectors import draft_retro_panel

        if draft_retro_panel not in home_panel_providers:
            home_panel_providers.append(draft_retro_panel)
