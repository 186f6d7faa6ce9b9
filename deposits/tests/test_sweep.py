"""活期宝 (DEP-HQB): 签约 at the counter, the nightly 活期宝归集 (in whole thousands, ≥ 50,000;
back with its interest when below the 留存金额; a rerun posts nothing twice), 查询 and 解约
through X-CONFIRM, another customer's agreement → 404, the demo agreement."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Receipt, SubAccountKind
from deposits.models import (
    Deposit,
    DepositRate,
    DepositStatus,
    Product,
    SweepAgreement,
    SweepStatus,
)
from deposits.notice import sweep
from deposits.notice.counter import counter_hqb_sign
from deposits.notice.nightly import deposit_sweep_step
from deposits.notice.operations import hqb_terminate_start
from ebank.core.clock import SHANGHAI
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.duework.services import batch_step_run
from ebank.ledger.models import Entry
from security.models import CounterReceipt, OperationStatus
from security.tests.test_counter_fixtures import ident, make_staff

from .conftest import LOGIN_PASSWORD, RATES_FROM, balance, confirm
from .current_support import at as shanghai
from .current_support import move
from .test_fixed import at

pytestmark = pytest.mark.django_db

SIGNED = date(2026, 3, 2)


@pytest.fixture
def bank(world):
    DepositRate.objects.get_or_create(product=Product.NOTICE_7D, term_months=0,
                                      effective_from=RATES_FROM,
                                      defaults={"annual_rate": Decimal("0.55")})
    return world


def sign(world, threshold="20000.00", teller=None):
    teller = teller or make_staff("teller_hf", "340101", first_name="陈静")
    with at(SIGNED):
        slip = counter_hqb_sign(acting_user=teller, customer=world.zhang_customer,
                                **ident("张伟"), medium=world.zhang_card,
                                threshold=Decimal(threshold))
    return slip, SweepAgreement.objects.get(medium=world.zhang_card, status=SweepStatus.ACTIVE)


def night(day: date) -> bool:
    """The batch's 活期宝归集 of ``day``, run at 00:30 the morning after."""
    when = datetime(day.year, day.month, day.day, 0, 30, tzinfo=SHANGHAI) + timedelta(days=1)
    with time_machine.travel(when, tick=False):
        return batch_step_run(step="deposit_sweep", business_date=day, fn=deposit_sweep_step)


def tranches(agreement) -> list[Deposit]:
    return list(Deposit.objects.filter(sweep=agreement).order_by("pk"))


# --- 签约 at the counter -------------------------------------------------------------------------------


def test_hqb_is_signed_at_the_counter_with_a_slip_once_per_card(bank):
    slip, agreement = sign(bank)
    assert slip.action == "hqb_sign" and slip.get_action_display() == "活期宝签约"
    assert ["留存金额", "¥20,000.00"] in slip.detail["items"]
    assert agreement.threshold == Decimal("20000.00") and agreement.signed_on == SIGNED
    assert AuditEvent.objects.filter(action="counter_hqb_sign").count() == 1
    teller = make_staff("teller_2", "340101")
    with at(SIGNED), pytest.raises(BusinessError, match=sweep.ALREADY_SIGNED):
        counter_hqb_sign(acting_user=teller, customer=bank.zhang_customer, **ident("张伟"),
                         medium=bank.zhang_card, threshold=Decimal("1000.00"))
    with at(SIGNED), pytest.raises(BusinessError, match="证件"):
        counter_hqb_sign(acting_user=teller, customer=bank.li_customer, **ident("张伟"),
                         medium=bank.li_card, threshold=Decimal("1000.00"))
    with at(SIGNED), pytest.raises(BusinessError, match=sweep.CARD_UNKNOWN):
        counter_hqb_sign(acting_user=teller, customer=bank.li_customer, **ident("李娜"),
                         medium=bank.zhang_card, threshold=Decimal("1000.00"))
    assert CounterReceipt.objects.count() == 1


# --- the nightly 活期宝归集 -------------------------------------------------------------------------------


def test_sweep_moves_the_excess_in_whole_thousands_into_seven_day_notice_money(bank):
    _slip, agreement = sign(bank, threshold="25500.00")  # 80,000 − 25,500 = 54,500 → 54,000
    assert night(SIGNED)
    (deposit,) = tranches(agreement)
    assert deposit.product == Product.NOTICE_7D and deposit.principal == Decimal("54000.00")
    assert deposit.sub_account.kind == SubAccountKind.NOTICE
    assert deposit.sub_account.medium_id == bank.zhang_card.pk
    assert (deposit.opened_on, deposit.value_date) == (SIGNED, SIGNED + timedelta(days=1))
    assert balance(bank.zhang_card) == Decimal("26000.00")
    entry = Entry.objects.get(business_type="deposit_sweep")
    assert Receipt.objects.filter(entry_id=entry.pk).count() == 2


def test_sweep_only_when_the_excess_reaches_50000(bank):
    _slip, agreement = sign(bank, threshold="30000.01")  # excess 49,999.99 → stays
    assert night(SIGNED)
    assert tranches(agreement) == [] and balance(bank.zhang_card) == Decimal("80000.00")


def test_sweep_rerun_of_a_date_posts_nothing_twice(bank):
    _slip, agreement = sign(bank)
    assert night(SIGNED)
    assert not night(SIGNED)  # the batch: DONE for the date
    with at(SIGNED + timedelta(days=1)):
        assert sweep.sweep_run(SIGNED) == 0  # the agreement: swept_through the date
    assert len(tranches(agreement)) == 1
    assert Entry.objects.filter(business_type="deposit_sweep").count() == 1
    assert balance(bank.zhang_card) == Decimal("20000.00")


def test_money_comes_back_at_night_with_the_seven_day_rate_after_7_days(bank):
    _slip, agreement = sign(bank)
    night(SIGNED)  # 60,000 swept, 起息日 03-03
    card = bank.main(bank.zhang_card)
    payday = SIGNED + timedelta(days=10)
    move(card, "-15000.00", shanghai(payday))  # 5,000 left: 15,000 short of the 留存金额
    assert balance(card) == Decimal("5000.00")  # nothing comes back during the day
    night(payday)
    # 15,000 back, 10 days (03-03 .. 03-12) at 0.55% → 2.29, its own interest entry.
    assert balance(card) == Decimal("20002.29")
    (deposit,) = tranches(agreement)
    assert balance(deposit.sub_account) == Decimal("45000.00")
    assert deposit.status == DepositStatus.OPEN and deposit.interest_paid == Decimal("2.29")


def test_money_held_under_7_days_comes_back_at_current(bank):
    _slip, agreement = sign(bank)
    night(SIGNED)
    card = bank.main(bank.zhang_card)
    day = SIGNED + timedelta(days=3)
    move(card, "-15000.00", shanghai(day))
    night(day)
    # 3 days (03-03 .. 03-05) at 活期 0.10%: 15,000 × 0.10% / 360 × 3 = 0.125 → 0.13.
    assert balance(card) == Decimal("20000.13")


def test_the_oldest_sweep_comes_back_first_and_closes_when_taken_whole(bank):
    _slip, agreement = sign(bank)
    night(SIGNED)  # 60,000
    card = bank.main(bank.zhang_card)
    move(card, "50000.00", shanghai(SIGNED + timedelta(days=1)))
    night(SIGNED + timedelta(days=1))  # 50,000 more
    first, second = tranches(agreement)
    move(card, "-19000.00", shanghai(SIGNED + timedelta(days=20)))  # 1,000 left
    move(card, "-1000.00", shanghai(SIGNED + timedelta(days=20)))
    night(SIGNED + timedelta(days=20))
    first.refresh_from_db()
    second.refresh_from_db()
    assert balance(first.sub_account) == Decimal("40000.00")
    assert balance(second.sub_account) == Decimal("50000.00")


# --- 查询 and 解约 ------------------------------------------------------------------------------------------


def login(client, user):
    assert client.login(username=user.username, password=LOGIN_PASSWORD)


def test_hqb_terminate_brings_everything_back_at_once_with_its_interest(bank, client):
    _slip, agreement = sign(bank)
    night(SIGNED)  # 60,000, 起息日 03-03
    day = SIGNED + timedelta(days=31)  # 30 days at 0.55% → 27.50
    with at(day):
        login(client, bank.zhang)
        page = client.get(reverse("deposits:hqb")).content.decode()
        assert "¥20,000.00" in page and "¥60,000.00" in page and "¥27.50" in page
        response = client.post(reverse("deposits:hqb_terminate", args=[agreement.pk]))
        assert response.status_code == 302
        operation = hqb_terminate_start(user=bank.zhang, agreement_id=agreement.pk)
        operation = confirm(operation, user=bank.zhang)
    assert operation.status == OperationStatus.EXECUTED, operation.failure_reason
    assert balance(bank.zhang_card) == Decimal("80027.50")
    agreement.refresh_from_db()
    assert agreement.status == SweepStatus.TERMINATED and agreement.terminated_on == day
    assert all(d.status == DepositStatus.CLOSED for d in tranches(agreement))
    assert dict(operation.result["lines"])["利息"] == "¥27.50"
    assert AuditEvent.objects.filter(action="deposits.hqb_terminate").count() == 1
    night(day)  # a terminated agreement sweeps no more
    assert balance(bank.zhang_card) == Decimal("80027.50")


def test_another_customers_agreement_is_a_404_and_not_shown(bank, client):
    _slip, agreement = sign(bank)
    night(SIGNED)
    with at(SIGNED + timedelta(days=5)):
        login(client, bank.li)
        response = client.post(reverse("deposits:hqb_terminate", args=[agreement.pk]))
        assert response.status_code == 404
        page = client.get(reverse("deposits:hqb")).content.decode()
        assert bank.zhang_card.masked_number not in page and "请持借记卡" in page
        with pytest.raises(BusinessError, match=sweep.AGREEMENT_UNKNOWN):
            hqb_terminate_start(user=bank.li, agreement_id=agreement.pk)
    agreement.refresh_from_db()
    assert agreement.status == SweepStatus.ACTIVE


def test_the_demo_agreement_is_made_once(bank):
    from deposits.demo import DEMO_SWEEP_THRESHOLD, demo_sweep_seed

    first = demo_sweep_seed()
    again = demo_sweep_seed()
    assert first.pk == again.pk and first.threshold == DEMO_SWEEP_THRESHOLD
    assert first.medium == bank.wang_card


def test_the_counter_offers_hqb_sign_for_a_customer_with_a_normal_debit_card():
    from accounts.models import Customer, Medium, MediumKind, MediumStatus
    from security.staff.counter.actions import COUNTER_ACTIONS
    from security.staff.counter.state import CustomerState

    def state(*media):
        return CustomerState(customer=Customer(pk=10**9), user=None, tools=(),
                             today=SIGNED, media=tuple(Medium(kind=k, status=s) for k, s in media))

    applies = COUNTER_ACTIONS["hqb_sign"].applies
    assert applies(state((MediumKind.DEBIT_CARD, MediumStatus.NORMAL)))
    assert not applies(state((MediumKind.DEBIT_CARD, MediumStatus.ORAL_LOSS),
                             (MediumKind.CURRENT_PASSBOOK, MediumStatus.NORMAL)))


def test_the_teller_signs_hqb_on_the_counter_page(bank, client):
    from security.tests.test_counter_fixtures import otp_login

    teller = make_staff("teller_hf", "340101", first_name="陈静")
    otp_login(client, teller)
    url = reverse("admin:counter_action", kwargs={"customer_id": bank.zhang_customer.pk,
                                                  "action": "hqb_sign"})
    with at(SIGNED):
        page = client.get(url).content.decode()
        assert "活期宝签约" in page and "留存金额" in page
        bad = client.post(url, {**ident("张伟"), "medium": bank.zhang_card.pk,
                                "threshold": "abc"})
        assert bad.status_code == 200 and not SweepAgreement.objects.exists()
        done = client.post(url, {**ident("张伟"), "medium": bank.zhang_card.pk,
                                 "threshold": "30,000"})
    assert done.status_code == 302
    agreement = SweepAgreement.objects.get()
    assert agreement.threshold == Decimal("30000.00") and agreement.signed_by_id == teller.pk


def test_the_nightly_step_runs_after_current_accrual_and_settlement():
    from ebank.duework.nightly import registered_steps

    order = [step.name for step in registered_steps()]
    step = next(s for s in registered_steps() if s.name == "deposit_sweep")
    assert step.order == 120 and step.label == "活期宝归集"
    assert order.index("current_accrual") < order.index("current_settlement") < order.index(
        "deposit_sweep") < order.index("fixed_maturity")


def test_interest_of_swept_money_comes_from_the_interest_expense_book_with_its_receipt(bank):
    from ebank.ledger.bank_books import BankBook, bank_book_id
    from ebank.ledger.models import BusinessType, Posting

    _slip, agreement = sign(bank)
    night(SIGNED)
    (deposit,) = tranches(agreement)
    with at(SIGNED + timedelta(days=31)):
        sweep.agreement_terminate(user=bank.zhang, agreement_id=agreement.pk,
                                  idempotency_key="t:end")
    entry = Entry.objects.get(business_type=BusinessType.INTEREST,
                              reference=f"deposit:{deposit.pk}")
    legs = {p.account_id for p in Posting.objects.filter(entry=entry)}
    assert legs == {bank_book_id(BankBook.INTEREST_EXPENSE),
                    bank.main(bank.zhang_card).ledger_account_id}
    assert Receipt.objects.get(entry_id=entry.pk).amount == Decimal("27.50")
