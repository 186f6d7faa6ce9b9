"""The 交易密码 check for online transactions, with the three-strikes daily lock (X-CONFIRM).

Three wrong 交易密码 in a row lock the medium for online use until the next business day
(Asia/Shanghai). A lock from an earlier day is cleared by the next check; the nightly batch
will clear it too. A right PIN resets the count.

The attempt (count, lock, reset) is written in the caller's transaction, or in one of its own
when there is none, and the refusal is raised after it is written. A count that a rollback
undoes would turn three guesses into unlimited guesses, so a caller inside a transaction must
let it commit and raise the refusal after it, as the confirmation does
(:func:`security.confirm.services.operation_confirm`); every other caller checks the PIN
before its own transaction starts. The security tools count their attempts the same way.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from ebank.core.audit import audit_record
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.models import AuditOutcome

from .models import Medium, MediumStatus
from .services import pin_matches

PIN_MAX_FAILURES = 3
PIN_LOCKED_MESSAGE = "交易密码已连续输错3次，该账户今日网上交易已锁定，请明日再试或到柜面办理"


_STATUS_MESSAGES = {
    MediumStatus.ORAL_LOSS: "该账户已口头挂失，不能办理网上交易，请到柜面办理",
    MediumStatus.WRITTEN_LOSS: "该账户已书面挂失，不能办理网上交易，请到柜面办理",
    MediumStatus.FROZEN: "该账户已冻结，不能办理网上交易，请到柜面办理",
    MediumStatus.CLOSED: "该账户已销户，不能办理网上交易",
}


class PinError(BusinessError):
    code = "pin_wrong"
    default_message = "交易密码错误"


class PinLocked(PinError):
    code = "pin_locked"
    default_message = PIN_LOCKED_MESSAGE


class MediumNotUsable(BusinessError):
    code = "medium_not_usable"
    default_message = "该账户状态异常，不能办理网上交易"


def medium_online_check(*, medium: Medium, on: date | None = None) -> None:
    """Refuse a medium that cannot be used online today (status, today's PIN lock); no writes.

    For the start of a flow (the form's 提交), so the customer hears it before typing anything.
    """
    if medium.status != MediumStatus.NORMAL:
        raise MediumNotUsable(_STATUS_MESSAGES.get(medium.status))
    if medium.pin_locked_on is not None and medium.pin_locked_on >= (on or business_day()):
        raise PinLocked()


@dataclass(frozen=True)
class _Attempt:
    outcome: str  # "ok" | "wrong" | "locked" | "refused"
    failures: int
    locked_on: date | None
    status: str


def medium_pin_check(*, medium: Medium, pin: str, fresh: bool = False) -> None:
    """Check the medium's 交易密码 for an online transaction; raise a BusinessError if refused.

    The attempt (count, lock, reset) is written before the refusal is raised: in a transaction
    of its own without a caller's, else in the caller's, which must commit it and raise the
    refusal after (see the module). ``medium`` is refreshed with the new count and lock date.
    ``fresh=True``: the caller read ``medium`` from the database in this same request and
    transaction (e.g. with the operation it confirms), so it is not read a second time for the
    common case; any other case locks and reads the row anyway.
    """
    today = business_day()
    current = medium if fresh else Medium.objects.filter(pk=medium.pk).first()
    if (current is not None and current.status == MediumStatus.NORMAL
            and current.pin_failures == 0 and current.pin_locked_on is None
            and pin_matches(medium=current, pin=pin)):
        # The common case writes nothing, so it needs no transaction of its own.
        return
    with transaction.atomic():
        attempt = _attempt_record(medium_id=medium.pk, pin=pin, today=today)
    medium.pin_failures = attempt.failures
    medium.pin_locked_on = attempt.locked_on
    medium.status = attempt.status
    if attempt.outcome == "refused":
        raise MediumNotUsable(_STATUS_MESSAGES.get(attempt.status))
    if attempt.outcome == "locked":
        raise PinLocked()
    if attempt.outcome == "wrong":
        remaining = PIN_MAX_FAILURES - attempt.failures
        raise PinError(f"交易密码错误，您还可以输入{remaining}次")


def _attempt_record(*, medium_id: int, pin: str, today: date) -> _Attempt:
    """Lock the medium row, judge the PIN, write the count; never raises business errors."""
    medium = Medium.objects.select_for_update().get(pk=medium_id)
    if medium.status != MediumStatus.NORMAL:
        return _Attempt("refused", medium.pin_failures, medium.pin_locked_on, medium.status)
    fields: list[str] = []
    if medium.pin_locked_on is not None and medium.pin_locked_on < today:
        # Yesterday's lock is over: the new day starts with a clean count.
        medium.pin_locked_on = None
        medium.pin_failures = 0
        fields += ["pin_locked_on", "pin_failures"]
    if medium.pin_locked_on is not None:
        # Locked today: the PIN is not even looked at, so guessing on cannot tell right from wrong.
        return _Attempt("locked", medium.pin_failures, medium.pin_locked_on, medium.status)
    if pin_matches(medium=medium, pin=pin):
        if medium.pin_failures:
            medium.pin_failures = 0
            fields.append("pin_failures")
        if fields:
            medium.save(update_fields=sorted(set(fields)))
        return _Attempt("ok", 0, None, medium.status)
    medium.pin_failures += 1
    fields.append("pin_failures")
    outcome = "wrong"
    if medium.pin_failures >= PIN_MAX_FAILURES:
        medium.pin_locked_on = today
        fields.append("pin_locked_on")
        outcome = "locked"
    medium.save(update_fields=sorted(set(fields)))
    audit_record(
        action="medium.pin_locked" if outcome == "locked" else "medium.pin_wrong",
        outcome=AuditOutcome.FAILURE,
        customer_id=medium.customer_id,
        object_ref=medium.masked_number,
        detail={"failures": medium.pin_failures},
    )
    return _Attempt(outcome, medium.pin_failures, medium.pin_locked_on, medium.status)

