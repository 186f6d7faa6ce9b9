"""Seed the demo bank (idempotent).

A management command is an entry point, like the URLconf: it may call into every app, so the
whole demo bank is assembled here, each app contributing its own ``demo`` module.
"""

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PIN, seed_demo_bank
from ebank.clearing.services import SAMPLE_BANK_CODES_FILE, bank_codes_import
from security.demo import seed_security_demo


class Command(BaseCommand):
    help = ("Create (or complete) the demo bank: branches, customers, media, balances, bank codes, "
            "e-banking users and staff.")

    def handle(self, *args, **options):
        customers = seed_demo_bank()
        codes = bank_codes_import(rows_or_path=SAMPLE_BANK_CODES_FILE)
        self.stdout.write(f"sample bank codes (联行号, invented demo rows): {codes.created} new, "
                          f"{codes.updated + codes.unchanged} already there")
        self.stdout.write(self.style.SUCCESS(f"demo bank ready: {len(customers)} customers"))
        for customer in customers:
            for medium in customer.media.order_by("number"):
                self.stdout.write(f"  {customer.name:<4} {medium.get_kind_display():<6} {medium.number}")
        self.stdout.write(f"  交易密码 of every demo medium: {DEMO_PIN} (demo data only)")
        self.stdout.write(self.style.SUCCESS("demo e-banking users and staff ready (demo data only):"))
        for line in seed_security_demo():
            self.stdout.write(line)
