"""存本取息 (DEP-CBQX): 开户 at the counter (the counter action), the nightly 存本取息付息 (the
schedule of DOMAIN-RULES §2, rerun, a late batch catching up), 支取 through X-CONFIRM (early
closure at 活期 with the clawback; at maturity the principal back), 利息账户变更/查询 through
the same page as 大额存单, and another customer's → 404."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import MediumStatus, Receipt, SubAccountKind
from deposits.business_types import DepositCounterAction
from deposits.demo import demo_payout_seed
from deposits.interest import interest_full_term, payout_schedule
from deposits.interest_account import interest_account_change_start
from deposits.models import Deposit, DepositStatus, InterestAccountChange, PayoutFrequency, Product
from deposits.payout import services
from deposits.payout.counter import counter_payout_open
from deposits.payout.operations import payout_withdraw_start
from deposits.payout.services import payout_withdraw, payouts_run
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.ledger.models import Entry
from security.models import OperationStatus
from security.staff.counter.actions import counter_action_get, counter_actions_applicable
from security.staff.counter.state import customer_state_read
from security.tests.test_counter_fixtures import ident, make_staff, otp_login

from .cd_payout_support import OPENED, at, batch, payout_rates_seed
from .conftest import balance, confirm

pytestmark = pytest.mark.django_db


@pytest.fixture
def teller(world):
    payout_rates_seed()
    return make_staff("teller_dep", "340101", first_name="陈静")


def _open(world, teller, amount="10000.00", term=36, frequency=PayoutFrequency.MONTHLY,
          interest_account=None, on=OPENED):
    with at(on):
        receipt = counter_payout_open(
            acting_user=teller, customer=world.zhang_customer, **ident("张伟"),
            medium=world.zhang_card, amount=Decimal(amount), term_months=term,
            frequency=frequency, interest_account=interest_account)
    return receipt, Deposit.objects.filter(product=Product.INTEREST_PAYOUT).latest("pk")


# --- DOMAIN-RULES §2: the schedule ---------------------------------------------------------------


def test_domain_rule_each_payout_half_up_the_last_takes_the_rounding():
    schedule = payout_schedule(Decimal("10000.00"), Decimal("0.85"), 12, 12)
    assert schedule[:11] == [Decimal("7.08")] * 11 and schedule[-1] == Decimal("7.12")
    assert sum(schedule) == Decimal("85.00")


def test_payouts_sum_to_the_full_term_interest(world, teller):
    _receipt, deposit = _open(world, teller, amount="12345.67", term=60)
    with transaction.atomic():
        assert payouts_run(date(2031, 3, 2)) == 60
    deposit.refresh_from_db()
    full = interest_full_term(Decimal("12345.67"), Decimal("1.05"), 60)
    assert deposit.payouts_made == 60 and deposit.interest_paid == full == Decimal("648.15")


# --- 开户 at the counter ---------------------------------------------------------------------------


def test_counter_open_moves_the_money_and_prints_the_slip(world, teller):
    card = world.main(world.zhang_card)
    receipt, deposit = _open(world, teller)
    assert receipt.action == DepositCounterAction.PAYOUT_OPEN
    assert ["每期利息", "¥8.75"] in receipt.detail["items"]
    assert ["首次付息日", "2026-04-02"] in receipt.detail["items"]
    assert deposit.sub_account.kind == SubAccountKind.FIXED_INTEREST_PAYOUT
    assert deposit.annual_rate == Decimal("1.0500") and deposit.matures_on == date(2029, 3, 2)
    assert deposit.interest_account == card and deposit.rate_row is not None
    assert balance(card) == Decimal("70000.00")
    assert balance(deposit.sub_account) == Decimal("10000.00")
    assert Receipt.objects.filter(sub_account=card, channel="柜面").exists()
    assert AuditEvent.objects.filter(action="counter_payout_open", actor=teller).exists()
    assert AuditEvent.objects.filter(action="deposits.payout_open").exists()


def test_rule_minimum_5000(world, teller):
    with pytest.raises(BusinessError, match="存本取息起存金额5000元"):
        _open(world, teller, amount="4999.99")
    assert not Deposit.objects.filter(product=Product.INTEREST_PAYOUT).exists()


def test_rule_terms_one_three_five_years(world, teller):
    with pytest.raises(BusinessError, match="一年、三年或五年"):
        _open(world, teller, term=24)


def test_rule_payouts_monthly_or_quarterly(world, teller):
    with pytest.raises(BusinessError, match="按月或按季"):
        _open(world, teller, frequency="yearly")


def test_counter_open_checks_the_id(world, teller):
    with at(OPENED), pytest.raises(BusinessError, match="证件类型或证件号码与客户信息不符"):
        counter_payout_open(acting_user=teller, customer=world.zhang_customer, **ident("李娜"),
                            medium=world.zhang_card, amount=Decimal("10000"), term_months=12,
                            frequency="monthly", interest_account=None)


def test_counter_action_is_registered_and_applies_to_a_customer_with_a_card(world, teller):
    spec = counter_action_get(DepositCounterAction.PAYOUT_OPEN)
    assert spec is not None and spec.label == "存本取息开户"
    state = customer_state_read(customer=world.zhang_customer)
    assert spec in counter_actions_applicable(state)
    world.zhang_card.status = MediumStatus.WRITTEN_LOSS
    world.zhang_card.save(update_fields=["status"])
    state = customer_state_read(customer=world.zhang_customer)
    assert spec not in counter_actions_applicable(state)


def test_counter_open_with_another_interest_account(world, teller):
    passbook = world.main(world.zhang_passbook)
    _receipt, deposit = _open(world, teller, interest_account=passbook)
    assert deposit.interest_account == passbook
    batch(date(2026, 4, 2))
    assert balance(passbook) == Decimal("12345.67") + Decimal("8.75")


# --- the nightly step ----------------------------------------------------------------------------


def test_nightly_pays_each_due_payout_from_interest_expense_with_a_receipt(world, teller):
    card = world.main(world.zhang_card)
    _receipt, deposit = _open(world, teller, frequency=PayoutFrequency.QUARTERLY)
    batch(date(2026, 6, 1))
    deposit.refresh_from_db()
    assert deposit.payouts_made == 0
    batch(date(2026, 6, 2))
    deposit.refresh_from_db()
    assert deposit.payouts_made == 1 and deposit.interest_paid == Decimal("26.25")
    assert balance(card) == Decimal("70026.25")
    entry = Entry.objects.get(idempotency_key=f"deposits:payout:{deposit.pk}:1")
    assert entry.business_type == "deposit_interest_payout"
    receipt = Receipt.objects.get(entry_id=entry.pk)
    assert receipt.amount == Decimal("26.25") and receipt.business == "存本取息付息"
    assert receipt.payer_name == "本行利息支出"


def test_nightly_rerun_posts_nothing_twice(world, teller):
    _receipt, deposit = _open(world, teller)
    with transaction.atomic():
        assert payouts_run(date(2026, 4, 2)) == 1
    count = Entry.objects.count()
    with transaction.atomic():
        assert payouts_run(date(2026, 4, 2)) == 0
    assert Entry.objects.count() == count
    deposit.refresh_from_db()
    assert deposit.payouts_made == 1


def test_a_late_batch_catches_up_each_missed_payout(world, teller):
    card = world.main(world.zhang_card)
    _receipt, deposit = _open(world, teller)
    batch(date(2026, 7, 10))  # the first batch after opening: April, May, June, July are due
    deposit.refresh_from_db()
    assert deposit.payouts_made == 4 and deposit.interest_paid == Decimal("35.00")
    keys = set(Entry.objects.filter(idempotency_key__startswith=f"deposits:payout:{deposit.pk}:")
               .values_list("idempotency_key", flat=True))
    assert keys == {f"deposits:payout:{deposit.pk}:{n}" for n in (1, 2, 3, 4)}
    assert balance(card) == Decimal("70035.00")


# --- 支取 -----------------------------------------------------------------------------------------


def test_domain_rule_early_closure_at_current_claws_back_what_was_paid_above_it(world, teller):
    """10,000 三年 按月 at 1.05%: three payouts of 8.75 paid (26.25); closed after 100 days, the
    principal earned 2.78 at 活期 0.10% → 23.47 taken back from the principal."""
    card = world.main(world.zhang_card)
    _receipt, deposit = _open(world, teller)
    batch(date(2026, 6, 2))
    assert balance(card) == Decimal("70026.25")
    with at(date(2026, 6, 10)):
        operation = payout_withdraw_start(user=world.zhang, deposit_id=deposit.pk)
        done = confirm(operation, user=world.zhang)
    assert done.status == OperationStatus.EXECUTED, done.failure_reason
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.CLOSED and deposit.closed_on == date(2026, 6, 10)
    assert deposit.interest_paid == Decimal("2.78")
    assert balance(card) == Decimal("70026.25") + Decimal("9976.53")
    assert balance(deposit.sub_account) == Decimal("0.00")
    clawback = Entry.objects.get(business_type="deposit_interest_clawback")
    assert Receipt.objects.get(entry_id=clawback.pk).amount == Decimal("23.47")


def test_early_closure_before_any_payout_pays_the_current_interest(world, teller):
    card = world.main(world.zhang_card)
    _receipt, deposit = _open(world, teller)
    with at(date(2026, 3, 20)):  # 18 days: 10,000 × 0.10% / 360 × 18 = 0.50
        quote, _r, _i = payout_withdraw(user=world.zhang, deposit_id=deposit.pk,
                                        idempotency_key="t:w")
    assert quote.clawback == Decimal("0.00") and quote.top_up == Decimal("0.50")
    assert balance(card) == Decimal("80000.50")


def test_at_maturity_the_principal_comes_back_after_the_last_payout(world, teller):
    card = world.main(world.zhang_card)
    _receipt, deposit = _open(world, teller, term=12)
    batch(date(2027, 3, 2))  # the twelfth payout is the nightly's
    deposit.refresh_from_db()
    assert deposit.payouts_made == 12 and deposit.status == DepositStatus.OPEN
    with at(date(2027, 3, 3)):
        quote, _r, _i = payout_withdraw(user=world.zhang, deposit_id=deposit.pk,
                                        idempotency_key="t:m")
    # 10,000 × 0.85% = 85.00 in payouts; one overdue day at 活期: 0.03.
    assert quote.matured and quote.unpaid == Decimal("0.00") and quote.overdue == Decimal("0.03")
    assert balance(card) == Decimal("80085.03")
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.CLOSED


def test_at_maturity_before_the_batch_the_last_payout_is_paid_once(world, teller):
    card = world.main(world.zhang_card)
    _receipt, deposit = _open(world, teller, term=12)
    batch(date(2027, 3, 1))
    with at(date(2027, 3, 2)):
        quote, _r, _i = payout_withdraw(user=world.zhang, deposit_id=deposit.pk,
                                        idempotency_key="t:m")
    assert quote.unpaid == Decimal("7.12")
    batch(date(2027, 3, 2))
    assert balance(card) == Decimal("80085.00")
    assert Entry.objects.filter(
        idempotency_key=f"deposits:payout:{deposit.pk}:12").count() == 1


# --- 利息账户变更/查询 (shared with 大额存单) --------------------------------------------------------------


def test_interest_account_change_and_query_through_the_shared_page(world, teller, client):
    passbook = world.main(world.zhang_passbook)
    _receipt, deposit = _open(world, teller)
    client.force_login(world.zhang)
    url = reverse("deposits:payout_interest_account", args=[deposit.pk])
    with at(date(2026, 3, 5)):
        page = client.get(url).content.decode()
        assert "暂无利息账户变更记录" in page
        operation = interest_account_change_start(
            user=world.zhang, product=Product.INTEREST_PAYOUT, deposit_id=deposit.pk,
            to_id=passbook.pk)
        assert confirm(operation, user=world.zhang).status == OperationStatus.EXECUTED
        page = client.get(url).content.decode()
    assert world.zhang_passbook.masked_number in page and "网上银行" in page
    assert InterestAccountChange.objects.get().deposit == deposit
    batch(date(2026, 4, 2))
    assert balance(passbook) == Decimal("12345.67") + Decimal("8.75")


def test_pages_list_and_withdraw_quote(world, teller, client):
    _receipt, deposit = _open(world, teller)
    client.force_login(world.zhang)
    with at(date(2026, 3, 20)):
        page = client.get(reverse("deposits:payouts")).content.decode()
        assert "存本取息 三年" in page and "0/36期" in page and "2026-04-02" in page
        page = client.get(reverse("deposits:payout_withdraw", args=[deposit.pk])).content.decode()
        assert "提前支取（销户）" in page and "¥0.50" in page
        response = client.post(reverse("deposits:payout_withdraw", args=[deposit.pk]))
        assert response.status_code == 302 and "/confirm" in response["Location"]
    assert not Entry.objects.filter(business_type="deposit_withdraw").exists()


def test_another_customers_payout_is_404(world, teller, client):
    _receipt, deposit = _open(world, teller)
    client.force_login(world.li)
    for name in ("deposits:payout_withdraw", "deposits:payout_interest_account"):
        assert client.get(reverse(name, args=[deposit.pk])).status_code == 404
        assert client.post(reverse(name, args=[deposit.pk])).status_code == 404
    with pytest.raises(BusinessError):
        payout_withdraw(user=world.li, deposit_id=deposit.pk, idempotency_key="x")


def test_demo_payout_for_zhang_is_idempotent(world):
    from deposits.demo import demo_rates_seed

    demo_rates_seed()
    first = demo_payout_seed()
    assert first is not None and first.principal == Decimal("10000.00")
    assert first.payout_frequency == PayoutFrequency.MONTHLY and first.term_months == 36
    assert demo_payout_seed() == first
    assert Deposit.objects.filter(product=Product.INTEREST_PAYOUT).count() == 1


def test_schedule_helpers(world, teller):
    _receipt, deposit = _open(world, teller, frequency=PayoutFrequency.QUARTERLY)
    assert services.payouts_total(deposit) == 12
    assert services.payout_day(deposit, 12) == deposit.matures_on


def test_the_teller_opens_it_on_the_counter_page(world, teller, client):
    """柜面业务 › 存本取息开户: the form, a refusal kept on the page, then the slip."""
    otp_login(client, teller)
    url = reverse("admin:counter_action", kwargs={"customer_id": world.zhang_customer.pk,
                                                  "action": DepositCounterAction.PAYOUT_OPEN})
    data = {**ident("张伟"), "medium": world.zhang_card.pk, "amount": "4,000",
            "term_months": "36", "frequency": "monthly", "interest_account": ""}
    with at(OPENED):
        page = client.get(url)
        assert page.status_code == 200 and "存本取息开户" in page.content.decode()
        refused = client.post(url, data)
        assert refused.status_code == 200 and "存本取息起存金额5000元" in refused.content.decode()
        done = client.post(url, {**data, "amount": "10,000"})
    assert done.status_code == 302 and "/counter/receipt/" in done["Location"]
    deposit = Deposit.objects.get(product=Product.INTEREST_PAYOUT)
    assert deposit.principal == Decimal("10000.00")
    assert AuditEvent.objects.filter(action="counter_payout_open", outcome="failure").exists()


def test_withdrawal_needs_the_pin_and_a_security_tool(world, teller):
    """存本取息支取's steps ask for the 交易密码 and the 数字证书密码: no SMS, no tool → refused."""
    from security.confirm.registry import TOOL_REQUIRED_MESSAGE, operation_kind_get

    kind = operation_kind_get("deposits.payout_withdraw")
    assert kind.requires_pin and kind.requires_tool and not kind.allow_sms
    li_card = world.main(world.li_card)
    with at(OPENED):
        counter_payout_open(acting_user=teller, customer=world.li_customer, **ident("李娜"),
                            medium=world.li_card, amount=Decimal("5000"), term_months=12,
                            frequency="quarterly", interest_account=None)
    deposit = Deposit.objects.get(sub_account__medium=world.li_card)
    assert balance(li_card) == Decimal("15000.00")
    with at(date(2026, 4, 1)), pytest.raises(BusinessError) as refused:
        payout_withdraw_start(user=world.li, deposit_id=deposit.pk)
    assert refused.value.message == TOOL_REQUIRED_MESSAGE


def test_account_overview_shows_the_payout_lines(world, teller, client):
    _receipt, deposit = _open(world, teller, frequency=PayoutFrequency.QUARTERLY)
    batch(date(2026, 6, 2))
    client.force_login(world.zhang)
    with at(date(2026, 6, 20)):
        page = client.get(reverse("accounts:overview")).content.decode()
    assert "存本取息" in page and "按季" in page and "1/12期" in page
    assert "2026-09-02" in page  # 下次付息日


def test_a_payout_posted_between_submit_and_confirm_refuses_the_withdrawal(world, teller):
    # 提交 at 23:00 on 2026-04-02 shows no payout paid yet; the first payout (due that day) is
    # posted before 确认 (the nightly step's function, run in between); 确认 would then post a
    # clawback the page never showed: refused, nothing moves.
    _receipt, deposit = _open(world, teller)
    card = world.main(world.zhang_card)
    with at(date(2026, 4, 2), hour=15):
        operation = payout_withdraw_start(user=world.zhang, deposit_id=deposit.pk)
        with transaction.atomic():
            assert payouts_run(date(2026, 4, 2)) == 1
        before = balance(card)
        with pytest.raises(BusinessError, match="支取金额已变化"):
            confirm(operation, user=world.zhang)
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.OPEN and deposit.payouts_made == 1
    assert balance(card) == before
