"""Tests' helper: what another connection sees — only what has been committed.

A failed-attempt count must be committed by the time the refusal reaches the page; reading it
on the test's own connection would also see what is still uncommitted. PostgreSQL tests with
``transaction=True`` read it here, on a thread's own connection.
"""

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def committed(read: Callable[[], T]) -> T:
    """``read()`` run on another connection (a thread's own), returning what it returned."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = read()
        except BaseException as exc:  # handed back below
            outcome["error"] = exc
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(30)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
