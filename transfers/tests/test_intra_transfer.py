"""行内转账 (TRF-INTRA): the manual's notes 1–6 by name, payee name check, limits, exactly once."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Receipt, SubAccountKind
from ebank.clearing.routing import ArrivalMode
from ebank.core.errors import BusinessError, LimitExceeded
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.ledger.models import Entry, Posting
from ebank.limits.models import DailyLimitUsage, LimitLevel
from ebank.limits.services import limit_policy_set
from security.confirm.registry import operation_kind_get
from security.models import OperationStatus, SmsMessage, SmsSubscription
from tests import customer_world as support
from tests.customer_world import balance, confirm, entries
from transfers.models import Payee, Transfer, TransferBusinessType, TransferStatus
from transfers.services.execution import DUE_KIND
from transfers.services.own_intra import (
    FEE_LINE,
    KIND_INTRA,
    intra_plan_check,
    intra_transfer_start,
)
from transfers.services.payees import (
    INTRA_PAYEE_KIND_MESSAGE,
    INTRA_PAYEE_SETTLEMENT_MESSAGE,
    PAYEE_NAME_MISMATCH_MESSAGE,
    PAYEE_UNKNOWN_MESSAGE,
)

from .test_own_transfer import second_current

pytestmark = pytest.mark.django_db
world = support.world

# Tuesday 2026-11-24 12:00 in Shanghai.
NOON = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)


def start(world, *, amount="1000.00", mode=ArrivalMode.REAL_TIME, payee=None, name=None,
          payer=None, user=None, save_payee=False):
    payee = payee or world.li_card
    return intra_transfer_start(
        user=user or world.zhang,
        from_sub_account_id=(payer or world.main(world.zhang_card)).pk, mode=mode,
        amount=Decimal(amount), payee_account=payee.number,
        payee_name=name if name is not None else payee.customer.name, purpose="货款",
        save_payee=save_payee)


def refusal_box(body: str) -> str:
    """The limit warning of the page (the menu links to 限额管理 on every page)."""
    start_at = body.index('class="alert alert-warning limit-refusal"')
    return body[start_at:body.index("</div>", start_at)]


def customer_limit(customer, single, daily):
    limit_policy_set(level=LimitLevel.CUSTOMER, scope=str(customer.pk),
                     branch_code=customer.branch.code, single_limit=Decimal(single),
                     daily_limit=Decimal(daily))


def test_real_time_moves_the_money_takes_the_limit_and_alerts_the_payee(
        world, django_capture_on_commit_callbacks):
    SmsSubscription.objects.create(user=world.li, sub_account=world.main(world.li_card),
                                   threshold=Decimal("100.00"), phone=world.li_customer.phone)
    operation = start(world, amount="1234.56")
    with django_capture_on_commit_callbacks(execute=True):
        operation = confirm(operation, user=world.zhang)
    assert operation.status == OperationStatus.EXECUTED
    assert balance(world.zhang_card) == Decimal("78765.44")
    assert balance(world.li_card) == Decimal("21234.56")
    transfer = Transfer.objects.get(operation=operation)
    assert transfer.status == TransferStatus.SUCCEEDED and transfer.limit_day is not None
    assert transfer.payee_name == "李娜" and transfer.purpose == "货款"
    assert operation.result["transfer_number"] == transfer.number
    usage = DailyLimitUsage.objects.get(customer_id=world.zhang_customer.pk)
    assert usage.used == Decimal("1234.56")
    assert SmsMessage.objects.filter(phone=world.li_customer.phone,
                                     purpose__startswith="balance").exists()
    # 电子回单 for both sides, the payer's linked from the result page.
    receipts = Receipt.objects.filter(entry_id=transfer.entry_id)
    assert {(r.customer_id, r.direction, r.amount) for r in receipts} == {
        (world.zhang_customer.pk, "debit", Decimal("1234.56")),
        (world.li_customer.pk, "credit", Decimal("1234.56"))}
    payer_receipt = receipts.get(direction="debit")
    assert operation.result["receipt_url"] == reverse("accounts:receipt_detail",
                                                      args=[payer_receipt.number])


def test_note_1_a_medium_with_several_current_sub_accounts_pays_from_its_main_account(world):
    sub = second_current(world.zhang_card)
    plan = intra_plan_check(customer=world.zhang_customer, from_sub_account_id=sub.pk,
                            mode=ArrivalMode.REAL_TIME, amount=Decimal("10.00"),
                            payee_account=world.li_card.number, payee_name="李娜")
    assert plan.payer.kind == SubAccountKind.CURRENT_MAIN and plan.payer.medium == world.zhang_card
    confirm(start(world, amount="10.00", payer=sub), user=world.zhang)
    assert balance(sub) == Decimal("300.00")
    assert balance(world.zhang_card) == Decimal("79990.00")


def test_note_2_payees_are_debit_cards_current_passbooks_and_onebooks(world):
    with pytest.raises(BusinessError, match=INTRA_PAYEE_KIND_MESSAGE):
        start(world, payee=world.zhang_fixed_book, name="张伟")
    operation = confirm(start(world, amount="50.00", payee=world.li_onebook), user=world.zhang)
    assert operation.status == OperationStatus.EXECUTED
    assert balance(world.li_onebook) == Decimal("5050.00")


def test_note_2_a_passbook_must_be_a_settlement_account(world):
    with pytest.raises(BusinessError, match=INTRA_PAYEE_SETTLEMENT_MESSAGE):
        start(world, payee=world.liu_passbook)


def test_the_payee_name_must_match_the_payee_account(world):
    with pytest.raises(BusinessError, match=PAYEE_NAME_MISMATCH_MESSAGE):
        start(world, name="李四")


def test_an_unknown_payee_account_is_refused(world):
    with pytest.raises(BusinessError, match=PAYEE_UNKNOWN_MESSAGE):
        intra_transfer_start(user=world.zhang,
                             from_sub_account_id=world.main(world.zhang_card).pk,
                             mode=ArrivalMode.REAL_TIME, amount=Decimal("1.00"),
                             payee_account="6226790000000000000", payee_name="李娜")


def test_note_3_a_customer_set_limit_says_so_and_links_to_limit_management(client, world):
    customer_limit(world.zhang_customer, "1000.00", "2000.00")
    with pytest.raises(LimitExceeded, match="您自设的单笔转账限额¥1,000.00") as refused:
        start(world, amount="1500.00")
    assert refused.value.level == LimitLevel.CUSTOMER
    client.force_login(world.zhang)
    body = client.post(reverse("transfers:intra"), {
        "from_sub_account": world.main(world.zhang_card).pk, "mode": ArrivalMode.REAL_TIME,
        "amount": "1500.00", "payee_account": world.li_card.number, "payee_name": "李娜",
    }).content.decode()
    warning = refusal_box(body)
    assert "您自设的单笔转账限额" in warning and 'href="/center/limits"' in warning
    assert "限额管理" in warning and 'value="1500.00"' in body


def test_note_3_the_daily_customer_limit_counts_what_was_used_today(world):
    customer_limit(world.zhang_customer, "1000.00", "1500.00")
    confirm(start(world, amount="1000.00"), user=world.zhang)
    with pytest.raises(LimitExceeded, match="当日累计转账金额超过您自设的"):
        start(world, amount="600.00")


def test_note_4_a_bank_limit_asks_only_to_lower_the_amount(client, world):
    # The demo's stricter branch first, so the bank may go below it (the hierarchy holds).
    limit_policy_set(level=LimitLevel.BRANCH, scope="340201", single_limit=Decimal("500.00"),
                     daily_limit=Decimal("2000000.00"))
    limit_policy_set(level=LimitLevel.BANK, single_limit=Decimal("500.00"),
                     daily_limit=Decimal("5000000.00"))
    with pytest.raises(LimitExceeded, match="超过我行设定的单笔转账限额¥500.00") as refused:
        start(world, amount="600.00")
    assert refused.value.level == LimitLevel.BANK
    client.force_login(world.zhang)
    body = client.post(reverse("transfers:intra"), {
        "from_sub_account": world.main(world.zhang_card).pk, "mode": ArrivalMode.REAL_TIME,
        "amount": "600.00", "payee_account": world.li_card.number, "payee_name": "李娜",
    }).content.decode()
    warning = refusal_box(body)
    assert "调低转账金额" in warning and 'href="/center/limits"' not in warning


def test_a_tool_less_customer_is_capped_by_the_tool_less_limit(world):
    with pytest.raises(LimitExceeded, match="未使用安全工具"):
        start(world, user=world.li, payer=world.main(world.li_card), payee=world.zhang_card,
              amount="5000.01")
    operation = confirm(start(world, user=world.li, payer=world.main(world.li_card),
                              payee=world.zhang_card, amount="5000.00"), user=world.li)
    assert operation.status == OperationStatus.EXECUTED


def test_a_limit_lowered_before_confirming_refuses_with_the_engines_message(world):
    operation = start(world, amount="1500.00")
    customer_limit(world.zhang_customer, "1000.00", "2000.00")
    before = entries()
    with pytest.raises(LimitExceeded, match="您自设的单笔转账限额"):
        confirm(operation, user=world.zhang)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.FAILED and "自设" in operation.failure_reason
    assert entries() == before and not Transfer.objects.exists()


def test_note_5_intra_bank_transfers_are_free_of_charge(world):
    operation = start(world, amount="200.00")
    assert ["手续费", FEE_LINE] in operation.payload["_summary"]
    operation = confirm(operation, user=world.zhang)
    transfer = Transfer.objects.get(operation=operation)
    entry = Entry.objects.get(pk=transfer.entry_id)
    assert entry.business_type == TransferBusinessType.INTRA_TRANSFER
    assert Posting.objects.filter(entry=entry).count() == 2
    assert balance(world.zhang_card) == Decimal("79800.00")


def test_note_6_normal_arrival_runs_after_the_configured_delay_under_four_hours(world, settings):
    settings.NORMAL_ARRIVAL_DELAY_MINUTES = 120
    with time_machine.travel(NOON, tick=False):
        operation = confirm(start(world, mode=ArrivalMode.NORMAL), user=world.zhang)
    transfer = Transfer.objects.get(operation=operation)
    assert transfer.status == TransferStatus.SCHEDULED and transfer.entry_id is None
    assert transfer.execute_at == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 14:00 Shanghai
    work = DueWork.objects.get(kind=DUE_KIND, key=transfer.number)
    assert work.due_at == transfer.execute_at and work.status == DueWorkStatus.PENDING
    assert balance(world.zhang_card) == Decimal("80000.00")
    assert not DailyLimitUsage.objects.exists()  # taken at execution
    assert "定时转账维护" in operation.result["message"]


def test_note_6_next_day_arrival_runs_at_nine_the_next_morning(world):
    late = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)  # 23:30 Shanghai
    with time_machine.travel(late, tick=False):
        operation = confirm(start(world, mode=ArrivalMode.NEXT_DAY), user=world.zhang)
    transfer = Transfer.objects.get(operation=operation)
    assert transfer.execute_at == datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 09:00 Shanghai
    assert ["预计执行时间", "2026-11-25 09:00"] in operation.payload["_summary"]


def test_a_double_clicked_confirm_posts_once(world):
    operation = start(world)
    confirm(operation, user=world.zhang)
    before = entries()
    assert confirm(operation, user=world.zhang).status == OperationStatus.EXECUTED
    assert entries() == before and Transfer.objects.count() == 1
    assert DailyLimitUsage.objects.get(customer_id=world.zhang_customer.pk).used == Decimal(
        "1000.00")


def test_add_to_payee_book_saves_the_payee_after_success(world):
    confirm(start(world, save_payee=True), user=world.zhang)
    payee = Payee.objects.get(customer=world.zhang_customer)
    assert payee.account_number == world.li_card.number and payee.name == "李娜"


def test_insufficient_balance_is_refused_on_submit_for_real_time(world):
    with pytest.raises(BusinessError, match="账户余额不足"):
        start(world, amount="80000.01")


def test_the_kind_needs_the_pin_but_no_tool():
    spec = operation_kind_get(KIND_INTRA)
    assert spec.requires_pin and not spec.requires_tool and spec.sms_allowed


def test_the_page_keeps_what_was_typed_and_names_the_problem(client, world):
    client.force_login(world.zhang)
    response = client.post(reverse("transfers:intra"), {
        "from_sub_account": world.main(world.zhang_card).pk, "mode": ArrivalMode.NORMAL,
        "amount": "12.34", "payee_account": world.li_card.number, "payee_name": "王五",
        "purpose": "房租"})
    body = response.content.decode()
    assert response.status_code == 200 and PAYEE_NAME_MISMATCH_MESSAGE in body
    assert 'value="12.34"' in body and "王五" in body and "房租" in body


def test_the_page_starts_the_confirmation_with_fee_and_arrival(client, world):
    client.force_login(world.zhang)
    response = client.post(reverse("transfers:intra"), {
        "from_sub_account": world.main(world.zhang_card).pk, "mode": ArrivalMode.NEXT_DAY,
        "amount": "1,234.00", "payee_account": world.li_card.number, "payee_name": "李娜"})
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "次日到账" in body and "免收手续费" in body and "¥1,234.00" in body
    # The payee's number in full, as typed (a wrong digit is caught here); the payer's masked.
    assert f"<td>{world.li_card.number}</td>" in body
    assert world.zhang_card.number not in body and world.zhang_card.masked_number in body


def test_picking_a_payee_fills_the_form_and_anothers_payee_is_404(client, world):
    mine = Payee.objects.create(customer=world.zhang_customer, kind="intra",
                                account_number=world.li_card.number, name="李娜")
    theirs = Payee.objects.create(customer=world.li_customer, kind="intra",
                                  account_number=world.zhang_card.number, name="张伟")
    client.force_login(world.zhang)
    body = client.get(reverse("transfers:intra") + f"?payee={mine.pk}").content.decode()
    assert f'value="{world.li_card.number}"' in body and 'value="李娜"' in body
    assert client.get(reverse("transfers:intra") + f"?payee={theirs.pk}").status_code == 404
