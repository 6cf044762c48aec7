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
        self._connect_pulse_version()

    @staticmethod
    def _connect_pulse_version() -> None:
        """What can change a closed pulse's answers moves the organisation's pulse version on
        (people.selectors.spreads): a cached spread is never read after its rows changed."""
        from django.db.models.signals import post_delete, post_save

        from teams.models import Team

        from .models import Pulse, PulseAnswer
        from .selectors.spreads import on_answers_changed

        for model, signals in ((Team, (post_delete,)), (Pulse, (post_save, post_delete)),
                               (PulseAnswer, (post_save, post_delete))):  # fmt: skip
            for signal in signals:
                signal.connect(on_answers_changed, sender=model,
                               dispatch_uid=f"pulse-version-{model.__name__}-{id(signal)}")  # fmt: skip
