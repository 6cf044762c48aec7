from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from teams.demo import seed_demo_extensions
        from teams.hooks import team_highlight_providers

        from .demo import seed_people
        from .selectors.wins import small_win_highlights

        if seed_people not in seed_demo_extensions:
            seed_demo_extensions.append(seed_people)
        if small_win_highlights not in team_highlight_providers:
            team_highlight_providers.append(small_win_highlights)
