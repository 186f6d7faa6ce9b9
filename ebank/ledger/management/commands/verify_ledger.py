from django.core.management.base import BaseCommand, CommandError

from ebank.ledger.selectors import ledger_violations


class Command(BaseCommand):
    help = "Check the books: every entry balances, every cached balance and hold total is right."

    def handle(self, *args, **options):
        violations = ledger_violations()
        for violation in violations:
            self.stdout.write(str(violation))
        if violations:
            raise CommandError(f"{len(violations)} ledger violation(s) found")
        self.stdout.write(self.style.SUCCESS("ledger OK: every entry balances, every balance matches"))
