"""Helpers of the 大额存单 / 存本取息 tests: money onto a card (现金存入 from the bank's cash
book), an issue, the 存本取息 rates, the clock and the nightly batch."""

from datetime import UTC, date, datetime
from decimal import Decimal

import time_machine
from django.core.management import call_command

from accounts.services import funds_move
from deposits.models import DepositRate, LargeCDProduct, Product
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.ledger.models import BusinessType

OPENED = date(2026, 3, 2)
PAYOUT_RATES = {12: "0.85", 36: "1.05", 60: "1.05"}


def at(day: date, hour: int = 2):
    """10:00 Asia/Shanghai of ``day``."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC),
                               tick=False)


def fund(sub_account, amount: str, key: str) -> None:
    funds_move(debit_ledger_id=bank_book_id(BankBook.CASH),
               credit_ledger_id=sub_account.ledger_account_id, amount=Decimal(amount),
               idempotency_key=f"test-fund:{key}", business_type=BusinessType.CASH_DEPOSIT,
               reference="test", memo="现金存入")


def cd_issue(code="CD2026001", term=36, rate="1.80", quota="1000000.00", minimum="200000.00",
             sale_from=date(2026, 3, 1), sale_to=date(2026, 3, 31)) -> LargeCDProduct:
    return LargeCDProduct.objects.create(
        code=code, name=f"2026年第1期{term}个月大额存单", term_months=term,
        annual_rate=Decimal(rate), minimum=Decimal(minimum), quota=Decimal(quota),
        sale_from=sale_from, sale_to=sale_to)


def payout_rates_seed(on: date = date(2026, 1, 1)) -> None:
    for months, rate in PAYOUT_RATES.items():
        DepositRate.objects.get_or_create(product=Product.INTEREST_PAYOUT, term_months=months,
                                          effective_from=on,
                                          defaults={"annual_rate": Decimal(rate)})


def batch(day: date) -> None:
    with at(day, hour=17):  # 01:00 Asia/Shanghai the next day
        call_command("run_nightly_batch", "--date", day.isoformat())
