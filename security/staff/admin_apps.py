"""The admin app with the staff admin site (password + TOTP) as ``admin.site``.

Django's documented way to replace the default site: INSTALLED_APPS lists this config instead
of ``django.contrib.admin``, and ``admin.site`` / ``@admin.register`` everywhere then mean the
OTP site. Kept apart from ``admin_site.py`` because app configs are imported before models.
"""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "security.staff.admin_site.StaffAdminSite"
