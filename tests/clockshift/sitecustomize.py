"""The suite with the clock shifted: ``EBANK_CLOCK_SHIFT_DAYS=365 bin/test`` (docs/testing.md).

The root conftest calls :func:`clock_shift_start` in the pytest process and puts this folder on
``PYTHONPATH``, so every Python process a test starts (the poller, the Celery worker, the
exactly-once workers) imports this file at startup as ``sitecustomize`` and runs shifted by the
same days. time-machine moves the wall clock only (``time.time``, ``datetime.now``,
``date.today``…); monotonic clocks, sleeps and timed waits stay true, and a test's own
``time_machine.travel`` nests inside the shift as usual. PostgreSQL, Redis and Chromium keep
the real date: nothing a test checks may take its date from them.
"""

import datetime
import os

ENV = "EBANK_CLOCK_SHIFT_DAYS"
_started = None


def clock_shift_days() -> int:
    return int(os.environ.get(ENV) or 0)


def clock_shift_start() -> int:
    """Start the shift (once per process); returns the days shifted (0: none)."""
    global _started
    days = clock_shift_days()
    if days and _started is None:
        import time_machine

        destination = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=days)
        _started = time_machine.travel(destination, tick=True)
        _started.start()
        # time-machine starts ticking at the first read of the clock, not at start(): read it
        # now, or a process that reads it a second later (after Django's setup) runs a second
        # behind its parent, and a row its parent made due "now" is not due yet for it.
        datetime.datetime.now(datetime.UTC)
    return days


if __name__ == "sitecustomize":  # imported by Python at startup, in a test's subprocess
    clock_shift_start()
