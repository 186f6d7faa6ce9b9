"""X-CONFIRM: one confirmation flow for every money movement and sensitive setting.

    form 提交 ──operation_start──▶ PendingOperation (payload + summary, digest, nonce, expiry)
                                   │ confirmation page shows exactly the stored payload
    确认 ──operation_confirm──▶ lock row → 交易密码 → USBKey / token / SMS over digest+nonce
                                   │ executor(operation) once, with status EXECUTED, same commit
                                   ▼ result page

What the customer sees is what they sign: the summary lines and the amount shown come from the
stored payload, the digest covers all of it (and the kind), and the USBKey signature or the SMS
code is over ``payload_digest:nonce`` of *this* row — a code sent for ¥100.00 does not verify
for ¥100.01 or for another payee, nor for a second operation with the same payload.

Exactly once: the row is locked for the whole confirmation, so a double submit waits and then
finds EXECUTED and returns it untouched; the executor posts under ``operation.idempotency_key``,
so even a crash between its commit and the customer's page cannot post twice.

Failed attempts stick: the 交易密码 count (accounts.pin) and the tools' counts are committed
apart from this transaction; a refusal (wrong credential, expiry) also commits this
transaction — with the audit row and the EXPIRED status — before it is raised to the page.
"""

import base64
import hashlib
import json
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, router, transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import Medium
from accounts.pin import medium_online_check, medium_pin_check
from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError
from ebank.core.models import AuditOutcome
from ebank.core.money import as_money, format_cny
from ebank.core.sql import columns, fetch_one, loaded, raw_sql_usable, width
from security.models import (
    OperationStatus,
    PendingOperation,
    SecurityTool,
    ToolKind,
    ToolStatus,
    User,
)
from security.tools import services as tool_services

from .registry import (
    CREDENTIAL_LABELS,
    TOOL_REQUIRED_MESSAGE,
    TOOL_UNUSABLE_MESSAGE,
    AuthMethod,
    OperationKind,
    operation_kind_get,
)

# Reserved payload keys: written by operation_start, covered by the digest like the rest.
SUMMARY_KEY = "_summary"
BACK_URL_KEY = "_back_url"
RESERVED_KEYS = frozenset({SUMMARY_KEY, BACK_URL_KEY})

EXPIRED_MESSAGE = "交易已超时，请重新发起"
# The code of the refusal when the customer has no usable 安全认证方式 (no tool, or a locked one).
NO_AUTH_METHOD = "no_auth_method"
# The code of the refusal of a 安全认证方式 the customer cannot use (not offered, or since gone).
AUTH_METHOD_INVALID = "auth_method_invalid"
_STATUS_MESSAGES = {
    OperationStatus.EXPIRED: EXPIRED_MESSAGE,
    OperationStatus.FAILED: "该交易已失败，请重新发起",
    OperationStatus.CANCELLED: "该交易已取消，请重新发起",
}


# --- the binding -------------------------------------------------------------------------------


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text as is; floats refused (amounts travel as "1234.56")."""
    _refuse_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def payload_digest(*, kind: str, payload: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of {kind, payload}."""
    text = canonical_json({"kind": kind, "payload": payload})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def operation_message(operation: PendingOperation) -> bytes:
    """The bytes the USBKey signs: this row's payload digest and nonce."""
    return f"{operation.payload_digest}:{operation.nonce}".encode("ascii")


def operation_sms_digest(operation: PendingOperation) -> str:
    """What an SMS code is bound to: SHA-256 over the same ``payload_digest:nonce``."""
    return hashlib.sha256(operation_message(operation)).hexdigest()


def operation_token_challenge(operation: PendingOperation) -> str:
    """The 8-digit 挑战码 the page shows for the digital token: from ``payload_digest:nonce``."""
    return tool_services.token_challenge(binding=operation_message(operation))


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError(f"业务要素不能含浮点数（金额请用字符串 \"1234.56\"）: {value!r}")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"业务要素的键必须是字符串: {key!r}")
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


# --- start -------------------------------------------------------------------------------------


def operation_start(*, user: User, kind: str, payload: dict[str, Any],
                    summary: list[tuple[str, str]], medium: Medium | None = None,
                    back_url: str | None = None,
                    tools: dict[str, SecurityTool] | None = None) -> PendingOperation:
    """Record what the customer is about to confirm; the form view then redirects to its page.

    ``payload`` is what the executor acts on, JSON-safe (amounts as strings "1234.56" under
    "amount", which the page shows in ¥ and capitals); ``summary`` is the (label, value) lines the
    page shows — build them from the same values. ``medium`` is the card or passbook whose
    交易密码 is asked (required when the kind requires the PIN). ``back_url`` is where 返回 goes.
    ``tools`` is the customer's :func:`~security.tools.services.tools_live` when the caller has
    already read it in this request (e.g. for the limit subject); else it is read here.

    Not atomic of its own: it reads, then writes one row, so it needs no savepoint; it joins
    the caller's transaction (an app may create its own draft record in the same one). Raises
    BusinessError when the customer cannot confirm this kind at all, before writing anything.
    """
    spec = operation_kind_get(kind)
    if not user.customer_id:
        raise BusinessError("仅个人网银客户可办理该业务")
    if not isinstance(payload, dict) or RESERVED_KEYS & set(payload):
        raise ValueError(f"业务要素须为 dict，且不能使用保留键 {sorted(RESERVED_KEYS)}")
    if "amount" in payload:
        amount = payload["amount"]
        if not isinstance(amount, str) or as_money(amount) <= 0:
            raise ValueError(f"amount 须为正金额字符串，如 \"1234.56\": {amount!r}")
    lines = []
    for label, value in summary:
        if not isinstance(label, str) or not isinstance(value, str):
            raise TypeError(f"确认页摘要须为 (str, str): {(label, value)!r}")
        lines.append([label, value])
    if medium is not None and medium.customer_id != user.customer_id:
        raise ValueError("介质不属于该客户")  # the app must scope the medium to the customer
    if spec.requires_pin:
        if medium is None:
            raise ValueError(f"业务 {kind!r} 需要交易密码，须指定介质 medium")
        medium_online_check(medium=medium)
    _methods_or_refuse(user=user, spec=spec, live=tools)

    body = {**payload, SUMMARY_KEY: lines}
    if back_url:
        if not back_url.startswith("/") or back_url.startswith("//") or "\\" in back_url:
            raise ValueError(f"back_url 须为站内路径: {back_url!r}")
        body[BACK_URL_KEY] = back_url
    # Stored exactly as digested (tuples → lists), so the digest can be checked again later.
    body = json.loads(canonical_json(body))
    return PendingOperation.objects.create(
        public_id=secrets.token_urlsafe(16),
        user=user,
        kind=kind,
        payload=body,
        payload_digest=payload_digest(kind=kind, payload=body),
        nonce=secrets.token_hex(16),
        medium=medium,
        expires_at=timezone.now() + timedelta(seconds=int(settings.CONFIRMATION_TTL_SECONDS)),
    )


# --- methods -----------------------------------------------------------------------------------


def operation_methods(*, user: User, operation: PendingOperation) -> list[str]:
    """The 安全认证方式 this customer may use for this operation, in page order.

    "usbkey"/"token" for each ACTIVE tool; "sms" for customers with no live tool where the kind
    allows it. A customer whose tool is locked is not tool-less: an SMS code must not stand in
    for a locked certificate (and the limit engine gives tool holders the higher limits).
    """
    return _methods(user=user, spec=operation_kind_get(operation.kind))


def operation_methods_check(*, user: User, operation: PendingOperation) -> list[str]:
    """:func:`operation_methods`, refusing with the reason when there is none (no/locked tool)."""
    return _methods_or_refuse(user=user, spec=operation_kind_get(operation.kind))


def _methods(*, user: User, spec: OperationKind,
             live: dict[str, SecurityTool] | None = None) -> list[str]:
    live = tool_services.tools_live(user=user) if live is None else live
    methods = [str(AuthMethod(kind)) for kind in (ToolKind.USBKEY, ToolKind.TOKEN)
               if kind in live and live[kind].status == ToolStatus.ACTIVE]
    # A customer holding any live tool (even a locked one) never falls back to SMS.
    if spec.sms_allowed and not live:
        methods.append(str(AuthMethod.SMS))
    return methods


def _methods_or_refuse(*, user: User, spec: OperationKind,
                       live: dict[str, SecurityTool] | None = None) -> list[str]:
    live = tool_services.tools_live(user=user) if live is None else live
    methods = _methods(user=user, spec=spec, live=live)
    if methods:
        return methods
    raise BusinessError(TOOL_UNUSABLE_MESSAGE if live else TOOL_REQUIRED_MESSAGE,
                        code=NO_AUTH_METHOD)


# --- SMS ---------------------------------------------------------------------------------------


def operation_sms_send(*, user: User, operation: PendingOperation, ip: str | None = None) -> None:
    """Send an SMS code bound to this operation to the customer's reserved phone."""
    if operation.user_id != user.pk:
        raise Http404("交易不存在")
    _confirmable_or_refuse(operation)
    if AuthMethod.SMS not in operation_methods(user=user, operation=operation):
        raise BusinessError("该交易不能使用短信验证码确认", code="sms_not_allowed")
    refusal: BusinessError | None = None
    with transaction.atomic():
        try:
            tool_services.sms_code_issue(
                phone=user.customer.phone, purpose=operation.kind,
                operation_digest=operation_sms_digest(operation), customer=user.customer,
                action=operation_sms_action(operation), ip=ip)
        except BusinessError as exc:
            # A cap's refusal is audited by sms_code_issue: that row commits, then the refusal.
            refusal = exc
        else:
            audit_record(action="confirm.sms_sent", actor=user, customer_id=user.customer_id,
                         object_ref=operation.idempotency_key, ip_address=ip,
                         detail={"kind": operation.kind})
    if refusal is not None:
        raise refusal


def operation_sms_wait_seconds(*, user: User, operation: PendingOperation) -> int:
    """Seconds before another code may be sent for this kind (0: now); the button counts them."""
    if not user.customer_id:
        return 0
    return tool_services.sms_code_wait_seconds(phone=user.customer.phone, purpose=operation.kind)


def operation_sms_action(operation: PendingOperation) -> str:
    """What the SMS says the customer is doing: "向尾号0047的账户转账¥88.00" for a payment."""
    spec = operation_kind_get(operation.kind)
    payload = operation.payload
    amount = payload.get("amount")
    payee = str(payload.get("payee_account") or "")
    if amount and payee:
        return f"向尾号{payee[-4:]}的账户转账{format_cny(amount)}"
    if amount:
        return f"办理{spec.title}，金额{format_cny(amount)}"
    return f"办理{spec.title}"


# --- confirm -----------------------------------------------------------------------------------


def operation_of_user(public_id: str, user_id: int):
    """The user's operation with this public id (one row at most: the id is unique, so callers
    ``.get()`` it, with no ORDER BY to plan), with its medium: the page's read in selectors.py
    and 确认's locked read here (:func:`operation_found` runs it, as SQL on PostgreSQL)."""
    return PendingOperation.objects.select_related("medium").filter(public_id=public_id,
                                                                     user_id=user_id)


# Explicit SQL (ebank.core.sql): three of a transfer's four requests read the operation (bench
# web_load, 行内转账 row: compiling this select_related costs more than the round trip). It
# mirrors ``operation_of_user(public_id, user_id)`` — every column of the operation and of its
# medium (LEFT JOIN: the medium is optional) — and, locked, its
# ``.select_for_update(of=("self",))``: the operation's row only, not the medium's.
# Unaliased, as the ORM writes it: the lock names the table (FOR UPDATE OF "…").
_OP, _MEDIUM = '"security_pendingoperation"', '"accounts_medium"'
_OPERATION_SQL = (
    f"SELECT {columns(PendingOperation, _OP)}, {columns(Medium, _MEDIUM)}"
    f' FROM {_OP} LEFT OUTER JOIN {_MEDIUM} ON ({_OP}."medium_id" = {_MEDIUM}."id")'
    f' WHERE {_OP}."public_id" = %s AND {_OP}."user_id" = %s'
)
_OPERATION_LOCKED_SQL = f"{_OPERATION_SQL} FOR UPDATE OF {_OP}"
_OPERATION_WIDTH = width(PendingOperation)


def operation_found(public_id: str, user_id: int, *, locked: bool = False):
    """The user's operation with this public id and its medium, or None; ``locked``, with its
    row locked until the end of the caller's transaction (refused outside one, as Django
    refuses ``select_for_update`` there)."""
    using = (router.db_for_write if locked else router.db_for_read)(PendingOperation)
    if not raw_sql_usable(using):
        found = operation_of_user(public_id, user_id).using(using)
        if locked:
            found = found.select_for_update(of=("self",))
        try:
            return found.get()
        except PendingOperation.DoesNotExist:
            return None
    if locked and connections[using].get_autocommit():
        raise transaction.TransactionManagementError(
            "select_for_update cannot be used outside of a transaction.")
    row = fetch_one(_OPERATION_LOCKED_SQL if locked else _OPERATION_SQL,
                    [public_id, user_id], using=using)
    if row is None:
        return None
    operation = loaded(PendingOperation, row[:_OPERATION_WIDTH], using=using)
    operation.medium = loaded(Medium, row[_OPERATION_WIDTH:], using=using)
    return operation


def operation_confirm(*, user: User, public_id: str, pin: str | None, method: str,
                      credential: str, ip: str | None = None) -> PendingOperation:
    """Check the 交易密码 and the chosen tool against this operation and execute it once.

    Returns the operation EXECUTED — also when it already was (a replay or double submit
    executes nothing and shows the same result). Raises Http404 for another customer's id and
    BusinessError for a refusal (wrong credential, expired: the row is then EXPIRED) or for a
    failed execution (the row is then FAILED with the reason).
    """
    refusal: BusinessError | None = None
    with transaction.atomic(durable=True):
        # The lock serialises confirmations of this row: a second 确认 waits here, then sees
        # EXECUTED and returns it; two executions cannot both pass the status check.
        # (of=("self",): the operation only, not its medium.)
        operation = operation_found(str(public_id), user.pk, locked=True)
        if operation is None:
            raise Http404("交易不存在")
        if operation.status == OperationStatus.EXECUTED:
            return operation
        # The row was found through ``user``: the executor reads the user (and the customer the
        # request already loaded) from here rather than from the database again.
        operation.user = user
        try:
            spec = _confirmable_or_refuse(operation, mark_expired=True)
            evidence = _credentials_check(user=user, operation=operation, spec=spec, pin=pin,
                                          method=method, credential=credential,
                                          live=tool_services.tools_live(user=user, full=True))
        except BusinessError as exc:
            # Committed, not rolled back: the audit row and an EXPIRED status must stay.
            _audit(operation, user=user, ip=ip, action="confirm.refused", method=method,
                   outcome=AuditOutcome.FAILURE, reason=exc)
            refusal = exc
        else:
            refusal = _execute(operation, spec=spec, user=user, method=method, ip=ip,
                               evidence=evidence)
    if refusal is not None:
        raise refusal
    return operation


def _confirmable_or_refuse(operation: PendingOperation, *,
                           mark_expired: bool = False) -> OperationKind:
    if operation.status != OperationStatus.PENDING:
        raise BusinessError(_STATUS_MESSAGES.get(operation.status, EXPIRED_MESSAGE),
                            code=f"operation_{operation.status}")
    if timezone.now() >= operation.expires_at:
        if mark_expired:
            operation.status = OperationStatus.EXPIRED
            operation.failure_reason = EXPIRED_MESSAGE
            operation.save(update_fields=["status", "failure_reason"])
        raise BusinessError(EXPIRED_MESSAGE, code="operation_expired")
    spec = operation_kind_get(operation.kind)
    if payload_digest(kind=operation.kind, payload=operation.payload) != operation.payload_digest:
        # The stored payload no longer matches what was shown: never execute it.
        raise BusinessError("交易要素校验失败，请重新发起", code="payload_mismatch")
    return spec


def _credentials_check(*, user: User, operation: PendingOperation, spec: OperationKind,
                       pin: str | None, method: str, credential: str,
                       live: dict[str, SecurityTool]) -> dict[str, str]:
    """``live``: the customer's live tools, read once in this transaction (methods and tool)."""
    methods = _methods_or_refuse(user=user, spec=spec, live=live)
    if method not in methods:
        raise BusinessError("请选择可用的安全认证方式", code=AUTH_METHOD_INVALID)
    label = CREDENTIAL_LABELS[AuthMethod(method)]
    if spec.requires_pin:
        if not pin:
            raise BusinessError("请输入交易密码", code="pin_required")
        if operation.medium is None:
            raise BusinessError("该交易未指定账户，请重新发起", code="medium_missing")
        # The medium was read with the locked operation, in this transaction: no second read.
        medium_pin_check(medium=operation.medium, pin=pin, fresh=True)
    if not credential:
        raise BusinessError(f"请输入{label}", code="credential_required")
    message = operation_message(operation)
    if method == AuthMethod.USBKEY:
        # In ``methods``, so ACTIVE in ``live``, which was read in this transaction: the
        # tool's own checks run on that row rather than reading it twice more.
        tool = live[ToolKind.USBKEY]
        signature = tool_services.usbkey_sign(tool=tool, cert_password=credential,
                                              message=message, fresh=True)
        if not tool_services.usbkey_verify(tool=tool, message=message, signature=signature,
                                           fresh=True):
            raise BusinessError("证书签名验证失败，请重试", code="signature_invalid")
        return {"tool": tool.serial, "signature": base64.b64encode(signature).decode("ascii")}
    if method == AuthMethod.TOKEN:
        tool = live[ToolKind.TOKEN]
        challenge = operation_token_challenge(operation)
        if not tool_services.token_verify(tool=tool, challenge=challenge, code=credential):
            raise BusinessError("令牌动态码错误，请在令牌中输入本页显示的挑战码，再输入令牌显示的动态码",
                                code="token_invalid")
        return {"tool": tool.serial, "challenge": challenge}
    if not tool_services.sms_code_verify(phone=user.customer.phone, purpose=operation.kind,
                                         operation_digest=operation_sms_digest(operation),
                                         code=credential):
        raise BusinessError("短信验证码错误或已失效，请重新获取", code="sms_code_invalid")
    return {}


def _execute(operation: PendingOperation, *, spec: OperationKind, user: User, method: str,
             ip: str | None, evidence: dict[str, str]) -> BusinessError | None:
    """Run the executor once; return its business error (after recording FAILED) or None."""
    try:
        # A savepoint: a refused posting leaves nothing behind, yet FAILED below commits.
        with transaction.atomic():
            result = spec.executor(operation=operation)
    except BusinessError as exc:
        operation.status = OperationStatus.FAILED
        operation.failure_reason = exc.message[:200]
        operation.auth_method = method
        operation.save(update_fields=["status", "failure_reason", "auth_method"])
        _audit(operation, user=user, ip=ip, action="confirm.failed", method=method,
               outcome=AuditOutcome.FAILURE, reason=exc, evidence=evidence)
        return exc
    operation.status = OperationStatus.EXECUTED
    operation.result = json.loads(json.dumps(result or {}, cls=DjangoJSONEncoder))
    operation.executed_at = timezone.now()
    operation.auth_method = method
    operation.save(update_fields=["status", "result", "executed_at", "auth_method"])
    _audit(operation, user=user, ip=ip, action="confirm.executed", method=method,
           outcome=AuditOutcome.SUCCESS, evidence=evidence)
    return None


def _audit(operation: PendingOperation, *, user: User, ip: str | None, action: str, method: str,
           outcome: str, reason: BusinessError | None = None,
           evidence: dict[str, str] | None = None) -> None:
    # Never the PIN or credential; the signature is public evidence of what was signed.
    detail: dict[str, Any] = {"kind": operation.kind, "method": method,
                              "digest": operation.payload_digest}
    if "amount" in operation.payload:
        detail["amount"] = operation.payload["amount"]
    if reason is not None:
        detail["reason"] = reason.message
        detail["error"] = reason.code
    detail.update(evidence or {})
    audit_record(action=action, outcome=outcome, actor=user, customer_id=user.customer_id,
                 object_ref=operation.idempotency_key, ip_address=ip, detail=detail)
