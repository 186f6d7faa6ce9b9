"""The registry of operation kinds: what each confirmable operation is and who executes it.

An app declares its kinds with the decorator, in a module its ``AppConfig.ready`` imports::

    # transfers/operations.py
    @operation_kind("transfer_intra", title="行内转账", requires_pin=True, requires_tool=False)
    def transfer_intra_execute(*, operation: PendingOperation) -> dict:
        ...  # post with idempotency_key=operation.idempotency_key
        return {"message": "转账成功", "receipt_url": ...}

    # transfers/apps.py
    def ready(self):
        from . import operations  # noqa: F401  (registers the kinds)

The registry is a plain dict filled by those imports: no dynamic imports, no string paths, so
"go to definition" from a kind name leads to its executor.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models

Executor = Callable[..., dict[str, Any]]

# SmsCode.purpose holds the kind name (the code is issued for one purpose).
KIND_NAME_MAX_LENGTH = 32

TOOL_REQUIRED_MESSAGE = "该交易需使用USBKey或数字令牌，请到我行网点申领安全认证工具"
TOOL_UNUSABLE_MESSAGE = "您的安全认证工具已锁定或不可用，请携带有效身份证件到我行任意网点办理"


class AuthMethod(models.TextChoices):
    """安全认证方式, in the order the confirmation page offers them."""

    USBKEY = "usbkey", "USBKey证书"
    TOKEN = "token", "数字令牌"
    SMS = "sms", "短信验证码"


# What the credential field is called for each method.
CREDENTIAL_LABELS = {
    AuthMethod.USBKEY: "证书密码",
    AuthMethod.TOKEN: "令牌动态码",
    AuthMethod.SMS: "短信验证码",
}


@dataclass(frozen=True)
class OperationKind:
    name: str
    title: str
    requires_pin: bool
    requires_tool: bool
    allow_sms: bool
    executor: Executor

    @property
    def sms_allowed(self) -> bool:
        """SMS codes are the tool-less partial service; a kind that needs a tool never takes one."""
        return self.allow_sms and not self.requires_tool


_kinds: dict[str, OperationKind] = {}


def operation_kind(name: str, *, title: str, requires_pin: bool, requires_tool: bool,
                   allow_sms: bool = True) -> Callable[[Executor], Executor]:
    """Register ``fn(*, operation) -> dict`` as the executor of operation kind ``name``.

    ``requires_pin``: the confirmation asks for the 交易密码 of ``operation.medium``.
    ``requires_tool``: only a USBKey or digital token may confirm (wealth, loans, limit raises,
    mobile banking); customers without one are refused with :data:`TOOL_REQUIRED_MESSAGE`.
    ``allow_sms``: customers without a tool may confirm with an SMS code (X-TOOLS partial service).
    """
    if not name or len(name) > KIND_NAME_MAX_LENGTH:
        raise ImproperlyConfigured(f"业务种类名称须为1-{KIND_NAME_MAX_LENGTH}个字符: {name!r}")

    def register(executor: Executor) -> Executor:
        existing = _kinds.get(name)
        if existing is not None and _qualified(existing.executor) != _qualified(executor):
            raise ImproperlyConfigured(
                f"业务种类 {name!r} 已由 {_qualified(existing.executor)} 注册"
            )
        _kinds[name] = OperationKind(name=name, title=title, requires_pin=requires_pin,
                                     requires_tool=requires_tool, allow_sms=allow_sms,
                                     executor=executor)
        return executor

    return register


def operation_kind_get(name: str) -> OperationKind:
    """The registered kind; an unknown name is a programming error (the app never registered it)."""
    try:
        return _kinds[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"未注册的业务种类 {name!r}：请在该应用的 AppConfig.ready 中导入其 operation_kind 模块"
        ) from None


def operation_kinds() -> dict[str, OperationKind]:
    return dict(_kinds)


def _qualified(fn: Callable) -> str:
    # Re-registering the same function (a module imported twice under test runners) is harmless.
    return f"{fn.__module__}.{fn.__qualname__}"
