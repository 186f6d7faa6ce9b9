"""Run a function in N real threads, each with its own database connection, all at once."""

import threading
from collections.abc import Callable

from django.db import connection


def run_concurrently(fn: Callable[[int], object], n: int, timeout: float = 60) -> list:
    """Call ``fn(i)`` for i in range(n) in n threads released together; return results/exceptions."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout)
            results[i] = fn(i)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a worker thread hung (deadlock?)"
    return results
