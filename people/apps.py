from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from teams.demo import seed_demo_extensions
        from teams.hooks import home_panel_providers, team_highlight_providers

        from .demo import seed_people, seed_pulses
        from .panels import pulse_home_panel
        from .selectors.wins import small_win_highlights

        if seed_people not in seed_demo_extensions:
            seed_demo_extensions.append(seed_people)
        if seed_pulses not in seed_demo_extensions:
            seed_demo_extensions.append(seed_pulses)
        if small_win_highlights not in team_highlight_providers:
            team_highlight_providers.append(small_win_highlights)
        if pulse_home_panel not in home_panel_providers:
            home_panel_providers.append(pulse_home_panel)
