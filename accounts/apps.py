from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    label = "accounts"
    verbose_name = "账户管理"

    def ready(self):
        from . import nightly  # noqa: F401  (registers the nightly batch steps)
