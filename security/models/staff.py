"""员工管理's proxies: staff as head office manages them, and their admin 动态口令 devices.

* ``StaffMember`` — a ``User`` with no customer and ``is_staff`` (a teller, supervisor or head
  office member), listed and changed only through ``security.staff.people``.
* ``StaffOTPDevice`` — django-otp's ``TOTPDevice`` as 员工动态口令: the admin lists the staff's
  devices in Chinese under this app (the plugin's own English admin is unregistered). A proxy:
  django-otp's ``device_classes`` skips proxies, so a device is still found once at login.
"""

from django.db import models
from django_otp.plugins.otp_totp.models import TOTPDevice

from .users import User


class StaffMemberManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(customer__isnull=True, is_staff=True)


class StaffMember(User):
    objects = StaffMemberManager()

    class Meta:
        proxy = True
        verbose_name = "员工"
        verbose_name_plural = "员工管理"


class StaffOTPDeviceManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(user__customer__isnull=True, user__is_staff=True)


class StaffOTPDevice(TOTPDevice):
    objects = StaffOTPDeviceManager()

    class Meta:
        proxy = True
        verbose_name = "员工动态口令"
        verbose_name_plural = "员工动态口令"
