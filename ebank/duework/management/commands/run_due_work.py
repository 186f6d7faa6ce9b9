"""Run due deferred work: once (ops), or as a poller (the embedded default, which has no Redis).

    manage.py run_due_work                      run what is due now, then exit
    manage.py run_due_work --loop --interval 5  keep polling; SIGTERM/SIGINT stop after the row
                                                in progress (which is never left half-run)
"""

import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from ebank.duework.services import dispatch_due

logger = logging.getLogger("ebank.duework.poller")


class Command(BaseCommand):
    help = "Run due deferred work (X-ASYNC) once, or keep polling with --loop."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep polling until SIGTERM/SIGINT")
        parser.add_argument("--interval", type=float, default=5.0,
                            help="seconds between polls when nothing is due (default 5)")
        parser.add_argument("--limit", type=int, default=100,
                            help="rows per dispatcher pass (default 100)")

    def handle(self, *args, loop: bool, interval: float, limit: int, **options):
        if not loop:
            ran = dispatch_due(limit=limit)
            self.stdout.write(f"ran {ran} due work item(s)")
            return

        stop = threading.Event()

        def request_stop(signum, _frame):
            logger.info("run_due_work: %s received, stopping after the current row",
                        signal.Signals(signum).name)
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        logger.info("run_due_work: polling every %ss (limit %s per pass)", interval, limit)
        while not stop.is_set():
            # A poller lives for days: drop a connection the server closed, like a request would.
            close_old_connections()
            try:
                ran = dispatch_due(limit=limit, should_stop=stop.is_set)
            except DatabaseError:
                # Database restarting or unreachable: the rows wait in the database, so keep
                # the poller alive and try again after the interval.
                logger.exception("run_due_work: dispatcher pass failed; retrying in %ss", interval)
                ran = 0
            if ran < limit:
                stop.wait(interval)
        logger.info("run_due_work: stopped")
