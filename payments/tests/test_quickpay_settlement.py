"""快捷支付结算: the merchants in the bank's registry, and the nightly move of their debits from
快捷支付待清算 to their 收款户 — one entry per merchant and date, the debits marked in the same
transaction, a rerun posting nothing, the ledger verified."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from ebank.core.clock import SHANGHAI
from ebank.core.errors import BusinessError
from ebank.duework.nightly import registered_steps
from ebank.duework.services import batch_step_run
from ebank.ledger.bank_books import bank_book_id
from ebank.ledger.models import AccountOwner, Entry, LedgerAccount, Side
from payments.models import PaymentBusinessType, QuickPayDebit, QuickPayMerchant
from payments.quickpay import services
from payments.quickpay.nightly import quickpay_settlement_step
from payments.quickpay.settlement import quickpay_settlement_run, quickpay_unsettled_total
from tests.customer_world import world_build

from .quickpay_support import DETAILS, MERCHANT, MERCHANT_NAME, NOW, merchant_register, sign

DAY = date(2026, 6, 10)          # NOW's business date
NEXT = DAY + timedelta(days=1)


@pytest.fixture
def world(db, settings, tmp_path):
    return world_build(settings, tmp_path)


def at(day: date, hour: int = 10):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, 0,
                                        tzinfo=SHANGHAI), tick=False)


def pay(agreement, order_no: str, amount: str):
    return services.quickpay_debit(agreement.number, agreement.merchant_code, order_no,
                                   Decimal(amount))


def run_batch(day: date) -> bool:
    """The step as the batch runs it: the morning after ``day``."""
    with at(day + timedelta(days=1), hour=0):
        return batch_step_run(step="quickpay_settlement", business_date=day,
                              fn=quickpay_settlement_step)


def account_balance(code: str) -> Decimal:
    return LedgerAccount.objects.get(code=code).balance


def book() -> Decimal:
    return LedgerAccount.objects.get(pk=bank_book_id(services.QUICKPAY_BOOK)).balance


def ledger_ok() -> bool:
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    return "ledger OK" in out.getvalue()


def settlements() -> list[Entry]:
    return list(Entry.objects.filter(business_type=PaymentBusinessType.QUICKPAY_SETTLEMENT)
                .order_by("pk"))


# --- the registry --------------------------------------------------------------------------

def test_registering_a_merchant_opens_its_collection_account_once(world):
    first = merchant_register()
    again = services.quickpay_merchant_register(code=MERCHANT, name="另一个名字")
    assert first.pk == again.pk and again.name == MERCHANT_NAME
    account = LedgerAccount.objects.get(code=f"MERCHANT:{MERCHANT}:ACCT")
    assert first.collection_account_id == account.pk
    assert (account.owner, account.normal_side) == (AccountOwner.CUSTOMER, Side.CREDIT)
    assert LedgerAccount.objects.filter(code__startswith="MERCHANT:").count() == 1


def test_a_merchant_the_bank_did_not_register_cannot_sign(world):
    details = {"card_number": world.zhang_card.number, **DETAILS["张伟"]}
    with at(DAY), pytest.raises(BusinessError, match="该商户未在我行开通快捷支付"):
        services.quickpay_sign_code_send(merchant_code="NOPE01", **details)
    merchant = merchant_register()
    merchant.active = False
    merchant.save()
    with at(DAY), pytest.raises(BusinessError, match="该商户未在我行开通快捷支付"):
        services.quickpay_sign(merchant_code=MERCHANT, sms_code="123456", **details)


def test_the_agreement_carries_the_registered_name_not_the_one_the_merchant_sends(world):
    services.quickpay_merchant_register(code=MERCHANT, name="快付通支付有限公司")
    with time_machine.travel(NOW, tick=False):
        agreement = sign(world.zhang_card)  # the merchant sends its code only
    assert agreement.merchant_name == "快付通支付有限公司"


# --- the nightly step --------------------------------------------------------------------------

def test_the_step_is_registered_in_the_settlements_band():
    steps = [(step.order, step.name, step.label) for step in registered_steps()
             if step.qualname.startswith("payments.quickpay.")]
    assert (610, "quickpay_settlement", "快捷支付结算") in steps


def test_a_date_is_settled_once_per_merchant_and_the_debits_marked(world):
    with at(DAY):
        agreement = sign(world.zhang_card)
        pay(agreement, "A1", "36.80")
        pay(agreement, "A2", "128.00")
    with at(NEXT):
        pay(agreement, "B1", "9.90")
    assert book() == Decimal("174.70")

    assert run_batch(DAY)
    acct = f"MERCHANT:{MERCHANT}:ACCT"
    assert account_balance(acct) == Decimal("164.80") and book() == Decimal("9.90")
    [entry] = settlements()
    assert entry.idempotency_key == f"quickpay_settlement:{MERCHANT}:20260610"
    settled = QuickPayDebit.objects.filter(settled_on=DAY)
    assert sorted(settled.values_list("order_no", flat=True)) == ["A1", "A2"]
    assert set(settled.values_list("settlement_entry_id", flat=True)) == {entry.pk}
    assert QuickPayDebit.objects.get(order_no="B1").settled_on is None
    assert quickpay_unsettled_total(merchant_code=MERCHANT) == Decimal("9.90")

    # Twice → once: the batch skips the done step, and the run itself posts nothing again.
    assert not run_batch(DAY)
    assert quickpay_settlement_run(DAY) == 0
    assert len(settlements()) == 1 and account_balance(acct) == Decimal("164.80")

    assert run_batch(NEXT)
    assert account_balance(acct) == Decimal("174.70") and book() == Decimal("0.00")
    assert len(settlements()) == 2
    assert ledger_ok()


def test_each_merchant_gets_its_own_entry(world):
    services.quickpay_merchant_register(code="KFT02", name="快付通二号")
    with at(DAY):
        first = sign(world.zhang_card)
        second = sign(world.li_card, merchant="KFT02")
        pay(first, "A1", "10.00")
        pay(second, "A1", "20.00")
        pay(second, "A2", "5.00")
    assert quickpay_settlement_run(DAY) == 3
    assert account_balance(f"MERCHANT:{MERCHANT}:ACCT") == Decimal("10.00")
    assert account_balance("MERCHANT:KFT02:ACCT") == Decimal("25.00")
    assert sorted(e.reference for e in settlements()) == [f"{MERCHANT}:20260610",
                                                          "KFT02:20260610"]
    assert QuickPayMerchant.objects.count() == 2 and book() == Decimal("0.00")
    assert ledger_ok()


def test_a_date_the_batch_missed_is_caught_up_by_the_next(world):
    with at(DAY):
        agreement = sign(world.zhang_card)
        pay(agreement, "A1", "10.00")
    with at(NEXT):
        pay(agreement, "B1", "1.00")
    assert quickpay_settlement_run(NEXT) == 2
    [entry] = settlements()
    assert entry.reference == f"{MERCHANT}:20260611"
    assert set(QuickPayDebit.objects.values_list("settled_on", flat=True)) == {NEXT}
    assert ledger_ok()


def test_a_debit_committed_after_its_date_was_settled_waits_for_the_next_date(world):
    with at(DAY):
        agreement = sign(world.zhang_card)
        pay(agreement, "A1", "10.00")
    assert quickpay_settlement_run(DAY) == 1
    with at(DAY, hour=23):
        pay(agreement, "LATE", "2.00")  # business date DAY, after DAY's run
    assert quickpay_settlement_run(DAY) == 0
    assert len(settlements()) == 1
    assert quickpay_settlement_run(NEXT) == 1
    assert QuickPayDebit.objects.get(order_no="LATE").settled_on == NEXT
    assert book() == Decimal("0.00") and ledger_ok()


def test_nothing_to_settle_posts_nothing(world):
    merchant_register()
    assert quickpay_settlement_run(DAY) == 0
    assert settlements() == []
