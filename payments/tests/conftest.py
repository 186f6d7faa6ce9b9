"""The bills tests' world: tests/customer_world's personas (张伟 with a USBKey, 李娜 without a
tool), the nine demo billers registered on our side (payments.demo) and bills at the biller
simulator (ebank.billers.simulator, settings.BILLER_ADAPTER), on a fixed business day."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from accounts.models import MediumKind
from ebank.billers.simulator import KNOWN_BILLERS, sim_bill_put, sim_biller_open
from payments.bills.services import bill_pay_start, bill_query
from payments.demo import demo_billers_register
from tests.customer_world import World, confirm, world_build

# Tuesday 2026-11-24 12:00 in Shanghai.
NOON = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)

POWER_NO = "3400123456"
WATER_NO = "1001234501"
GAS_NO = "2200887601"
HEAT_NO = "5100200301"
TAX_NO = "334010026110000001"
MOBILE_NO = "13805510001"
TIETONG_NO = "055162881234"
UNICOM_NO = "18655100001"
TELECOM_NO = "18955100004"


def bills_seed() -> None:
    demo_billers_register()
    for code in KNOWN_BILLERS:
        sim_biller_open(code)
    sim_bill_put("POWER01", POWER_NO, name="张伟", amount_owed="218.65", period="2026年11月",
                 address="合肥市蜀山区长江西路88号")
    sim_bill_put("WATER01", WATER_NO, name="张伟", amount_owed="86.40", period="2026年11月")
    sim_bill_put("GAS01", GAS_NO, name="张伟", amount_owed="64.00", period="2026年11月")
    sim_bill_put("HEAT01", HEAT_NO, name="张伟", amount_owed="1860.00", fixed=True,
                 period="2026-2027采暖季")
    sim_bill_put("TAX01", TAX_NO, name="张伟", fixed=True, period="2026年10月",
                 treasury_serial="3401002611000001",
                 tax_lines=(("个人所得税", "1200.00"), ("城市维护建设税", "84.00"),
                            ("教育费附加", "36.00")))
    sim_bill_put("CMCC01", MOBILE_NO, name="张伟", amount_owed="0.00", balance="12.50")
    sim_bill_put("CTT01", TIETONG_NO, name="张伟", amount_owed="48.00", balance="0.00")
    sim_bill_put("CU01", UNICOM_NO, name="张伟", amount_owed="0.00", balance="26.00")
    sim_bill_put("CT01", TELECOM_NO, name="张伟", amount_owed="19.90", balance="3.10")


@pytest.fixture
def world(db, settings, tmp_path):
    bank = world_build(settings, tmp_path)
    with time_machine.travel(NOON, tick=True):
        bills_seed()
        yield bank


def start(user, kind, number, *, amount=None, account=None):
    quote = bill_query(customer=user.customer, kind=kind, customer_no=number)
    account = account or World.main(user.customer.media.get(kind=MediumKind.DEBIT_CARD))
    return bill_pay_start(user=user, quote=quote, sub_account_id=account.pk,
                          amount=None if amount is None else Decimal(amount))


def pay(user, kind, number, *, capture, amount=None, account=None):
    """Query, start and confirm as the customer would; the write-off after commit runs."""
    operation = start(user, kind, number, amount=amount, account=account)
    with capture(execute=True):
        return confirm(operation, user=user)
