from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from teams.demo import seed_demo_extensions

        from .demo import seed_people

        if seed_people not in seed_demo_extensions:
            seed_demo_extensions.append(seed_people)
