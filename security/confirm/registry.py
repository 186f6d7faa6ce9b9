"""The registry of operation kinds: what each confirmable operation is and who executes it.

An app declares its kinds with the decorator, in a module its ``AppConfig.ready`` imports (an
app's ``operations.py``; transfers keeps each executor beside its start service)::

    # transfers/services/own_intra.py
    KIND_INTRA = "transfers.intra"  # "<app>.<what>", at most KIND_NAME_MAX_LENGTH

    @operation_kind(KIND_INTRA, title="行内转账", requires_pin=True, requires_tool=False,
                    allow_sms=True)
    def intra_transfer_execute(*, operation: PendingOperation) -> dict:
        ...  # check again what may have changed, then post once (funds_move with
             # business_type=TransferBusinessType.INTRA_TRANSFER and
             # idempotency_key=operation.idempotency_key)
        return {"message": "¥100.00已实时转入收款账户", "receipt_url": ...,
                "lines": [["交易流水号", transfer.number]]}

    # transfers/apps.py
    def ready(self):
        from .services import execution, inter, outcome, own_intra  # noqa: F401

The start service calls ``operation_start(user=…, kind=KIND_INTRA, payload=…, summary=…,
medium=…)`` and the view redirects to ``redirect_to_confirm(operation)`` (ebank.core.web).

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


# --- what the result page says -----------------------------------------------------------------


class OutcomeTone(models.TextChoices):
    """How the result page's headline looks: done, accepted and still to happen, or refused."""

    SUCCESS = "success", "成功"
    PENDING = "pending", "已受理"
    FAILURE = "failure", "失败"
    NEUTRAL = "neutral", "其他"


@dataclass(frozen=True)
class OperationOutcome:
    """The result page of one operation, as its kind reads it from what was stored.

    ``headline``: one sentence for the outcome (转账成功 / 已受理，预计…到账 / 预约成功，将于…汇出 /
    处理中 / 转账失败：原因); ``status_label``: the one 交易状态 row; ``lines``: every other row,
    each label once (the page adds 交易时间 and 安全认证方式 from the operation); ``links``:
    (label, url) buttons beside 查看电子回单 (a drawn 借据's 还款计划).
    """

    headline: str
    tone: str
    status_label: str
    lines: list[tuple[str, str]]
    note: str = ""
    receipt_url: str = ""
    links: tuple[tuple[str, str], ...] = ()


ResultReader = Callable[..., "OperationOutcome | None"]
_results: dict[str, ResultReader] = {}


def operation_result(name: str) -> Callable[[ResultReader], ResultReader]:
    """Register ``fn(*, operation) -> OperationOutcome | None`` as the result page of kind
    ``name``. None (e.g. an expired operation that created nothing) falls back to the generic
    page built from the stored summary and the executor's returned lines."""

    def register(reader: ResultReader) -> ResultReader:
        _results[name] = reader
        return reader

    return register


def operation_result_reader(name: str) -> ResultReader | None:
    return _results.get(name)


def _qualified(fn: Callable) -> str:
    # Re-registering the same function (a module imported twice under test runners) is harmless.
    return f"{fn.__module__}.{fn.__qualname__}"
