from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "recognition"
    verbose_name = _("Recognition")

    def ready(self) -> None:
        from teams.demo import seed_demo_extensions
        from teams.hooks import (
            recognition_prompt_providers,
            recognition_received_providers,
            team_highlight_providers,
        )

        from .demo import seed_recognition
        from .prompts import nomination_prompt
        from .received import received_recognition
        from .selectors import instant_reward_highlights

        _register_people_rules()

        if instant_reward_highlights not in team_highlight_providers:
            team_highlight_providers.append(instant_reward_highlights)
        if nomination_prompt not in recognition_prompt_providers:
            recognition_prompt_providers.append(nomination_prompt)
        if received_recognition not in recognition_received_providers:
            recognition_received_providers.append(received_recognition)
        if seed_recognition not in seed_demo_extensions:
            seed_demo_extensions.append(seed_recognition)


def _register_people_rules() -> None:
    """Who the recognition forms' person pickers offer: the selectors their services check."""
    from teams.models import Membership
    from teams.people_picker import active_people, register_people_rule

    from .selectors import manageable_people

    def colleagues(org: Any, actor: Any) -> Any:  # a nomination is for someone else
        people = active_people(org)
        return people.exclude(pk=actor.pk) if actor is not None else people

    def manageable(org: Any, actor: Any) -> Any:
        return manageable_people(actor=actor) if actor is not None else Membership.objects.none()

    register_people_rule("colleague", colleagues)
    register_people_rule("manageable-person", manageable)
