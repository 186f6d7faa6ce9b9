from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "security"
    label = "security"
    verbose_name = "安全与客户服务"

    def ready(self):
        from . import nightly  # noqa: F401  (registers the nightly batch steps)

        # Register the confirmation kinds of 安全中心 and 客户服务 (X-CONFIRM executors).
        from .center import operations  # noqa: F401

        # The staff admin lives in security/staff/ (Django's autodiscover looks only for
        # security/admin.py). The admin app is first in INSTALLED_APPS, so its autodiscover has
        # run: django_otp's TOTPDevice admin is registered before staff.admin replaces it.
        from .staff import admin  # noqa: F401
        from .tools import checks  # noqa: F401  (the SMS channel's system checks)
