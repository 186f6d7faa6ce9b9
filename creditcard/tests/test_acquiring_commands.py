"""``manage.py card_activity`` (a purchase or refund through the acquirer simulator) and
``manage.py verify_cards`` (cards whose ledger balance and items disagree; exit code 1)."""

from datetime import UTC, date, datetime
from decimal import Decimal as D
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from creditcard.engine import card_balance
from creditcard.models import CardCredit, CardItem

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 1, 10, 4, 0, tzinfo=UTC)


def run(*args) -> str:
    out = StringIO()
    with time_machine.travel(NOON, tick=False):
        call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_card_activity_purchases_and_refunds_through_the_simulator(card):
    number = card.medium.number
    said = run("card_activity", "--card", number, "--purchase", "268.00", "--merchant", "苏宁易购",
               "--mcc", "5732", "--date", "2026-01-08")
    assert said.startswith("消费成功：苏宁易购 ¥268.00，收单流水号 ACQ")
    item = CardItem.objects.get(card=card)
    assert (item.amount, item.mcc, item.txn_date) == (D("268.00"), "5732", date(2026, 1, 8))
    said = run("card_activity", "--card", number, "--refund", "68.00", "--original",
               item.reference)
    assert said.startswith("退货成功：苏宁易购 ¥68.00")
    assert CardCredit.objects.get().refund_of == item and card_balance(card) == D("200.00")
    said = run("card_activity", "--card", number, "--refund", "300.00", "--original",
               item.reference)
    assert said.startswith("退货被拒绝：退货金额超过原交易可退金额（可退¥200.00）")
    said = run("card_activity", "--card", number, "--purchase", "50000", "--merchant", "金店")
    assert said.startswith("消费被拒绝：信用卡可用额度不足")


@pytest.mark.parametrize(("args", "message"), [
    (("--purchase", "10"), "消费须指定 --merchant"),
    (("--refund", "10"), "退货须指定 --original"),
    (("--purchase", "10", "--merchant", "店", "--date", "2026/01/08"), "YYYY-MM-DD"),
    (("--purchase", "0", "--merchant", "店"), "交易金额须为大于零"),
    (("--refund", "1", "--original", "ACQ-NONE"), "原交易不存在"),
])
def test_card_activity_refuses_bad_arguments(card, args, message):
    with pytest.raises(CommandError, match=message):
        run("card_activity", "--card", card.medium.number, *args)
    assert not CardItem.objects.exists()


def test_verify_cards_is_quiet_for_sound_cards_and_exits_1_naming_an_unsound_one(card):
    run("card_activity", "--card", card.medium.number, "--purchase", "100.00", "--merchant", "店")
    assert run("verify_cards") == "信用卡核对一致：共1张\n"
    CardItem.objects.filter(card=card).update(outstanding=D("90.00"))   # items no longer agree
    out = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("verify_cards", stdout=out, stderr=StringIO())
    assert exited.value.code == 1
    said = out.getvalue()
    assert card.medium.masked_number in said and "账户余额 100.00 ≠ 交易明细 90.00" in said
