from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "recognition"
    verbose_name = _("Recognition")

    def ready(self) -> None:
        from teams.demo import seed_demo_extensions
        from teams.hooks import team_highlight_providers

        from .demo import seed_recognition
        from .selectors import instant_reward_highlights

        if instant_reward_highlights not in team_highlight_providers:
            team_highlight_providers.append(instant_reward_highlights)
        if seed_recognition not in seed_demo_extensions:
            seed_demo_extensions.append(seed_recognition)
