"""Seed the demo bank (idempotent).

Each app contributes its part from its own ``demo`` module, registered in its
``AppConfig.ready()`` with its place (ebank.core.demo): the bank codes, the bank and its
customers, their e-banking users and the staff, then whatever the menu apps add.
"""

from django.core.management.base import BaseCommand

from ebank.core.demo import demo_parts


class _Output:
    def __init__(self, command: BaseCommand):
        self._command = command

    def line(self, text: str) -> None:
        self._command.stdout.write(text)

    def success(self, text: str) -> None:
        self._command.stdout.write(self._command.style.SUCCESS(text))


class Command(BaseCommand):
    help = ("Create (or complete) the demo bank: branches, customers, media, balances, bank codes, "
            "e-banking users and staff.")

    def handle(self, *args, **options):
        out = _Output(self)
        for seed in demo_parts():
            seed(out)
