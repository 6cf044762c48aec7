from django.apps import AppConfig


class WeComConfig(AppConfig):
    name = "teams.wecom"
    label = "stretch_wecom"
    verbose_name = "WeCom sign-in"
