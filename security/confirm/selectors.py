"""Reads of the confirmation flow, scoped to the logged-in customer.

An operation is looked up by its public id *through* its user: another customer's id is
indistinguishable from one that does not exist (404).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.http import Http404
from django.utils import timezone

from ebank.core.masking import mask_phone
from ebank.core.money import as_money
from security.models import OperationStatus, PendingOperation, User

from .registry import AuthMethod, operation_kind_get
from .services import (
    BACK_URL_KEY,
    EXPIRED_MESSAGE,
    SUMMARY_KEY,
    operation_found,
)


def operation_get_for_user(*, user: User, public_id: str) -> PendingOperation:
    operation = operation_found(str(public_id), user.pk)
    if operation is None:
        raise Http404("交易不存在")
    return operation


def operation_typed(*, request, kind: str) -> dict:
    """返回 from a confirmation page (``?from=<public_id>`` on a GET of the form): the payload of
    that operation, so the form comes back with what was typed. The operation is looked up
    through the logged-in customer (another customer's id is a 404); one of another kind gives
    nothing. Nothing is written or cancelled: an unconfirmed operation simply expires."""
    public_id = request.GET.get("from", "") if request.method == "GET" else ""
    if not public_id:
        return {}
    operation = operation_get_for_user(user=request.user, public_id=public_id[:64])
    return dict(operation.payload) if operation.kind == kind else {}


def operation_is_expired(operation: PendingOperation, *, now: datetime | None = None) -> bool:
    """Still PENDING but past its expiry (GET pages say so without writing anything)."""
    return (operation.status == OperationStatus.PENDING
            and (now or timezone.now()) >= operation.expires_at)


def payload_amount(operation: PendingOperation) -> Decimal | None:
    """The payload's "amount" as a Decimal, for executors and pages; None when there is none."""
    amount = operation.payload.get("amount")
    return None if amount is None else as_money(amount)


@dataclass(frozen=True)
class OperationDisplay:
    """What the confirmation and result pages show, all of it read from the stored payload."""

    title: str
    summary: list[tuple[str, str]]
    amount: str | None
    medium_label: str
    # 返回 on the confirmation page: the form, with ``from=<public_id>`` so that a form which
    # knows the kind fills in everything that was typed (the result page's 返回 is ``form_url``,
    # a blank form: a transfer just made should not be one click from being made again).
    back_url: str
    form_url: str
    status: str
    status_label: str
    failure_reason: str
    auth_method_label: str


def operation_display(*, operation: PendingOperation) -> OperationDisplay:
    spec = operation_kind_get(operation.kind)
    payload = operation.payload
    status, status_label = operation.status, operation.get_status_display()
    failure_reason = operation.failure_reason
    if operation_is_expired(operation):
        status, status_label, failure_reason = (OperationStatus.EXPIRED,
                                                OperationStatus.EXPIRED.label, EXPIRED_MESSAGE)
    medium = operation.medium
    form_url = payload.get(BACK_URL_KEY) or "/"
    return OperationDisplay(
        title=spec.title,
        summary=[(label, value) for label, value in payload.get(SUMMARY_KEY, [])],
        amount=payload.get("amount"),
        medium_label=str(medium) if medium is not None else "",
        back_url=(f"{form_url}{'&' if '?' in form_url else '?'}from={operation.public_id}"
                  if form_url != "/" else form_url),
        form_url=form_url,
        status=status,
        status_label=status_label,
        failure_reason=failure_reason,
        auth_method_label=(AuthMethod(operation.auth_method).label
                           if operation.auth_method in AuthMethod.values else ""),
    )


def reserved_phone_tail(*, user: User) -> str:
    """The last four digits of the reserved phone, as the SMS notice names it."""
    return mask_phone(user.customer.phone)[-4:] if user.customer_id else ""
