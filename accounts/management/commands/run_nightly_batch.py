"""Run the nightly batch (日终) for one business date: every registered step, in order, once.

    manage.py run_nightly_batch                    close yesterday (Asia/Shanghai)
    manage.py run_nightly_batch --date 2026-03-01  close (or resume) that date

Each step runs through ``ebank.duework.services.batch_step_run``: once per (step, date), so a
rerun skips the steps already done and resumes at the first one that is not.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from accounts import nightly as accounts_nightly
from security import nightly as security_nightly

# The batch, in order (interest before statements, …). Each app keeps its steps in its own
# ``nightly.py`` and is listed here explicitly: no discovery, go-to-definition works.
NIGHTLY_STEPS = [
    *accounts_nightly.STEPS,
    *security_nightly.STEPS,
]


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
            day = accounts_nightly.default_business_date()
        self.stdout.write(f"nightly batch for {day:%Y-%m-%d}")
        try:
            results = accounts_nightly.nightly_batch_run(business_date=day, steps=NIGHTLY_STEPS)
        except Exception as exc:
            raise CommandError(f"nightly batch stopped: {type(exc).__name__}: {exc}") from exc
        for step, ran in results:
            self.stdout.write(f"  {step}: {'done' if ran else 'already done, skipped'}")
