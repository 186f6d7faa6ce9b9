"""零存宝 (DEP-LCB): the manual's three notes by name (its wording shown), the worked case to the
fen, X-CONFIRM with a tool, receipts and the interest line, the monthly cap (a setting), another
customer's account, and 账户总览's facts."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Receipt, ReceiptDirection, SubAccountKind, SubAccountStatus
from deposits import fixed
from deposits.lingcunbao import services
from deposits.lingcunbao.operations import lcb_open_start, lcb_top_up_start, lcb_withdraw_start
from deposits.lingcunbao.services import lcb_open, lcb_top_up, lcb_withdraw
from deposits.models import (
    Deposit,
    DepositRate,
    DepositStatus,
    LingcunbaoInstalment,
    LingcunbaoSetting,
    Product,
)
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.ledger.models import BusinessType, Entry, Posting
from security.confirm.registry import TOOL_REQUIRED_MESSAGE
from security.models import OperationStatus

from .conftest import RATES_FROM, balance, confirm
from .test_fixed import at

pytestmark = pytest.mark.django_db

OPENED = date(2026, 3, 2)
MATURES = date(2027, 3, 2)


@pytest.fixture
def lcb(world):
    """零存宝 一年 0.95 % (DOMAIN-RULES §1's demo rate) beside the world's 活期 0.10 %."""
    DepositRate.objects.create(product=Product.LINGCUNBAO, term_months=12,
                               annual_rate=Decimal("0.95"), effective_from=RATES_FROM)
    return world


def card_of(world, user=None):
    user = user or world.zhang
    return world.main(world.zhang_card if user == world.zhang else world.li_card)


def open_lcb(world, amount="1000.00", key="lcb:open", user=None) -> Deposit:
    user = user or world.zhang
    return lcb_open(user=user, from_sub_account_id=card_of(world, user).pk,
                    amount=Decimal(amount), idempotency_key=key).deposit


def top_up(world, deposit, amount, key, user=None):
    user = user or world.zhang
    return lcb_top_up(user=user, deposit_id=deposit.pk,
                      from_sub_account_id=card_of(world, user).pk, amount=Decimal(amount),
                      idempotency_key=key)


def interest_entries() -> list[Entry]:
    book = bank_book_id(BankBook.INTEREST_EXPENSE)
    return list(Entry.objects.filter(business_type=BusinessType.INTEREST,
                                     postings__account_id=book).order_by("pk"))


# --- the manual's notes --------------------------------------------------------------------------


def test_lcb_note_1_a_customer_opens_at_most_five_lingcunbao_accounts(lcb):
    assert services.NOTE_1 == "一个客户最多可开户5户零存宝账户"
    with at(OPENED):
        first = open_lcb(lcb, key="n1:0")
        for i in range(1, 5):
            open_lcb(lcb, key=f"n1:{i}")
        with pytest.raises(BusinessError, match=services.NOTE_1):
            open_lcb(lcb, key="n1:6")
        with pytest.raises(BusinessError, match=services.NOTE_1):  # refused at 提交 already
            lcb_open_start(user=lcb.zhang, from_sub_account_id=card_of(lcb).pk,
                           amount=Decimal("10"))
    assert Deposit.objects.filter(product=Product.LINGCUNBAO).count() == 5
    # Open ones are counted: after one 支取 a fifth may be opened again.
    with at(date(2026, 4, 1)):
        lcb_withdraw(user=lcb.zhang, deposit_id=first.pk, idempotency_key="n1:w")
        open_lcb(lcb, key="n1:again")
    assert services.open_count(lcb.zhang_customer) == 5


def test_lcb_note_2_opening_and_each_deposit_from_1_to_20000_yuan_inclusive(lcb):
    assert services.NOTE_2 == "开立金额和每月续存金额为1元（含）到20000元（含）"
    with at(OPENED):
        for amount in ("0.99", "20000.01"):
            with pytest.raises(BusinessError, match=services.NOTE_2):
                open_lcb(lcb, amount=amount, key=f"n2:{amount}")
        small = open_lcb(lcb, amount="1.00", key="n2:1")
        big = open_lcb(lcb, amount="20000.00", key="n2:20000")
    with at(date(2026, 4, 1)):
        for amount in ("0.50", "20000.01"):
            with pytest.raises(BusinessError, match=services.NOTE_2):
                top_up(lcb, small, amount, key=f"n2:t:{amount}")
        top_up(lcb, big, "20000.00", key="n2:t:20000")
    assert balance(big.sub_account) == Decimal("40000.00")


def test_lcb_note_3_monthly_total_capped_across_two_top_ups_and_reset_next_month(lcb):
    assert services.NOTE_3 == "每月续存次数不限，但不得超过累计限额"
    with at(OPENED):
        deposit = open_lcb(lcb, amount="5000.00")
    with at(date(2026, 3, 10)):
        top_up(lcb, deposit, "9000.00", key="n3:a")
    with at(date(2026, 3, 31)):
        top_up(lcb, deposit, "5000.00", key="n3:b")  # 5,000 + 9,000 + 5,000 = 19,000
        with pytest.raises(BusinessError, match=services.NOTE_3) as refused:
            top_up(lcb, deposit, "1000.01", key="n3:c")
        assert "本月已存¥19,000.00" in refused.value.message
        assert "本月还可续存¥1,000.00" in refused.value.message
        top_up(lcb, deposit, "1000.00", key="n3:d")  # exactly the cap
    with at(date(2026, 4, 1)):  # a new month: the total starts again
        top_up(lcb, deposit, "20000.00", key="n3:e")
    assert [(i.made_on, i.amount) for i in deposit.lcb_instalments.all()] == [
        (OPENED, Decimal("5000.00")), (date(2026, 3, 10), Decimal("9000.00")),
        (date(2026, 3, 31), Decimal("5000.00")), (date(2026, 3, 31), Decimal("1000.00")),
        (date(2026, 4, 1), Decimal("20000.00"))]
    deposit.refresh_from_db()
    assert deposit.instalments_made == 5 and deposit.principal == Decimal("40000.00")


def test_the_monthly_cap_is_a_setting_with_an_effective_date(lcb):
    LingcunbaoSetting.objects.create(monthly_cap=Decimal("8000.00"),
                                     effective_from=date(2026, 5, 1))
    with at(OPENED):
        deposit = open_lcb(lcb, amount="5000.00")
    with at(date(2026, 4, 30)):  # the default 20,000 before the row is in force
        assert services.monthly_cap_on(date(2026, 4, 30)) == Decimal("20000.00")
        top_up(lcb, deposit, "10000.00", key="s:a")
    with at(date(2026, 5, 2)):
        top_up(lcb, deposit, "8000.00", key="s:b")
        with pytest.raises(BusinessError, match="每月累计限额¥8,000.00"):
            top_up(lcb, deposit, "1.00", key="s:c")


# --- the worked case (DOMAIN-RULES §2: each deposit by its days, rounded once) -------------------


def _three_deposits(world) -> Deposit:
    with at(OPENED):
        deposit = open_lcb(world, amount="1000.00")
    with at(date(2026, 4, 15)):
        top_up(world, deposit, "2000.00", key="w:b")
    with at(date(2026, 9, 30)):
        top_up(world, deposit, "500.00", key="w:c")
    return deposit


def test_worked_case_three_deposits_held_to_maturity_earn_28_59(lcb):
    # 0.95 % a year, 算头不算尾 to the 到期日 2027-03-02:
    #   1,000 from 2026-03-02: 365 days → 1,000 × 365 = 365,000
    #   2,000 from 2026-04-15: 321 days → 2,000 × 321 = 642,000
    #     500 from 2026-09-30: 153 days →   500 × 153 =  76,500
    #   Σ 1,083,500 × 0.95 % / 360 = 28.5923… → 28.59 (rounded once)
    card = card_of(lcb)
    deposit = _three_deposits(lcb)
    assert deposit.matures_on == MATURES
    assert balance(card) == Decimal("76500.00")
    with at(MATURES):
        done = lcb_withdraw(user=lcb.zhang, deposit_id=deposit.pk, idempotency_key="w:w")
    assert done.quote.matured and done.quote.kind_label == "到期支取"
    assert done.quote.interest == Decimal("28.59") and done.quote.overdue == Decimal("0.00")
    assert balance(card) == Decimal("80028.59")
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.CLOSED and deposit.closed_on == MATURES
    assert deposit.sub_account.status == SubAccountStatus.CLOSED


def test_worked_case_taken_30_days_after_maturity_adds_0_29_overdue_at_current(lcb):
    # 3,500 × 0.10 % / 360 × 30 = 0.2916… → 0.29; with the 28.59 of the term: 28.88.
    deposit = _three_deposits(lcb)
    with at(date(2027, 4, 1)):
        done = lcb_withdraw(user=lcb.zhang, deposit_id=deposit.pk, idempotency_key="w:w")
    assert (done.quote.regular, done.quote.overdue) == (Decimal("28.59"), Decimal("0.29"))
    assert done.quote.interest == Decimal("28.88")


def test_worked_case_taken_before_maturity_earns_2_13_at_current(lcb):
    # 支取 2026-12-01 at 活期 0.10 %: 1,000 × 274 + 2,000 × 230 + 500 × 62 = 765,000;
    # × 0.10 % / 360 = 2.125 → 2.13 (half-up, once).
    deposit = _three_deposits(lcb)
    with at(date(2026, 12, 1)):
        done = lcb_withdraw(user=lcb.zhang, deposit_id=deposit.pk, idempotency_key="w:w")
    assert not done.quote.matured and done.quote.kind_label == "销户（提前全部支取）"
    assert done.quote.interest == Decimal("2.13")
    assert balance(card_of(lcb)) == Decimal("80002.13")


def test_no_top_up_once_matured(lcb):
    with at(OPENED):
        deposit = open_lcb(lcb)
    with at(MATURES), pytest.raises(BusinessError, match=services.MATURED_NO_TOP_UP):
        top_up(lcb, deposit, "10.00", key="m:t")


def test_source_is_a_debit_cards_main_account_only(lcb):
    passbook = lcb.main(lcb.zhang_passbook)
    with at(OPENED), pytest.raises(BusinessError, match=services.CARD_ONLY):
        lcb_open(user=lcb.zhang, from_sub_account_id=passbook.pk, amount=Decimal("10"),
                 idempotency_key="c:p")


def test_another_customers_lingcunbao_is_unknown_to_the_services(lcb):
    with at(OPENED):
        deposit = open_lcb(lcb, user=lcb.li, key="o:li")
        with pytest.raises(BusinessError, match=services.DEPOSIT_UNKNOWN):
            top_up(lcb, deposit, "10.00", key="o:t")
        with pytest.raises(BusinessError, match=services.DEPOSIT_UNKNOWN):
            lcb_withdraw(user=lcb.zhang, deposit_id=deposit.pk, idempotency_key="o:w")
        with pytest.raises(BusinessError, match=services.DEPOSIT_UNKNOWN):
            lcb_withdraw_start(user=lcb.zhang, deposit_id=deposit.pk)


# --- X-CONFIRM, receipts, audit ------------------------------------------------------------------


def test_open_top_up_and_withdraw_through_the_confirmation_with_receipts(lcb):
    card = card_of(lcb)
    with at(OPENED):
        operation = confirm(lcb_open_start(user=lcb.zhang, from_sub_account_id=card.pk,
                                           amount=Decimal("1000.00")), user=lcb.zhang)
    assert operation.status == OperationStatus.EXECUTED, operation.failure_reason
    deposit = Deposit.objects.get(product=Product.LINGCUNBAO)
    assert deposit.sub_account.kind == SubAccountKind.FIXED_INSTALMENT
    assert deposit.sub_account.medium_id == lcb.zhang_card.pk
    assert deposit.annual_rate == Decimal("0.9500") and deposit.interest_account_id == card.pk
    entry = Entry.objects.get(idempotency_key=operation.idempotency_key)
    assert entry.business_type == "deposit_open"
    assert {(r.sub_account_id, r.direction) for r in Receipt.objects.filter(entry_id=entry.pk)} \
        == {(card.pk, ReceiptDirection.DEBIT), (deposit.sub_account_id, ReceiptDirection.CREDIT)}
    assert operation.result["receipt_url"]

    with at(date(2026, 4, 15)):
        operation = confirm(lcb_top_up_start(user=lcb.zhang, deposit_id=deposit.pk,
                                             from_sub_account_id=card.pk,
                                             amount=Decimal("2000.00")), user=lcb.zhang)
    assert operation.status == OperationStatus.EXECUTED, operation.failure_reason
    assert Entry.objects.get(idempotency_key=operation.idempotency_key).business_type \
        == "deposit_top_up"
    assert LingcunbaoInstalment.objects.filter(deposit=deposit).count() == 2

    with at(MATURES):
        operation = confirm(lcb_withdraw_start(user=lcb.zhang, deposit_id=deposit.pk),
                            user=lcb.zhang)
    assert operation.status == OperationStatus.EXECUTED, operation.failure_reason
    # 1,000 × 365 + 2,000 × 321 = 1,007,000 × 0.95 % / 360 = 26.5736… → 26.57
    (interest,) = interest_entries()
    legs = {p.account_id for p in Posting.objects.filter(entry=interest)}
    assert legs == {bank_book_id(BankBook.INTEREST_EXPENSE), card.ledger_account_id}
    receipt = Receipt.objects.get(entry_id=interest.pk)
    assert receipt.amount == Decimal("26.57") and receipt.business == "利息"
    assert receipt.payer_name == fixed.INTEREST_PAYER
    assert balance(card) == Decimal("80026.57")
    assert ["利息回单", receipt.number] in operation.result["lines"]
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="deposits.lcb_")
            .order_by("pk")] == ["deposits.lcb_open", "deposits.lcb_top_up",
                                 "deposits.lcb_withdraw"]


def test_the_manual_asks_for_a_security_tool_so_sms_is_refused(lcb):
    with at(OPENED), pytest.raises(BusinessError, match=TOOL_REQUIRED_MESSAGE):
        lcb_open_start(user=lcb.li, from_sub_account_id=card_of(lcb, lcb.li).pk,
                       amount=Decimal("100.00"))


def test_the_executor_checks_the_cap_again_under_the_lock(lcb):
    card = card_of(lcb)
    with at(OPENED):
        deposit = open_lcb(lcb, amount="10000.00")
        first = lcb_top_up_start(user=lcb.zhang, deposit_id=deposit.pk,
                                 from_sub_account_id=card.pk, amount=Decimal("6000.00"))
        second = lcb_top_up_start(user=lcb.zhang, deposit_id=deposit.pk,
                                  from_sub_account_id=card.pk, amount=Decimal("6000.00"))
        assert confirm(first, user=lcb.zhang).status == OperationStatus.EXECUTED
        with pytest.raises(BusinessError, match=services.NOTE_3):
            confirm(second, user=lcb.zhang)
    second.refresh_from_db()
    assert second.status != OperationStatus.EXECUTED
    assert balance(deposit.sub_account) == Decimal("16000.00")


# --- 账户总览 facts ------------------------------------------------------------------------------


def test_account_overview_facts_count_month_and_interest_to_date(lcb):
    from deposits.selectors import deposit_facts

    deposit = _three_deposits(lcb)
    with at(date(2026, 9, 30)):
        facts = deposit_facts(sub_account_ids=[deposit.sub_account_id], on=date(2026, 10, 1))
    lines = dict(facts[deposit.sub_account_id].lines)
    assert facts[deposit.sub_account_id].title == "零存宝"
    assert lines["已存笔数"] == "3笔" and lines["本月已存"] == "¥500.00"
    # 1,000 × 213 + 2,000 × 169 + 500 × 1 = 551,500 × 0.95 % / 360 = 14.5534… → 14.55
    assert lines["利息（至今日）"] == "¥14.55"
