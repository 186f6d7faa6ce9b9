"""Database helpers shared by every layer."""

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import OperationalError, connection, transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")

# How long the side connection waits for a row lock before giving up (see commit_apart).
_SIDE_LOCK_TIMEOUT = "2s"


def commit_apart(write: Callable[[], T]) -> T:
    """Run ``write`` (ORM work on rows looked up by primary key) so that it commits on its own.

    * Outside any transaction: an ordinary ``atomic`` block, committed when it ends.
    * Inside the caller's transaction, on PostgreSQL: on a second connection (a short-lived
      thread has its own Django connection), committed there and then; the caller's
      READ COMMITTED transaction sees the result on its next read.
    * Where a second connection cannot do it, ``write`` runs in the caller's transaction, the best
      there is: the row was created in the caller's own uncommitted transaction (so the second
      connection cannot see it: ``write`` raises DoesNotExist), the caller holds the row's lock
      (waiting for it would deadlock against ourselves, so the side connection gives up after
      a lock timeout), or the database is SQLite (one writer at a time: the embedded demo).

    ``write`` must not raise business errors: it returns what happened and the caller raises.
    Used for failed-attempt counters (交易密码, 证书密码, codes): a count a rollback could undo
    would turn six guesses into unlimited guesses.
    """
    if not connection.in_atomic_block:
        with transaction.atomic():
            return write()
    if connection.vendor == "postgresql":
        try:
            return _on_own_connection(write)
        except (ObjectDoesNotExist, OperationalError) as exc:
            logger.info("attempt counted in the caller's transaction: %s", type(exc).__name__)
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

    worker = threading.Thread(target=run, name="commit-apart")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
