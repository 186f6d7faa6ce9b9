"""Fixtures for the 跨行转账 / 联行号查询 / 预约交易管理 tests.

Builds on the 行内转账 tests' demo world (张伟 with a USBKey and ¥80,000.00 on his 借记卡, 李娜
without a tool) and adds the sample 联行号 table, a clean clearing simulator and the 2026
calendar. Times are Asia/Shanghai; 2026-11-27 is a normal Friday, 11-30 the Monday after.
"""

from datetime import datetime
from decimal import Decimal

import pytest
import time_machine

from ebank.clearing.adapters import get_clearing_adapter
from ebank.clearing.calendar import calendar_invalidate
from ebank.clearing.routing import ArrivalMode
from ebank.clearing.selectors import bank_code_get
from ebank.clearing.services import SAMPLE_BANK_CODES_FILE, bank_codes_import
from ebank.core.clock import SHANGHAI
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.ledger.models import LedgerAccount
from ebank.limits.selectors import limit_usage
from tests.customer_world import DEMO_PIN, World, balance, confirm, entries, world
from transfers.services.common import limit_subject_for
from transfers.services.inter import InterRequest, inter_transfer_start

__all__ = ["DEMO_PIN", "ICBC_HEFEI", "SH", "World", "at", "balance", "book_balance", "confirm",
           "entries", "inter_fixture", "request_for", "start", "usage", "world"]

SH = SHANGHAI
ICBC_HEFEI = "102361000013"  # 中国工商银行合肥市分行营业部 (sample table)
ICBC_BRANCH = "102361000528"  # 中国工商银行合肥长江中路支行
PAYEE_ACCOUNT = "6212261302001234567"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture(name="inter")
def inter_fixture(world):
    """The world, the sample bank codes, a reset simulator and a fresh calendar."""
    bank_codes_import(rows_or_path=SAMPLE_BANK_CODES_FILE)
    get_clearing_adapter().reset()
    calendar_invalidate()
    return world


def request_for(world: World, *, amount="1000.00", mode=ArrivalMode.REAL_TIME,
                payee_account=PAYEE_ACCOUNT, payee_name="赵敏", bank=ICBC_HEFEI, branch=None,
                purpose="货款", save_payee=False, payer=None) -> InterRequest:
    return InterRequest(
        payer=World.main(payer or world.zhang_card), mode=ArrivalMode(mode),
        payee_account=payee_account, payee_name=payee_name, bank=bank_code_get(bank),
        branch=bank_code_get(branch) if branch else None, amount=Decimal(amount),
        purpose=purpose, save_payee=save_payee)


def start(world: World, *, user=None, **kwargs):
    return inter_transfer_start(user=user or world.zhang, request=request_for(world, **kwargs))


def book_balance(code: str) -> Decimal:
    return LedgerAccount.objects.get(pk=bank_book_id(code)).balance


def usage(world: World, customer=None, on=None) -> Decimal:
    customer = customer or world.zhang_customer
    return limit_usage(subject=limit_subject_for(customer=customer), on=on)


def travel(moment: datetime, tick: bool = False):
    return time_machine.travel(moment, tick=tick)


IBPS_BOOK, HVPS_BOOK = BankBook.IBPS_CLEARING, BankBook.HVPS_CLEARING
