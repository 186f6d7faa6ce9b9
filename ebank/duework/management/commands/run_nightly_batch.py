"""Run the nightly batch (日终) for one business date: every registered step, in order, once.

    manage.py run_nightly_batch                    close yesterday (Asia/Shanghai)
    manage.py run_nightly_batch --date 2026-03-01  close (or resume) that date

The steps are those the apps register from their ``nightly.py`` (see
:mod:`ebank.duework.nightly`). Each runs through ``ebank.duework.services.batch_step_run``: once
per (step, date), so a rerun skips the steps already done and resumes at the first one that is
not. One line per step as it finishes: its name, whether it ran or was skipped, the count it
returned and how long it took. The batch stops at a failed step (exit status 1).
"""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from ebank.duework.nightly import (
    StepResult,
    default_business_date,
    nightly_batch_run,
    registered_steps,
)


def _figures(result: StepResult) -> str:
    count = "-" if result.count is None else str(result.count)
    return f"count {count}, {_seconds(result.duration)}"


def _seconds(duration: timedelta | None) -> str:
    return "-" if duration is None else f"{duration.total_seconds():.3f}s"


class Command(BaseCommand):
    help = "Run the nightly batch (日终) steps for a business date (default: yesterday)."

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="business_date", default=None,
                            help="business date YYYY-MM-DD (default: yesterday, Asia/Shanghai)")

    def handle(self, *args, business_date: str | None = None, **options):
        if business_date:
            try:
                day = date.fromisoformat(business_date)
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, got {business_date!r}") from exc
        else:
            day = default_business_date()
        steps = registered_steps()
        total = len(steps)
        self.stdout.write(f"nightly batch for {day:%Y-%m-%d}: {total} step(s)")
        finished: list[StepResult] = []

        def progress(result: StepResult) -> None:
            prefix = f"  [{len(finished) + 1}/{total}] {result.name}:"
            if result.error:
                line = f"{prefix} FAILED after {_seconds(result.duration)} — {result.error}"
            elif result.ran:
                line = f"{prefix} done, {_figures(result)}"
            else:
                line = f"{prefix} already done, skipped (earlier run: {_figures(result)})"
            if not result.error:
                finished.append(result)
            self.stdout.write(line)
            self.stdout.flush()

        try:
            results = nightly_batch_run(business_date=day, steps=steps, progress=progress)
        except Exception as exc:
            # Every step before it finished (or was skipped): the batch stopped at the next one.
            failed = steps[len(finished)].name
            raise CommandError(f"nightly batch stopped at {failed}: "
                               f"{type(exc).__name__}: {exc}") from exc
        ran = sum(result.ran for result in results)
        self.stdout.write(f"nightly batch for {day:%Y-%m-%d} finished: {ran} ran, "
                          f"{total - ran} skipped")
