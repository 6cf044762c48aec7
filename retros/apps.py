from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetrosConfig(AppConfig):
    name = "retros"
    verbose_name = _("Retros")
