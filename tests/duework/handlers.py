"""Due-work handlers the tests schedule. Imported by the tests and by the worker subprocesses
(``import tests.duework.handlers``), the way an app's ``ready()`` imports its handlers module.
"""

import os
import threading
import time
from decimal import Decimal
from pathlib import Path

from ebank.core.errors import InsufficientFunds
from ebank.duework.models import DueWork
from ebank.duework.registry import due_handler
from ebank.duework.services import PermanentFailure
from ebank.ledger.services import entry_post, transfer_legs
from transfers.models import TransferBusinessType

POST_TRANSFER = "duework_test.post_transfer"
POST_THEN_FAIL = "duework_test.post_then_fail"
FAIL = "duework_test.fail"
FLAKY = "duework_test.flaky"
REFUSE = "duework_test.refuse"
INSUFFICIENT = "duework_test.insufficient"
RECORD = "duework_test.record"
WAIT_FOR_RELEASE = "duework_test.wait_for_release"

# Set only in a worker subprocess: after posting, the handler writes its pid to this file and
# hangs, so the test can SIGKILL a worker that has posted but not committed.
HANG_FILE_ENV = "DUEWORK_TEST_HANG_FILE"

recorded_keys: list[str] = []
# Threads in the test process: the handler holds its row until the test sets the event.
handler_started = threading.Event()
release_handler = threading.Event()


def transfer_payload(*, from_id: int, to_id: int, amount: str, hold_seconds: float = 0) -> dict:
    return {"from": from_id, "to": to_id, "amount": amount, "hold_seconds": hold_seconds}


def _post(work: DueWork) -> None:
    entry_post(
        idempotency_key=f"duework:{work.pk}",
        business_type=TransferBusinessType.INTRA_TRANSFER,
        reference=work.key,
        legs=transfer_legs(debit_account_id=work.payload["from"],
                           credit_account_id=work.payload["to"],
                           amount=Decimal(work.payload["amount"])),
    )


@due_handler(POST_TRANSFER)
def post_transfer(work: DueWork) -> None:
    _post(work)
    if work.payload.get("hold_seconds"):
        # Widens the window in which a second worker could (wrongly) claim the same row.
        time.sleep(float(work.payload["hold_seconds"]))
    hang_file = os.environ.get(HANG_FILE_ENV)
    if hang_file:
        Path(hang_file).write_text(str(os.getpid()))
        time.sleep(300)


@due_handler(POST_THEN_FAIL)
def post_then_fail(work: DueWork) -> None:
    _post(work)
    raise RuntimeError("clearing adapter timed out")


@due_handler(FAIL)
def fail(work: DueWork) -> None:
    raise RuntimeError("card 6228480000000000000 rejected")


@due_handler(FLAKY)
def flaky(work: DueWork) -> None:
    if work.attempts < work.payload["succeed_on"]:
        raise ConnectionError("other bank unreachable")


@due_handler(REFUSE)
def refuse(work: DueWork) -> None:
    raise PermanentFailure("收款账户已销户")


@due_handler(INSUFFICIENT)
def insufficient(work: DueWork) -> None:
    raise InsufficientFunds()


@due_handler(RECORD)
def record(work: DueWork) -> None:
    recorded_keys.append(work.key)


@due_handler(WAIT_FOR_RELEASE)
def wait_for_release(work: DueWork) -> None:
    handler_started.set()
    if not release_handler.wait(30):
        raise RuntimeError("test never released the handler")
