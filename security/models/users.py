"""Users: a customer's e-banking login (one per customer) or a member of staff.

Customers log in with 登录名 (or, where enabled, ID number or reserved phone); counter
registrations start with the card number as 登录名 and must change the password at first
login. Five wrong passwords in a row lock login until the next business day (Asia/Shanghai) or
a teller's unlock. Staff belong to a branch; head-office staff see every branch.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models


class UserStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    SUSPENDED = "suspended", "暂停"
    CANCELLED = "cancelled", "注销"


class RegistrationChannel(models.TextChoices):
    COUNTER = "counter", "柜面注册"
    ONLINE = "online", "网上自助注册"


class User(AbstractUser):
    customer = models.OneToOneField(
        "accounts.Customer", verbose_name="客户", on_delete=models.PROTECT,
        null=True, blank=True, related_name="user",
    )
    # Staff only: the branch a teller works at (head office sees all branches).
    branch = models.ForeignKey(
        "accounts.Branch", verbose_name="所属行社", on_delete=models.PROTECT,
        null=True, blank=True, related_name="staff",
    )
    status = models.CharField("网银状态", max_length=16, choices=UserStatus.choices,
                              default=UserStatus.ACTIVE)
    registration_channel = models.CharField("注册渠道", max_length=16,
                                            choices=RegistrationChannel.choices, blank=True)
    registered_at = models.DateTimeField("注册时间", null=True, blank=True)
    registered_by = models.ForeignKey("self", verbose_name="经办柜员", on_delete=models.PROTECT,
                                      null=True, blank=True, related_name="+")
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    failed_logins = models.PositiveSmallIntegerField("连续登录失败次数", default=0)
    # Locked while this equals today's business date; a new day or a teller's unlock clears it.
    login_locked_on = models.DateField("登录锁定日期", null=True, blank=True)
    reserved_message = models.CharField("预留信息", max_length=60, blank=True)
    login_by_id_number = models.BooleanField("允许证件号码登录", default=False)
    login_by_phone = models.BooleanField("允许手机号登录", default=False)
    # 登录设置管理: a new login name takes effect from the next login.
    pending_username = models.CharField("新登录名（下次登录生效）", max_length=150, blank=True)
    previous_login_at = models.DateTimeField("上次登录时间", null=True, blank=True)
    previous_login_ip = models.GenericIPAddressField("上次登录IP", null=True, blank=True)
    last_login_ip = models.GenericIPAddressField("本次登录IP", null=True, blank=True)
    # The one live session (SEC-SESSION): a new login ends the previous one.
    live_session_key = models.CharField("当前会话", max_length=64, blank=True)
    # Staff only: five wrong passwords or 动态口令 in a row lock the admin login until head
    # office unlocks it (员工管理: security.staff.people.staff_unlock); ``failed_logins`` counts them.
    staff_locked_at = models.DateTimeField("柜员登录锁定时间", null=True, blank=True)

    class Meta:
        # The admin lists customers' logins under this name; staff are 员工管理 (StaffMember).
        verbose_name = "网银用户"
        verbose_name_plural = "网银用户"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(customer__isnull=True) | models.Q(branch__isnull=True),
                name="security_user_customer_or_staff",
            ),
        ]

    @property
    def is_customer(self) -> bool:
        return self.customer_id is not None

    @property
    def is_head_office(self) -> bool:
        return self.is_superuser or bool(self.branch_id and self.branch.is_head_office)
