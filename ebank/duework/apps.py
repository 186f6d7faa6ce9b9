from django.apps import AppConfig


class DueworkConfig(AppConfig):
    name = "ebank.duework"
    label = "duework"
    verbose_name = "延时任务"
