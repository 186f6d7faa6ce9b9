"""自助缴费 (PAY-UTIL, PAY-TAX, PAY-TEL): every refusal, each kind's happy path, the write-off,
the re-query and the 冲正, the tool-less cap shared with transfers, exactly once."""

from decimal import Decimal

import pytest
from django.db import transaction

from accounts.models import Receipt, ReceiptDirection
from ebank.billers.models import SimBehaviour
from ebank.billers.simulator import sim_bill, sim_bill_put, sim_mode_set
from ebank.core.errors import BusinessError
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.ledger.models import Entry, LedgerAccount
from ebank.limits.models import DailyLimitUsage, LimitLevel
from ebank.limits.services import limit_policy_set
from payments.bills.services import (
    ALREADY_PAID,
    DUE_WRITEOFF,
    NO_BILLER,
    NOT_TAKEN,
    NOTHING_OWED,
    NOTHING_OWED_TAX,
    REQUERY_TRIES,
    STAFF_REASON,
    bill_query,
    bill_writeoff,
    operation_kind_for,
)
from payments.handlers import bill_writeoff_due
from payments.models import (
    Biller,
    BillKind,
    BillPayment,
    BillPaymentStatus,
    BranchBiller,
    PaymentBusinessType,
)
from security.confirm.registry import operation_kind_get, operation_result_reader
from security.models import OperationStatus, SmsMessage, SmsSubscription
from tests.customer_world import balance, confirm, entries
from transfers.services.own_intra import intra_transfer_start

from .conftest import (
    GAS_NO,
    HEAT_NO,
    MOBILE_NO,
    POWER_NO,
    TAX_NO,
    TELECOM_NO,
    TIETONG_NO,
    UNICOM_NO,
    WATER_NO,
    pay,
    start,
)

pytestmark = pytest.mark.django_db


def settle_book(code: str) -> Decimal:
    return LedgerAccount.objects.get(code=f"BILLER:{code}:SETTLE").balance


def refused(fn, *args, **kwargs) -> str:
    with pytest.raises(BusinessError) as error:
        fn(*args, **kwargs)
    return error.value.message


# --- refusals: nothing written ------------------------------------------------------------------


def test_query_refusals_say_why_in_chinese_and_write_nothing(world):
    before = entries(), BillPayment.objects.count()
    zhang = world.zhang_customer
    assert "缴费号码不存在" in refused(bill_query, customer=zhang, kind=BillKind.POWER,
                                      customer_no="3400999999")
    assert refused(bill_query, customer=zhang, kind=BillKind.POWER,
                   customer_no="") == "请输入户号"
    assert refused(bill_query, customer=zhang, kind=BillKind.MOBILE,
                   customer_no="138-abc") == "手机号码应为以1开头的11位数字"
    sim_mode_set("WATER01", SimBehaviour.UNAVAILABLE)
    assert "暂停服务" in refused(bill_query, customer=zhang, kind=BillKind.WATER,
                                 customer_no=WATER_NO)
    BranchBiller.objects.filter(kind=BillKind.GAS).delete()
    assert refused(bill_query, customer=zhang, kind=BillKind.GAS,
                   customer_no=GAS_NO) == NO_BILLER
    sim_bill_put("HEAT01", HEAT_NO, name="张伟", amount_owed="0.00", fixed=True,
                 period="2026-2027采暖季")
    assert refused(bill_query, customer=zhang, kind=BillKind.HEATING,
                   customer_no=HEAT_NO) == NOTHING_OWED
    sim_bill_put("TAX01", TAX_NO, name="张伟", amount_owed="0.00", fixed=True,
                 period="2026年10月")
    assert refused(bill_query, customer=zhang, kind=BillKind.TAX,
                   customer_no=TAX_NO) == NOTHING_OWED_TAX
    assert (entries(), BillPayment.objects.count()) == before


def test_a_timeout_on_query_is_a_clear_message(world, monkeypatch):
    from ebank.billers.adapter import BillerTimeout
    from ebank.billers.simulator import SimulatedBillers

    def silent(self, code, number):
        raise BillerTimeout()

    monkeypatch.setattr(SimulatedBillers, "query", silent)
    assert "响应超时" in refused(bill_query, customer=world.zhang_customer,
                                 kind=BillKind.POWER, customer_no=POWER_NO)


@pytest.mark.parametrize("typed, message", [
    ("", "请输入缴费金额"), ("abc", "请输入正确的缴费金额"), ("0", "缴费金额必须大于零"),
    ("-5", "缴费金额必须大于零"), ("1.001", "缴费金额最多两位小数"),
    ("50000.01", "缴费金额不能超过¥50,000.00"),
])
def test_wrong_amounts_are_refused_before_anything(world, typed, message):
    before = entries(), BillPayment.objects.count()
    from payments.bills.services import bill_pay_start

    quote = bill_query(customer=world.zhang_customer, kind=BillKind.POWER, customer_no=POWER_NO)
    assert refused(bill_pay_start, user=world.zhang, quote=quote,
                   sub_account_id=world.main(world.zhang_card).pk, amount=typed) == message
    assert (entries(), BillPayment.objects.count()) == before


def test_insufficient_funds_is_refused_and_nothing_is_written(world):
    before = entries(), BillPayment.objects.count()
    message = refused(start, world.zhang, BillKind.POWER, POWER_NO, amount="13000.00",
                      account=world.main(world.zhang_passbook))
    assert message.startswith("账户余额不足（可用余额¥12,345.67）")
    assert (entries(), BillPayment.objects.count()) == before


def test_insufficient_funds_at_execution_leaves_no_row(world, django_capture_on_commit_callbacks):
    operation = start(world.zhang, BillKind.POWER, POWER_NO, amount="12000.00",
                      account=world.main(world.zhang_passbook))
    before = entries()
    intra_own = world.main(world.zhang_passbook)
    # The balance goes elsewhere between 提交 and 确认.
    from accounts.services import funds_move
    with transaction.atomic():
        funds_move(debit_ledger_id=intra_own.ledger_account_id,
                   credit_ledger_id=world.main(world.zhang_card).ledger_account_id,
                   amount=Decimal("1000.00"), idempotency_key="test:drain",
                   business_type="own_transfer", reference="T", memo="")
    with django_capture_on_commit_callbacks(execute=True), \
            pytest.raises(BusinessError, match="账户余额不足"):
        confirm(operation, user=world.zhang)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.FAILED
    assert operation.failure_reason == "账户余额不足"
    assert BillPayment.objects.count() == 0 and entries() == before + 1


def test_another_customers_account_is_refused(world):
    assert refused(start, world.zhang, BillKind.POWER, POWER_NO, amount="10.00",
                   account=world.main(world.li_card)) == "账户不存在，请重新选择"


# --- happy paths ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, number, code, amount", [
    (BillKind.WATER, WATER_NO, "WATER01", "86.40"),
    (BillKind.POWER, POWER_NO, "POWER01", "218.65"),
    (BillKind.GAS, GAS_NO, "GAS01", "30.00"),
    (BillKind.HEATING, HEAT_NO, "HEAT01", None),
    (BillKind.TAX, TAX_NO, "TAX01", None),
    (BillKind.MOBILE, MOBILE_NO, "CMCC01", "50.00"),
    (BillKind.TIETONG, TIETONG_NO, "CTT01", "48.00"),
    (BillKind.UNICOM, UNICOM_NO, "CU01", "100.00"),
    (BillKind.TELECOM, TELECOM_NO, "CT01", "19.90"),
])
def test_each_kind_pays_writes_off_and_issues_a_receipt(
        world, django_capture_on_commit_callbacks, kind, number, code, amount):
    expected = Decimal(amount) if amount else {BillKind.HEATING: Decimal("1860.00"),
                                               BillKind.TAX: Decimal("1320.00")}[kind]
    operation = pay(world.zhang, kind, number, amount=amount,
                    capture=django_capture_on_commit_callbacks)
    assert operation.status == OperationStatus.EXECUTED
    assert operation_kind_get(operation.kind).title == {
        BillKind.WATER: "代缴水费", BillKind.POWER: "电费缴费", BillKind.GAS: "代缴煤气费",
        BillKind.HEATING: "代缴供暖费", BillKind.TAX: "申报扣税",
        BillKind.MOBILE: "代缴移动话费", BillKind.TIETONG: "铁通缴费",
        BillKind.UNICOM: "联通缴费", BillKind.TELECOM: "电信缴费"}[kind]
    payment = BillPayment.objects.get(operation=operation)
    assert payment.status == BillPaymentStatus.PAID and payment.amount == expected
    assert payment.biller_reference and payment.finished_at is not None
    assert balance(world.zhang_card) == Decimal("80000.00") - expected
    assert settle_book(code) == expected
    entry = Entry.objects.get(pk=payment.entry_id)
    assert entry.business_type == PaymentBusinessType.BILL_PAYMENT
    receipt = Receipt.objects.get(entry_id=payment.entry_id)
    assert receipt.direction == ReceiptDirection.DEBIT and receipt.amount == expected
    assert receipt.payee_name == Biller.objects.get(code=code).name
    outcome = operation_result_reader(operation.kind)(operation=operation)
    assert outcome.headline == ("缴税成功" if kind == BillKind.TAX else "缴费成功")
    assert outcome.status_label == ("缴税成功" if kind == BillKind.TAX else "缴费成功")
    assert "缴费类型" not in dict(outcome.lines)  # 交易类型 heads the page
    assert outcome.receipt_url.endswith(receipt.number)
    if kind == BillKind.TAX:
        assert outcome.note == "缴税成功次日可至我行任意网点申请打印缴税凭证"
        assert payment.treasury_serial == "3401002611000001" and payment.tax_detail_count == 3
    # The safety-net row was cancelled: nothing left to ask.
    assert not DueWork.objects.filter(kind=DUE_WRITEOFF, status=DueWorkStatus.PENDING).exists()


def test_a_fixed_amount_ignores_what_the_customer_sends(world, django_capture_on_commit_callbacks):
    operation = pay(world.zhang, BillKind.HEATING, HEAT_NO, amount="1.00",
                    capture=django_capture_on_commit_callbacks)
    assert operation.payload["amount"] == "1860.00"
    assert BillPayment.objects.get().amount == Decimal("1860.00")


def test_a_fixed_bill_already_paid_is_refused_before_any_debit(
        world, django_capture_on_commit_callbacks):
    pay(world.zhang, BillKind.TAX, TAX_NO, capture=django_capture_on_commit_callbacks)
    # The biller still shows it (e.g. its answer not refreshed yet): we refuse a second one.
    sim_bill_put("TAX01", TAX_NO, name="张伟", fixed=True, period="2026年10月",
                 treasury_serial="3401002611000001", tax_lines=(("个人所得税", "1320.00"),))
    before = entries()
    assert refused(start, world.zhang, BillKind.TAX, TAX_NO) == ALREADY_PAID
    assert entries() == before


# --- failures after the debit: 冲正 ------------------------------------------------------------


def test_biller_failing_after_the_debit_reverses_at_once_and_texts_the_subscriber(
        world, django_capture_on_commit_callbacks):
    SmsSubscription.objects.create(user=world.zhang, sub_account=world.main(world.zhang_card),
                                   threshold=Decimal("1000.00"),
                                   phone=world.zhang_customer.phone)
    sim_mode_set("POWER01", SimBehaviour.FAIL_AFTER_DEBIT, "用户账户已销户，不能缴费")
    operation = pay(world.zhang, BillKind.POWER, POWER_NO, amount="100.00",
                    capture=django_capture_on_commit_callbacks)
    payment = BillPayment.objects.get(operation=operation)
    assert payment.status == BillPaymentStatus.REVERSED
    assert payment.failure_reason == "用户账户已销户，不能缴费"
    assert balance(world.zhang_card) == Decimal("80000.00")
    assert settle_book("POWER01") == Decimal("0.00")
    assert Entry.objects.get(pk=payment.reversal_entry_id).business_type == \
        PaymentBusinessType.BILL_REVERSAL
    outcome = operation_result_reader(operation.kind)(operation=operation)
    assert outcome.headline == "缴费失败，款项已退回：用户账户已销户，不能缴费"
    assert outcome.receipt_url == ""
    sms = SmsMessage.objects.filter(phone=world.zhang_customer.phone).latest("id")
    assert "用户账户已销户，不能缴费" in sms.text and "款项已退回" in sms.text


def test_a_refusal_at_write_off_reverses(world, django_capture_on_commit_callbacks):
    sim_mode_set("WATER01", SimBehaviour.REFUSE, "该户号已停水，请至营业厅办理")
    operation = pay(world.zhang, BillKind.WATER, WATER_NO, amount="20.00",
                    capture=django_capture_on_commit_callbacks)
    payment = BillPayment.objects.get(operation=operation)
    assert payment.status == BillPaymentStatus.REVERSED
    assert payment.failure_reason == "该户号已停水，请至营业厅办理"
    assert balance(world.zhang_card) == Decimal("80000.00")


def _requery(payment, attempt):
    work = DueWork.objects.get(kind=DUE_WRITEOFF, key=f"{payment.number}:{attempt}")
    with transaction.atomic():
        bill_writeoff_due(work)


def test_timeout_then_not_found_reverses(world, django_capture_on_commit_callbacks):
    sim_mode_set("GAS01", SimBehaviour.TIMEOUT_LOST)
    operation = pay(world.zhang, BillKind.GAS, GAS_NO, amount="64.00",
                    capture=django_capture_on_commit_callbacks)
    payment = BillPayment.objects.get(operation=operation)
    assert payment.status == BillPaymentStatus.PROCESSING
    assert operation_result_reader(operation.kind)(operation=operation).headline == "处理中"
    assert balance(world.zhang_card) == Decimal("79936.00")
    with django_capture_on_commit_callbacks(execute=True):
        _requery(payment, 1)
    payment.refresh_from_db()
    assert payment.status == BillPaymentStatus.REVERSED and payment.failure_reason == NOT_TAKEN
    assert balance(world.zhang_card) == Decimal("80000.00")


def test_timeout_then_paid_after_requery(world, django_capture_on_commit_callbacks):
    sim_mode_set("POWER01", SimBehaviour.TIMEOUT_DONE)
    operation = pay(world.zhang, BillKind.POWER, POWER_NO, amount="218.65",
                    capture=django_capture_on_commit_callbacks)
    payment = BillPayment.objects.get(operation=operation)
    assert payment.status == BillPaymentStatus.PROCESSING
    _requery(payment, 1)
    payment.refresh_from_db()
    assert payment.status == BillPaymentStatus.PAID and payment.biller_reference
    assert Receipt.objects.filter(entry_id=payment.entry_id).count() == 1
    assert sim_bill("POWER01", POWER_NO).amount_owed == Decimal("0.00")
    assert balance(world.zhang_card) == Decimal("79781.35")


def test_never_answered_stays_processing_for_staff_and_is_never_reversed(
        world, django_capture_on_commit_callbacks, monkeypatch):
    from ebank.billers.adapter import BillerTimeout
    from ebank.billers.simulator import SimulatedBillers

    sim_mode_set("POWER01", SimBehaviour.TIMEOUT_DONE)
    operation = pay(world.zhang, BillKind.POWER, POWER_NO, amount="10.00",
                    capture=django_capture_on_commit_callbacks)
    payment = BillPayment.objects.get(operation=operation)

    def silent(self, code, reference):
        raise BillerTimeout()

    monkeypatch.setattr(SimulatedBillers, "status", silent)
    for attempt in range(1, REQUERY_TRIES + 1):
        _requery(payment, attempt)
    payment.refresh_from_db()
    assert payment.status == BillPaymentStatus.PROCESSING and payment.needs_review
    assert payment.failure_reason == STAFF_REASON and payment.reversal_entry_id is None
    assert not DueWork.objects.filter(kind=DUE_WRITEOFF,
                                      key=f"{payment.number}:{REQUERY_TRIES + 1}").exists()
    assert balance(world.zhang_card) == Decimal("79990.00")


def test_the_write_off_run_twice_writes_off_once_and_reverses_at_most_once(
        world, django_capture_on_commit_callbacks):
    sim_mode_set("GAS01", SimBehaviour.TIMEOUT_LOST)
    operation = pay(world.zhang, BillKind.GAS, GAS_NO, amount="64.00",
                    capture=django_capture_on_commit_callbacks)
    payment = BillPayment.objects.get(operation=operation)
    before = entries()
    for _ in range(2):
        with transaction.atomic():
            bill_writeoff(number=payment.number, attempt=1)
    assert entries() == before + 1
    assert balance(world.zhang_card) == Decimal("80000.00")
    # And a paid one: asked again, nothing more happens.
    sim_mode_set("POWER01", SimBehaviour.NORMAL)
    operation = pay(world.zhang, BillKind.POWER, POWER_NO, amount="18.65",
                    capture=django_capture_on_commit_callbacks)
    paid = BillPayment.objects.get(operation=operation)
    before = entries(), Receipt.objects.count()
    for attempt in (0, 1):
        with transaction.atomic():
            bill_writeoff(number=paid.number, attempt=attempt)
    assert (entries(), Receipt.objects.count()) == before
    assert sim_bill("POWER01", POWER_NO).amount_owed == Decimal("200.00")


# --- limits -------------------------------------------------------------------------------------


def test_toolless_sms_cap_is_shared_with_transfers(world, django_capture_on_commit_callbacks):
    """李娜 has no tool: a ¥4,000 transfer and then a ¥1,500 bill, both by SMS, break the one
    ¥5,000 tool-less cap — the bill is refused."""
    transfer = intra_transfer_start(
        user=world.li, from_sub_account_id=world.main(world.li_card).pk, mode="REAL_TIME",
        amount=Decimal("4000.00"), payee_account=world.zhang_card.number, payee_name="张伟")
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm(transfer, user=world.li).status == OperationStatus.EXECUTED
    sim_bill_put("CMCC01", "13905510002", name="李娜", amount_owed="0.00", balance="0.00")
    message = refused(start, world.li, BillKind.MOBILE, "13905510002", amount="1500.00")
    assert "未使用安全工具" in message
    # A bill within what is left passes, and counts in the same counter.
    pay(world.li, BillKind.MOBILE, "13905510002", amount="1000.00",
        capture=django_capture_on_commit_callbacks)
    usage = DailyLimitUsage.objects.get(customer_id=world.li_customer.pk)
    assert usage.used == Decimal("5000.00")
    assert BillPayment.objects.get().limit_day is not None


def test_toolless_cap_given_back_on_reversal(world, django_capture_on_commit_callbacks):
    sim_bill_put("CMCC01", "13905510002", name="李娜", amount_owed="0.00", balance="0.00")
    sim_mode_set("CMCC01", SimBehaviour.FAIL_AFTER_DEBIT, "号码已停机")
    pay(world.li, BillKind.MOBILE, "13905510002", amount="1000.00",
        capture=django_capture_on_commit_callbacks)
    assert BillPayment.objects.get().status == BillPaymentStatus.REVERSED
    usage = DailyLimitUsage.objects.get(customer_id=world.li_customer.pk)
    assert usage.used == Decimal("0.00")


def test_bills_count_toward_no_transfer_limit_and_a_tool_holders_bills_are_never_counted(
        world, django_capture_on_commit_callbacks):
    """张伟 (USBKey) set himself a ¥100 transfer limit: a ¥218.65 bill still goes, and no
    usage is taken."""
    limit_policy_set(level=LimitLevel.CUSTOMER, scope=str(world.zhang_customer.pk),
                     branch_code=world.zhang_customer.branch.code,
                     single_limit=Decimal("100.00"), daily_limit=Decimal("100.00"))
    pay(world.zhang, BillKind.POWER, POWER_NO, amount="218.65",
        capture=django_capture_on_commit_callbacks)
    assert BillPayment.objects.get().status == BillPaymentStatus.PAID
    assert not DailyLimitUsage.objects.filter(customer_id=world.zhang_customer.pk).exists()
    assert BillPayment.objects.get().limit_day is None


def test_a_toolless_customers_own_transfer_limit_does_not_stop_a_bill(
        world, django_capture_on_commit_callbacks):
    limit_policy_set(level=LimitLevel.CUSTOMER, scope=str(world.li_customer.pk),
                     branch_code=world.li_customer.branch.code,
                     single_limit=Decimal("100.00"), daily_limit=Decimal("100.00"))
    sim_bill_put("CMCC01", "13905510002", name="李娜", amount_owed="0.00", balance="0.00")
    pay(world.li, BillKind.MOBILE, "13905510002", amount="300.00",
        capture=django_capture_on_commit_callbacks)
    assert BillPayment.objects.get().status == BillPaymentStatus.PAID


def test_the_kinds_are_sms_allowed_pin_required_no_tool_required():
    for kind in BillKind.values:
        registered = operation_kind_get(operation_kind_for(kind))
        assert registered.requires_pin and not registered.requires_tool and registered.allow_sms


def test_the_dispatcher_runs_the_safety_net_row_with_back_off(
        world, django_capture_on_commit_callbacks, monkeypatch):
    """The real dispatcher: a lost answer is asked again a minute later; still silent, the next
    row is scheduled further off; once the biller answers, the payment is PAID."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from ebank.billers.adapter import BillerTimeout
    from ebank.billers.simulator import SimulatedBillers
    from ebank.duework.services import dispatch_due

    sim_mode_set("POWER01", SimBehaviour.TIMEOUT_DONE)
    operation = pay(world.zhang, BillKind.POWER, POWER_NO, amount="18.65",
                    capture=django_capture_on_commit_callbacks)
    payment = BillPayment.objects.get(operation=operation)
    real_status = SimulatedBillers.status

    def silent(self, code, reference):
        raise BillerTimeout()

    monkeypatch.setattr(SimulatedBillers, "status", silent)
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        assert dispatch_due() == 1
    payment.refresh_from_db()
    assert payment.status == BillPaymentStatus.PROCESSING
    second = DueWork.objects.get(kind=DUE_WRITEOFF, key=f"{payment.number}:2")
    assert second.status == DueWorkStatus.PENDING and second.payload["attempt"] == 2
    monkeypatch.setattr(SimulatedBillers, "status", real_status)
    with time_machine.travel(second.due_at + timedelta(seconds=1), tick=False):
        assert dispatch_due() == 1
    payment.refresh_from_db()
    assert payment.status == BillPaymentStatus.PAID


def test_a_status_refusal_is_no_answer_and_never_a_reversal(
        world, django_capture_on_commit_callbacks, monkeypatch):
    """After a time-out only status() decides; a refusal to answer it (查询失败, …) says nothing
    about the reference: the payment stays 处理中 and is asked again — no 冲正 on a guess."""
    from ebank.billers.adapter import BillerRefused
    from ebank.billers.simulator import SimulatedBillers

    sim_mode_set("POWER01", SimBehaviour.TIMEOUT_DONE)  # written off, the answer lost
    operation = pay(world.zhang, BillKind.POWER, POWER_NO, amount="18.65",
                    capture=django_capture_on_commit_callbacks)
    payment = BillPayment.objects.get(operation=operation)

    def refusing(self, code, reference):
        raise BillerRefused("系统繁忙，查询失败")

    monkeypatch.setattr(SimulatedBillers, "status", refusing)
    _requery(payment, 1)
    payment.refresh_from_db()
    assert payment.status == BillPaymentStatus.PROCESSING and payment.reversal_entry_id is None
    assert balance(world.zhang_card) == Decimal("79981.35")
    assert DueWork.objects.filter(kind=DUE_WRITEOFF, key=f"{payment.number}:2").exists()
    monkeypatch.undo()
    _requery(payment, 2)
    payment.refresh_from_db()
    assert payment.status == BillPaymentStatus.PAID


def test_a_reversed_fixed_bill_may_be_paid_again_a_paid_one_not(
        world, django_capture_on_commit_callbacks):
    """The partial unique index: REVERSED frees the heating bill (the biller never wrote it
    off); once PAID a second payment is refused before any debit."""
    sim_mode_set("HEAT01", SimBehaviour.FAIL_AFTER_DEBIT, "系统维护，暂停销账")
    first = pay(world.zhang, BillKind.HEATING, HEAT_NO, capture=django_capture_on_commit_callbacks)
    assert BillPayment.objects.get(operation=first).status == BillPaymentStatus.REVERSED
    sim_mode_set("HEAT01", SimBehaviour.NORMAL)
    second = pay(world.zhang, BillKind.HEATING, HEAT_NO,
                 capture=django_capture_on_commit_callbacks)
    assert BillPayment.objects.get(operation=second).status == BillPaymentStatus.PAID
    sim_bill_put("HEAT01", HEAT_NO, name="张伟", amount_owed="1860.00", fixed=True,
                 period="2026-2027采暖季")
    before = entries()
    assert refused(start, world.zhang, BillKind.HEATING, HEAT_NO) == ALREADY_PAID
    assert entries() == before
    assert balance(world.zhang_card) == Decimal("80000.00") - Decimal("1860.00")


def test_a_number_drawn_twice_is_drawn_again_not_taken_for_already_paid(
        world, django_capture_on_commit_callbacks, monkeypatch):
    """缴费流水号 are random: a second draw of a number already used (a water bill, no unique
    bill behind it) draws again — it is not "该笔费用已缴纳", and nothing is posted twice."""
    from payments.bills import services

    first = pay(world.zhang, BillKind.WATER, WATER_NO, amount="10.00",
                capture=django_capture_on_commit_callbacks)
    taken = BillPayment.objects.get(operation=first).number
    draws = iter([taken])
    real = services.bill_number_new
    monkeypatch.setattr(services, "bill_number_new", lambda: next(draws, None) or real())
    second = pay(world.zhang, BillKind.WATER, WATER_NO, amount="20.00",
                 capture=django_capture_on_commit_callbacks)
    payment = BillPayment.objects.get(operation=second)
    assert payment.number != taken and payment.status == BillPaymentStatus.PAID
    assert balance(world.zhang_card) == Decimal("79970.00")
