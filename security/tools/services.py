"""The security tools' public API (X-TOOLS): import from here.

USBKey certificates (usbkey), digital tokens (token), SMS and SMS codes (sms), the bank CA (ca),
the life-cycle steps a teller's counter operation wraps with its audit row and 业务受理单:
unlock, cancel, mark replaced; and what transfers and the counter's work call: the 短信服务
balance alerts of a posted entry (alerts) and the customer as the limit engine sees them
(subject). Design and caveats: docs/security-tools.md.
"""


from django.db import router, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from ebank.core.sql import columns, fetch_all, loaded, raw_sql_usable
from security.models import SecurityTool, ToolStatus

from .alerts import sms_balance_alerts_send
from .ca import BankCA, bank_ca_ensure, bank_ca_init, bank_ca_load
from .errors import ToolError, ToolLocked
from .sms import (
    HttpSmsBackend,
    OutboxSmsBackend,
    SmsBackend,
    sms_backend,
    sms_code_issue,
    sms_code_verify,
    sms_code_wait_seconds,
    sms_outbox_latest_code,
    sms_send,
    subscriber_sms_send,
)
from .subject import limit_subject_for
from .token import (
    TOKEN_OCRA_SUITE,
    TokenLocked,
    token_answer,
    token_answer_for,
    token_challenge,
    token_issue,
    token_secret_base32,
    token_verify,
)
from .usbkey import (
    LIVE_STATUSES,
    usbkey_issue,
    usbkey_password_reset,
    usbkey_sign,
    usbkey_verify,
)

__all__ = [
    "limit_subject_for", "sms_balance_alerts_send",
    "TOKEN_OCRA_SUITE", "BankCA", "OutboxSmsBackend", "TokenLocked", "token_answer",
    "token_answer_for", "token_challenge", "SmsBackend", "ToolError", "ToolLocked", "bank_ca_ensure",
    "bank_ca_init", "bank_ca_load", "sms_backend", "sms_code_issue", "sms_code_verify",
    "sms_code_wait_seconds", "HttpSmsBackend",
    "sms_outbox_latest_code", "sms_send", "subscriber_sms_send", "token_issue", "token_secret_base32", "token_verify",
    "tool_cancel", "tool_for", "tool_mark_replaced", "tool_unlock", "tools_live", "usbkey_issue",
    "usbkey_password_reset", "usbkey_sign", "usbkey_verify",
]


def tools_live(*, user, full: bool = False) -> dict[str, SecurityTool]:
    """The customer's live (ACTIVE or LOCKED) tools by kind, in one query.

    Every confirmation page and 确认 asks this. Without the certificate and the encrypted key
    (the wide columns) unless ``full``: what a tool can do is decided on a fresh read of its
    row by ``usbkey_sign``/``usbkey_verify``/``token_verify``, which take these rows as handles
    — or, with ``full`` rows read in the caller's transaction, as that read (``fresh=True``).
    """
    using = router.db_for_read(SecurityTool)
    if not raw_sql_usable(using):
        return {tool.kind: tool for tool in _tools_live_queryset(user.pk, full=full).using(using)}
    names = None if full else _TOOLS_LIVE_NAMES
    rows = fetch_all(_TOOLS_LIVE_FULL_SQL if full else _TOOLS_LIVE_SQL,
                     [user.pk, [str(status) for status in LIVE_STATUSES]], using=using)
    tools = (loaded(SecurityTool, row, using=using, names=names) for row in rows)
    return {tool.kind: tool for tool in tools}


def _tools_live_queryset(user_id: int, *, full: bool):
    tools = SecurityTool.objects.filter(user_id=user_id, status__in=LIVE_STATUSES).order_by("pk")
    return tools if full else tools.only(*_TOOLS_LIVE_NAMES)


# Explicit SQL (ebank.core.sql): the form POST, the confirmation page and 确认 of every transfer
# ask tools_live (bench web_load, 行内转账 row). Each mirrors ``_tools_live_queryset``: the
# user's ACTIVE or LOCKED tools by id, every column (``full``) or ``.only()`` these.
_TOOLS_LIVE_NAMES = ("id", "user_id", "kind", "serial", "status")
_TOOLS_LIVE_WHERE = ' WHERE t."user_id" = %s AND t."status" = ANY(%s) ORDER BY t."id"'
_TOOLS_LIVE_SQL = (f"SELECT {columns(SecurityTool, 't', _TOOLS_LIVE_NAMES)}"
                   f' FROM "security_securitytool" t{_TOOLS_LIVE_WHERE}')
_TOOLS_LIVE_FULL_SQL = (f"SELECT {columns(SecurityTool, 't')}"
                        f' FROM "security_securitytool" t{_TOOLS_LIVE_WHERE}')


def tool_for(*, user, kind: str) -> SecurityTool | None:
    """The customer's live (ACTIVE or LOCKED) tool of this kind; at most one exists."""
    return SecurityTool.objects.filter(user=user, kind=kind, status__in=LIVE_STATUSES).first()


@transaction.atomic
def tool_unlock(*, tool: SecurityTool) -> SecurityTool:
    """LOCKED → ACTIVE with the failure count cleared (the teller's 解锁)."""
    locked = SecurityTool.objects.select_for_update().get(pk=tool.pk)
    if locked.status != ToolStatus.LOCKED:
        raise ToolError(f"该{locked.get_kind_display()}未锁定，无需解锁")
    locked.status = ToolStatus.ACTIVE
    locked.password_failures = 0
    locked.save(update_fields=["status", "password_failures"])
    if locked.totp_device_id:
        TOTPDevice.objects.filter(pk=locked.totp_device_id).update(
            throttling_failure_count=0, throttling_failure_timestamp=None)
    return locked


@transaction.atomic
def tool_cancel(*, tool: SecurityTool) -> SecurityTool:
    """→ CANCELLED (注销); a token's device stops accepting codes."""
    return _tool_retire(tool=tool, status=ToolStatus.CANCELLED)


@transaction.atomic
def tool_mark_replaced(*, tool: SecurityTool) -> SecurityTool:
    """→ REPLACED (更换: the caller issues the new tool in the same transaction)."""
    return _tool_retire(tool=tool, status=ToolStatus.REPLACED)


def _tool_retire(*, tool: SecurityTool, status: str) -> SecurityTool:
    locked = SecurityTool.objects.select_for_update().get(pk=tool.pk)
    if locked.status not in LIVE_STATUSES:
        raise ToolError(f"该{locked.get_kind_display()}已{locked.get_status_display()}")
    locked.status = status
    locked.save(update_fields=["status"])
    if locked.totp_device_id:
        # The device stays (the tool row points at it, PROTECT) but no code verifies any more:
        # token_verify checks the tool's status and the device's confirmed flag, and django-otp
        # lists only confirmed devices.
        TOTPDevice.objects.filter(pk=locked.totp_device_id).update(confirmed=False)
    return locked
