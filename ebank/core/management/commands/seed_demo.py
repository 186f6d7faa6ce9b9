"""Seed the demo bank (idempotent).

A management command is an entry point, like the URLconf: it may call into every app, so the
whole demo bank is assembled here, each app contributing its own ``demo`` module.
"""

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PIN, seed_demo_bank


class Command(BaseCommand):
    help = "Create (or complete) the demo bank: branches, customers, media, balances, bank codes."

    def handle(self, *args, **options):
        customers = seed_demo_bank()
        self.stdout.write(self.style.SUCCESS(f"demo bank ready: {len(customers)} customers"))
        for customer in customers:
            for medium in customer.media.order_by("number"):
                self.stdout.write(f"  {customer.name:<4} {medium.get_kind_display():<6} {medium.number}")
        self.stdout.write(f"  交易密码 of every demo medium: {DEMO_PIN} (demo data only)")
