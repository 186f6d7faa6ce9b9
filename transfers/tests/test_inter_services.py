"""跨行转账 (TRF-INTER): the manual's notes 1–5, the clearing rules, the other bank's answers.

Every money assertion reads the ledger; every limit assertion the limit engine's usage.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import Receipt, ReceiptDirection
from ebank.clearing.adapters import get_clearing_adapter
from ebank.clearing.routing import ArrivalMode, Channel
from ebank.clearing.simulator import SimOutcome
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import dispatch_due
from ebank.ledger.models import Entry
from security.models import OperationStatus, SmsMessage, SmsSubscription
from transfers.inter.forms import InterTransferForm
from transfers.models import Payee, PayeeKind, Transfer, TransferBusinessType, TransferStatus
from transfers.services import clearing_answers
from transfers.services import inter as inter_services
from transfers.services.inter import (
    CLOSED_HINT,
    DUE_EXECUTE,
    NOTES,
    OPERATION_KIND,
    inter_transfer_run_due,
)

from .test_inter_support import (
    HVPS_BOOK,
    IBPS_BOOK,
    ICBC_BRANCH,
    ICBC_HEFEI,
    PAYEE_ACCOUNT,
    World,
    at,
    balance,
    book_balance,
    confirm,
    entries,
    inter_fixture,  # noqa: F401 - the "inter" fixture
    start,
    travel,
    usage,
    world,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db

TUESDAY_NOON = at(2026, 11, 24, 12, 0)
FRIDAY_1730 = at(2026, 11, 27, 17, 30)
MONDAY_0900 = at(2026, 11, 30, 9, 0)


def form_for(bank, **data):
    base = {"from_account": str(World.main(bank.zhang_card).pk), "mode": ArrivalMode.REAL_TIME,
            "payee_account": PAYEE_ACCOUNT, "payee_name": "赵敏", "bank_query": "",
            "bank_code": ICBC_HEFEI, "amount": "100.00", "purpose": "货款"}
    base.update(data)
    return InterTransferForm(base, customer=bank.zhang_customer)


def transfer_of(operation) -> Transfer:
    return Transfer.objects.get(operation=operation)


# --- the manual's 跨行转账 notes ----------------------------------------------------------------


def test_note_1_only_accounts_of_other_banks(inter):
    own_bank = form_for(inter, bank_code="402361000214")  # 安徽肥西农商行: our own system
    assert not own_bank.is_valid()
    assert "请使用“行内转账”" in own_bank.errors["bank_query"][0]
    own_card = form_for(inter, payee_account=inter.li_card.number)
    assert not own_card.is_valid()
    assert "请使用“行内转账”" in own_card.errors["payee_account"][0]
    assert form_for(inter).is_valid()


def test_note_2_payee_account_name_and_bank_must_be_complete(inter):
    form = form_for(inter, payee_account="", payee_name="  ", bank_code="")
    assert not form.is_valid()
    assert form.errors["payee_account"] == ["请输入收款人账号"]
    assert form.errors["payee_name"] == ["请输入收款人名称"]
    assert "请输入收款行" in form.errors["bank_query"][0]
    short = form_for(inter, payee_account="12 34")
    assert not short.is_valid() and "填写正确、完整" in short.errors["payee_account"][0]
    # A bank chosen by name alone works when the name is unambiguous; several → pick one.
    by_name = form_for(inter, bank_code="", bank_query="工商 长江中路")
    assert by_name.is_valid(), by_name.errors
    assert by_name.cleaned_data["bank"].code == ICBC_BRANCH
    ambiguous = form_for(inter, bank_code="", bank_query="工商")
    assert not ambiguous.is_valid() and len(ambiguous.bank_candidates) > 1


def test_note_3_normal_arrival_goes_later_and_next_day_at_nine(inter):
    with travel(TUESDAY_NOON):
        normal = confirm(start(inter, mode=ArrivalMode.NORMAL), user=inter.zhang)
        next_day = confirm(start(inter, mode=ArrivalMode.NEXT_DAY), user=inter.zhang)
    normal_t, next_t = transfer_of(normal), transfer_of(next_day)
    assert normal_t.status == next_t.status == TransferStatus.SCHEDULED
    assert normal_t.execute_at == TUESDAY_NOON + timedelta(hours=2)
    assert next_t.execute_at == at(2026, 11, 25, 9, 0)
    # 普通到账 is cancellable in 定时转账维护: it waits among the other scheduled transfers.
    assert DueWork.objects.filter(kind="transfers.execute", key=normal_t.number).exists()
    assert balance(inter.zhang_card) == Decimal("80000.00") and usage(inter) == 0
    with travel(TUESDAY_NOON + timedelta(hours=2, minutes=1)):
        dispatch_due()
    normal_t.refresh_from_db()
    next_t.refresh_from_db()
    assert normal_t.status == TransferStatus.SUCCEEDED and next_t.status == TransferStatus.SCHEDULED
    assert balance(inter.zhang_card) == Decimal("79000.00")


def test_note_4_ibps_takes_up_to_50000_00_inclusive(inter):
    with travel(TUESDAY_NOON):
        ibps = transfer_of(confirm(start(inter, amount="50000.00"), user=inter.zhang))
    assert ibps.channel == Channel.IBPS and ibps.status == TransferStatus.SUCCEEDED
    # The clearing books are assets (存放清算): the money leaving them shows as a credit.
    assert book_balance(IBPS_BOOK) == Decimal("-50000.00") and book_balance(HVPS_BOOK) == 0


def test_note_4_hvps_above_50000_goes_by_large_value_in_session(inter):
    with travel(TUESDAY_NOON):
        hvps = transfer_of(confirm(start(inter, amount="50000.01"), user=inter.zhang))
    assert hvps.channel == Channel.HVPS and hvps.status == TransferStatus.SUCCEEDED
    assert book_balance(HVPS_BOOK) == Decimal("-50000.01")
    assert balance(inter.zhang_card) == Decimal("29999.99")
    assert usage(inter, on=TUESDAY_NOON.date()) == Decimal("50000.01")


def test_note_4_ibps_maintenance_says_clearing_bank_left_and_the_branch_path_works(inter):
    get_clearing_adapter().set_maintenance(Channel.IBPS, True)
    with travel(TUESDAY_NOON), pytest.raises(BusinessError) as refused:
        start(inter)
    assert refused.value.message == CLOSED_HINT and "清算行已退出" in CLOSED_HINT
    with travel(TUESDAY_NOON):
        operation = start(inter, branch=ICBC_BRANCH)
        done = confirm(operation, user=inter.zhang)
    transfer = transfer_of(done)
    assert transfer.status == TransferStatus.SUCCEEDED
    assert transfer.payee_branch_code == ICBC_BRANCH
    assert get_clearing_adapter().sent(transfer.number) is not None
    assert balance(inter.zhang_card) == Decimal("79000.00")


def test_note_4_hvps_friday_1730_is_reserved_to_monday_and_takes_balance_and_limit_then(inter):
    with travel(FRIDAY_1730):
        operation = start(inter, amount="60000.00")
        summary = dict(operation.payload["_summary"])
        assert summary["汇出时间"] == "预约至2026年11月30日09:00后汇出"
        assert "预约交易管理" in summary["说明"]
        done = confirm(operation, user=inter.zhang)
    transfer = transfer_of(done)
    assert done.status == OperationStatus.EXECUTED and "预约成功" in done.result["message"]
    assert transfer.status == TransferStatus.RESERVED and transfer.channel == Channel.HVPS
    assert transfer.execute_at == MONDAY_0900
    assert list(inter_services.reserved_transfers(customer=inter.zhang_customer,
                                                  date_from=FRIDAY_1730.date())) == [transfer]
    # Nothing is taken until it runs (note 4).
    assert balance(inter.zhang_card) == Decimal("80000.00")
    assert usage(inter, on=FRIDAY_1730.date()) == 0
    with travel(MONDAY_0900 - timedelta(seconds=1)):
        assert dispatch_due() == 0
    with travel(MONDAY_0900):
        assert dispatch_due() == 1
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SUCCEEDED
    assert timezone.localtime(transfer.executed_at) == MONDAY_0900
    assert transfer.limit_day == MONDAY_0900.date()
    assert balance(inter.zhang_card) == Decimal("20000.00")
    assert usage(inter, on=MONDAY_0900.date()) == Decimal("60000.00")
    assert usage(inter, on=FRIDAY_1730.date()) == 0


def test_note_5_is_shown_on_the_confirmation_summary(inter):
    with travel(TUESDAY_NOON):
        operation = start(inter)
    assert dict(operation.payload["_summary"])["温馨提示"] == NOTES[4]
    assert "请勿将汇出汇款的活期账户销户" in NOTES[4]


# --- the other bank's answers ------------------------------------------------------------------


def test_real_time_success_debits_the_clearing_book_with_a_receipt(inter):
    with travel(TUESDAY_NOON):
        done = confirm(start(inter, amount="1234.56", save_payee=True), user=inter.zhang)
    transfer = transfer_of(done)
    assert transfer.status == TransferStatus.SUCCEEDED and done.result["message"].startswith("转账成功")
    entry = Entry.objects.get(pk=transfer.entry_id)
    assert entry.business_type == TransferBusinessType.INTER_TRANSFER
    assert entry.idempotency_key == done.idempotency_key
    assert book_balance(IBPS_BOOK) == Decimal("-1234.56")
    receipt = Receipt.objects.get(entry_id=transfer.entry_id)
    assert receipt.direction == ReceiptDirection.DEBIT and receipt.payee_name == "赵敏"
    payee = Payee.objects.get(customer=inter.zhang_customer, account_number=PAYEE_ACCOUNT)
    assert payee.kind == PayeeKind.INTER and payee.bank_code == ICBC_HEFEI


def test_the_other_bank_failing_gives_back_the_money_and_the_limit(inter):
    with travel(TUESDAY_NOON):
        done = confirm(start(inter, amount="3000.00", payee_account="6222000000004444",
                             save_payee=True), user=inter.zhang)
    transfer = transfer_of(done)
    assert transfer.status == TransferStatus.FAILED
    assert transfer.failure_reason == "收款人账号与户名不符"
    assert "收款人账号与户名不符" in done.result["message"]
    assert balance(inter.zhang_card) == Decimal("80000.00")
    assert usage(inter, on=TUESDAY_NOON.date()) == 0
    assert book_balance(IBPS_BOOK) == 0
    back = Entry.objects.get(pk=transfer.return_entry_id)
    assert back.business_type == TransferBusinessType.INTER_TRANSFER_RETURN
    assert back.idempotency_key == f"transfer-return:{transfer.number}"
    assert Receipt.objects.filter(entry_id=transfer.return_entry_id,
                                  direction=ReceiptDirection.CREDIT).exists()
    assert not Payee.objects.filter(account_number="6222000000004444").exists()


def test_a_later_return_is_credited_back_with_a_receipt_and_an_sms(inter, django_capture_on_commit_callbacks):
    SmsSubscription.objects.create(user=inter.zhang, sub_account=World.main(inter.zhang_card),
                                   threshold=Decimal("1.00"), phone=inter.zhang_customer.phone)
    with travel(TUESDAY_NOON), django_capture_on_commit_callbacks(execute=True):
        done = confirm(start(inter, amount="2500.00", payee_account="6222000000005555"),
                       user=inter.zhang)
    transfer = transfer_of(done)
    assert transfer.status == TransferStatus.PROCESSING
    assert balance(inter.zhang_card) == Decimal("77500.00")
    poll = DueWork.objects.get(kind=clearing_answers.DUE_POLL_RETURNS)
    sms_before = SmsMessage.objects.filter(phone=inter.zhang_customer.phone).count()
    with travel(poll.due_at + timedelta(seconds=1)), django_capture_on_commit_callbacks(execute=True):
        assert dispatch_due() >= 1
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RETURNED
    assert transfer.failure_reason == "收款人账户已冻结"
    assert balance(inter.zhang_card) == Decimal("80000.00")
    assert usage(inter, on=TUESDAY_NOON.date()) == 0
    receipt = Receipt.objects.get(entry_id=transfer.return_entry_id)
    assert receipt.direction == ReceiptDirection.CREDIT and receipt.amount == Decimal("2500.00")
    assert SmsMessage.objects.filter(phone=inter.zhang_customer.phone).count() > sms_before
    # Nothing in flight any more: the poll stops rescheduling itself.
    assert not DueWork.objects.filter(kind=clearing_answers.DUE_POLL_RETURNS,
                                      status=DueWorkStatus.PENDING).exists()
    # A duplicate notice changes nothing.
    before = entries()
    assert clearing_answers.returns_apply(notices=[type("N", (), {
        "reference": transfer.number, "reason": "x"})()]) == 0
    assert entries() == before


def test_a_timeout_keeps_it_processing_and_a_resend_applies_the_answer(inter):
    get_clearing_adapter().script(PAYEE_ACCOUNT, SimOutcome.TIMEOUT)
    with travel(TUESDAY_NOON):
        transfer = transfer_of(confirm(start(inter), user=inter.zhang))
    assert transfer.status == TransferStatus.PROCESSING
    get_clearing_adapter().unscript(PAYEE_ACCOUNT)
    with travel(TUESDAY_NOON + timedelta(minutes=2)):
        dispatch_due()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SUCCEEDED
    assert Entry.objects.filter(reference=transfer.number).count() == 1


# --- deferred execution ------------------------------------------------------------------------


def reserved_transfer(bank, **kwargs) -> Transfer:
    with travel(FRIDAY_1730):
        return transfer_of(confirm(start(bank, amount=kwargs.pop("amount", "60000.00"),
                                         **kwargs), user=bank.zhang))


def test_the_dispatcher_running_a_reserved_transfer_twice_posts_once(inter):
    transfer = reserved_transfer(inter)
    work = DueWork.objects.get(kind=DUE_EXECUTE, key=transfer.number)
    with travel(MONDAY_0900):
        dispatch_due()
        # A second run of the same row (a bug, a redelivery): the transfer is no longer 预约.
        with transaction.atomic():
            inter_transfer_run_due(work)
        DueWork.objects.filter(pk=work.pk).update(status=DueWorkStatus.PENDING)
        dispatch_due()
    assert Entry.objects.filter(reference=transfer.number).count() == 1
    assert balance(inter.zhang_card) == Decimal("20000.00")
    assert usage(inter, on=MONDAY_0900.date()) == Decimal("60000.00")


def test_a_reserved_transfer_without_the_money_at_nine_fails_with_a_reason(inter):
    transfer = reserved_transfer(inter, amount="79000.00")
    with travel(FRIDAY_1730 + timedelta(minutes=5)):
        confirm(start(inter, amount="5000.00"), user=inter.zhang)  # spends the money meanwhile
    with travel(MONDAY_0900):
        dispatch_due()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.FAILED
    assert transfer.failure_reason == inter_services.INSUFFICIENT_MESSAGE
    assert transfer.entry_id is None
    assert DueWork.objects.get(key=transfer.number).status == DueWorkStatus.DONE
    assert usage(inter, on=MONDAY_0900.date()) == 0
    assert AuditEvent.objects.filter(action="transfer.failed",
                                     object_ref=f"transfer:{transfer.number}").exists()


def test_a_short_balance_refuses_real_time_and_only_warns_a_reserved_transfer(inter):
    with travel(FRIDAY_1730):
        operation = start(inter, amount="90000.00")
        assert "余额在交易执行时扣减" in dict(operation.payload["_summary"])["余额提示"]
        with pytest.raises(BusinessError, match="可用余额不足（可用余额¥12,345.67）"):
            start(inter, amount="20000.00", payer=inter.zhang_passbook)


def test_a_real_time_hvps_confirmed_after_the_cut_off_is_refused(inter):
    with travel(at(2026, 11, 24, 16, 59, 30)):
        operation = start(inter, amount="60000.00")
    assert operation.payload["immediate"] is True
    with travel(at(2026, 11, 24, 17, 0, 30)), pytest.raises(BusinessError, match="重新提交"):
        confirm(operation, user=inter.zhang)
    assert not Transfer.objects.exists()
    assert balance(inter.zhang_card) == Decimal("80000.00")


def test_a_tool_less_customer_confirms_by_sms_within_the_tool_less_cap(inter):
    with travel(TUESDAY_NOON):
        with pytest.raises(BusinessError, match="未使用安全工具"):
            start(inter, user=inter.li, payer=inter.li_card, amount="6000.00")
        done = confirm(start(inter, user=inter.li, payer=inter.li_card, amount="4000.00"),
                       user=inter.li)
    assert done.auth_method == "sms"
    assert transfer_of(done).status == TransferStatus.SUCCEEDED


def test_the_kinds_are_registered():
    kinds = inter_services.register()
    from ebank.duework.registry import handler_for
    from security.confirm.registry import operation_kind_get

    spec = operation_kind_get(OPERATION_KIND)
    assert spec.requires_pin and not spec.requires_tool and spec.sms_allowed
    assert all(handler_for(kind) for kind in kinds[1:])


def test_ibps_maintenance_at_execution_is_retried_not_failed(inter):
    with travel(TUESDAY_NOON):
        transfer = transfer_of(confirm(start(inter, mode=ArrivalMode.NEXT_DAY), user=inter.zhang))
    get_clearing_adapter().set_maintenance(Channel.IBPS, True)
    with travel(at(2026, 11, 25, 9, 0)):
        dispatch_due()
    transfer.refresh_from_db()
    work = DueWork.objects.get(key=transfer.number)
    assert transfer.status == TransferStatus.SCHEDULED and work.status == DueWorkStatus.PENDING
    assert "清算行已退出" in work.last_error
    get_clearing_adapter().set_maintenance(Channel.IBPS, False)
    with travel(at(2026, 11, 25, 9, 5)):
        dispatch_due()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SUCCEEDED
    assert balance(inter.zhang_card) == Decimal("79000.00")
