from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetrosConfig(AppConfig):
    name = "retros"
    verbose_name = _("Retros")

    def ready(self) -> None:
        from goals.hooks import draft_panel_providers, goal_created_hooks, goal_panel_providers
        from teams.demo import seed_demo_extensions
        from teams.hooks import home_panel_providers

        from .demo import seed_retros
        from .selectors import applied_lessons_panel, draft_retro_panel, lessons_for_draft, practices_panel
        from .services import lessons_apply_to_new_goal

        if draft_retro_panel not in home_panel_providers:
            home_panel_providers.append(draft_retro_panel)
        if lessons_for_draft not in draft_panel_providers:
            draft_panel_providers.append(lessons_for_draft)
        if practices_panel not in home_panel_providers:
            home_panel_providers.append(practices_panel)
        if applied_lessons_panel not in goal_panel_providers:
            goal_panel_providers.append(applied_lessons_panel)
        if lessons_apply_to_new_goal not in goal_created_hooks:
            goal_created_hooks.append(lessons_apply_to_new_goal)
        if seed_retros not in seed_demo_extensions:
            seed_demo_extensions.append(seed_retros)
        _register_people_rules()


def _register_people_rules() -> None:
    """Who the retros forms' person pickers offer: a facilitator is a manager or a member."""
    from teams.people_picker import active_people, register_people_rule

    register_people_rule(
        "retro-facilitator", lambda org, actor: active_people(org).filter(role__in=["manager", "member"])
    )
