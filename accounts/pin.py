"""The 交易密码 check for online transactions, with the three-strikes daily lock (X-CONFIRM).

Three wrong 交易密码 in a row lock the medium for online use until the next business day
(Asia/Shanghai). A lock from an earlier day is cleared by the next check; the nightly batch
will clear it too. A right PIN resets the count.

Why the count is written apart from the caller's transaction: the confirmation flow (and any
other caller) raises to show "交易密码错误" on the page, which rolls its own transaction back. A
count that a rollback undoes would turn three guesses into unlimited guesses. So the attempt is
recorded by :func:`_commit_apart` — the same technique as ``security.tools.errors.commit_apart``,
repeated here because accounts may not import security (dependency rule); both belong in
``ebank.core`` one day.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import OperationalError, connection, transaction

from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError
from ebank.core.models import AuditOutcome
from ebank.limits.engine import business_day

from .models import Medium, MediumStatus
from .services import pin_matches

logger = logging.getLogger(__name__)

T = TypeVar("T")

PIN_MAX_FAILURES = 3
PIN_LOCKED_MESSAGE = "交易密码已连续输错3次，该账户今日网上交易已锁定，请明日再试或到柜面办理"

# How long the side connection waits for the medium's row lock before giving up.
_SIDE_LOCK_TIMEOUT = "2s"

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


def medium_pin_check(*, medium: Medium, pin: str) -> None:
    """Check the medium's 交易密码 for an online transaction; raise a BusinessError if refused.

    The attempt (count, lock, reset) is committed on its own even if the caller's transaction
    rolls back afterwards. ``medium`` is refreshed with the new count and lock date.
    """
    today = business_day()
    current = Medium.objects.filter(pk=medium.pk).first()
    if (current is not None and current.status == MediumStatus.NORMAL
            and current.pin_failures == 0 and current.pin_locked_on is None
            and pin_matches(medium=current, pin=pin)):
        # The common case writes nothing, so it needs no transaction of its own.
        return
    attempt = _commit_apart(lambda: _attempt_record(medium_id=medium.pk, pin=pin, today=today))
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


def _commit_apart(write: Callable[[], T]) -> T:
    """Run ``write`` so that it commits on its own, whatever the caller's transaction does.

    * Outside any transaction: an ordinary ``atomic`` block.
    * Inside one, on PostgreSQL: on a second connection (a short-lived thread has its own Django
      connection), committed there and then.
    * Where the second connection cannot see or lock the row — the medium was created in the
      caller's own uncommitted transaction, or the caller holds its lock (the side connection
      gives up after a lock timeout instead of deadlocking against us) — or on SQLite, ``write``
      runs in the caller's transaction: the best there is.
    """
    if not connection.in_atomic_block:
        with transaction.atomic():
            return write()
    if connection.vendor == "postgresql":
        try:
            return _on_own_connection(write)
        except (ObjectDoesNotExist, OperationalError) as exc:
            logger.info("PIN attempt counted in the caller's transaction: %s", type(exc).__name__)
    with transaction.atomic():
        return write()


def _on_own_connection(write: Callable[[], T]) -> T:
    outcome: dict[str, object] = {}

    def run() -> None:
        # Django connections are per thread: this thread opens, uses and closes its own.
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{_SIDE_LOCK_TIMEOUT}'")
                outcome["value"] = write()
        except BaseException as exc:  # handed back to the calling thread below
            outcome["error"] = exc
        finally:
            connection.close()

    worker = threading.Thread(target=run, name="accounts-pin-commit-apart")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
