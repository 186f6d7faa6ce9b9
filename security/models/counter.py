"""业务受理单: the slip every counter action prints, in two copies (bank and customer)."""

from django.conf import settings
from django.db import models


class CounterAction(models.TextChoices):
    REGISTER = "register", "网上银行注册"
    QUERY = "query", "注册信息查询"
    CANCEL = "cancel", "网上银行注销"
    SUSPEND = "suspend", "暂停网上银行服务"
    RESUME = "resume", "恢复网上银行服务"
    TOOL_ISSUE = "tool_issue", "安全认证工具申领绑定"
    TOOL_REPLACE = "tool_replace", "安全认证工具更换"
    TOOL_CANCEL = "tool_cancel", "安全认证工具注销"
    TOOL_UNLOCK = "tool_unlock", "证书解锁"
    PASSWORD_RESET = "password_reset", "登录密码重置"
    LOGIN_UNLOCK = "login_unlock", "登录解锁"
    WRITTEN_LOSS = "written_loss", "书面挂失"
    LOSS_RELEASE = "loss_release", "解除挂失"


# Every counter action's code → label: security's own above, and what menu apps register with
# security.staff.counter.actions.counter_action (deposits' 利先得开户 …). A callable of choices,
# so a new action needs no migration of the slips.
_ACTION_LABELS: dict[str, str] = dict(CounterAction.choices)


def counter_action_label_register(code: str, label: str) -> None:
    existing = _ACTION_LABELS.get(code)
    if existing is not None and existing != str(label):
        from django.core.exceptions import ImproperlyConfigured
        raise ImproperlyConfigured(f"柜面业务 {code!r} 已注册为“{existing}”")
    _ACTION_LABELS[code] = str(label)


def counter_action_choices() -> list[tuple[str, str]]:
    """Every registered (code, label): ``CounterReceipt.action``'s choices."""
    return list(_ACTION_LABELS.items())


class CounterReceipt(models.Model):
    number = models.CharField("受理单号", max_length=32, unique=True)
    action = models.CharField("业务种类", max_length=32, choices=counter_action_choices)
    customer = models.ForeignKey("accounts.Customer", verbose_name="客户", on_delete=models.PROTECT,
                                 related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办柜员",
                              on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey("accounts.Branch", verbose_name="受理行社", on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField("受理时间", auto_now_add=True)
    # What the slip prints besides the header: never a password, PIN or full ID number.
    detail = models.JSONField("业务要素", default=dict)

    class Meta:
        verbose_name = "业务受理单"
        verbose_name_plural = "业务受理单"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.get_action_display()}"
