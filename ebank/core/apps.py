from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ebank.core"
    label = "core"
    verbose_name = "公共核心"
