"""Users of the site: customers (linked to a core-banking customer) and bank staff."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A login. Customers log in with 登录名; staff use the admin. Extended by the security issue."""

    customer = models.OneToOneField(
        "accounts.Customer",
        verbose_name="客户",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user",
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
