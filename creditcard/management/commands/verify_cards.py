"""``manage.py verify_cards``: every card whose ledger balance and items disagree
(``creditcard.engine.cards_unsound``: ledger balance ≠ Σ item.outstanding + active plans'
unbilled principal − Σ credit.unapplied). Exit code 1 when any does (for monitoring)."""

import sys

from django.core.management.base import BaseCommand

from ...engine import card_verify, cards_unsound
from ...models import Card


class Command(BaseCommand):
    help = "核对信用卡：账户余额与交易明细不一致的信用卡（有则退出码为1）"

    def handle(self, *args, **options):
        unsound = cards_unsound()
        if not unsound:
            self.stdout.write(f"信用卡核对一致：共{Card.objects.count()}张")
            return
        for card in Card.objects.filter(pk__in=unsound).select_related("medium", "sub_account",
                                                                        "customer"):
            ledger, items = card_verify(card)
            self.stdout.write(f"不一致：信用卡 {card.medium.masked_number}（{card.customer.name}，"
                              f"ID {card.pk}）账户余额 {ledger} ≠ 交易明细 {items}，"
                              f"差额 {ledger - items}")
        self.stderr.write(f"共{len(unsound)}张信用卡不一致")
        sys.exit(1)
