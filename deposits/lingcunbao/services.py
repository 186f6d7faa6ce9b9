"""零存宝 (DEP-LCB): 开户, 续存 and 支取, every movement through the ledger with its 电子回单.

A 零存整取 variant (DOMAIN-RULES §1–2, the manual's 零存宝 chapter): one year at the 零存宝 rate
kept on the opening day (demo 0.95 %); any number of deposits, each recorded with its day and
amount (:class:`deposits.models.LingcunbaoInstalment`); 支取 closes it and pays each deposit for
its own days. The manual's notes, enforced here in its words (tests name them):

1. 一个客户最多可开户5户零存宝账户 — the open ones counted under the customer's row lock, so two
   openings racing for the fifth cannot both succeed.
2. 开立金额和每月续存金额为1元（含）到20000元（含） — each deposit, the opening one included.
3. 每月续存次数不限，但不得超过累计限额 — the deposits into one account within a calendar month
   (the opening one included) total at most the **setting** in force that day
   (:class:`deposits.models.LingcunbaoSetting`; 20,000 when head office set none).

Decisions where the manual is silent (docs/deposits.md, 零存宝):

* Source: the 活期主账号 of a linked debit card (like 卡内活期转定期); the 零存宝 opens on that card
  (sub-account kind 零存整取); 支取 pays back to the card it was opened from.
* Term one year (``rates.PRODUCT_TERMS``: 零存宝 12 months only); 到期日 = opening + 12 months.
  续存 stops at maturity (「零存宝已到期，不能续存，请办理支取」). Nothing happens at maturity (no
  nightly step): the money waits for 支取, like a 零存整取; the overdue days earn the 活期 rate of
  the withdrawal day on the balance.
* 支取 is always the whole account (销户): held to maturity each deposit earns the kept rate for
  its days to the 到期日; before, each earns 活期 (the rate of the withdrawal day) for its days
  to the withdrawal day — summed unrounded and rounded once
  (``interest.interest_instalments_by_days``); overdue interest is its own line, rounded once.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from accounts.models import MediumKind, SubAccount, SubAccountKind
from accounts.receipts.services import ReceiptChannel
from accounts.services import sub_account_close, sub_account_open
from ebank.core.audit import audit_record
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.money import as_money, format_cny

from .. import fixed
from ..business_types import DepositBusinessType
from ..interest import add_months, days_between, interest_by_days, interest_instalments_by_days
from ..models import (
    Deposit,
    DepositRate,
    DepositStatus,
    LingcunbaoInstalment,
    LingcunbaoSetting,
    Product,
)
from ..rates import PRODUCT_MINIMUM, PRODUCT_TERMS, rate_on

TERM_MONTHS = PRODUCT_TERMS[Product.LINGCUNBAO][0]
MINIMUM = PRODUCT_MINIMUM[Product.LINGCUNBAO]
MAXIMUM = Decimal("20000.00")
MAX_OPEN = 5
DEFAULT_MONTHLY_CAP = Decimal("20000.00")

# The manual's notes, in its words.
NOTE_1 = "一个客户最多可开户5户零存宝账户"
NOTE_2 = "开立金额和每月续存金额为1元（含）到20000元（含）"
NOTE_3 = "每月续存次数不限，但不得超过累计限额"
CARD_ONLY = "零存宝只能从借记卡的活期主账号存入，请选择借记卡"
MATURED_NO_TOP_UP = "零存宝已到期，不能续存，请办理支取"
DEPOSIT_UNKNOWN = "零存宝账户不存在或已销户"


# --- the setting ---------------------------------------------------------------------------------


def monthly_cap_on(day: date) -> Decimal:
    """每月续存累计限额 in force on ``day``: the latest row on or before it, else 20,000."""
    cap = (LingcunbaoSetting.objects.filter(effective_from__lte=day)
           .order_by("-effective_from").values_list("monthly_cap", flat=True).first())
    return DEFAULT_MONTHLY_CAP if cap is None else cap


def month_start(day: date) -> date:
    return day.replace(day=1)


def instalments(deposit: Deposit) -> list[tuple[date, Decimal]]:
    """(day, amount) of each deposit made, by day — one read, or none when the caller
    prefetched ``lcb_instalments`` (a page of many: deposits.product_facts)."""
    return [(row.made_on, row.amount) for row in deposit.lcb_instalments.all()]


def month_total(deposit: Deposit, day: date) -> Decimal:
    """What went into ``deposit`` in ``day``'s calendar month (the opening deposit included)."""
    start = month_start(day)
    return sum((amount for made_on, amount in instalments(deposit) if start <= made_on <= day),
               Decimal("0.00"))


# --- checks --------------------------------------------------------------------------------------


def amount_check(amount) -> Decimal:
    """Note 2: each deposit 1 to 20,000 yuan, both included."""
    amount = as_money(amount)
    if not MINIMUM <= amount <= MAXIMUM:
        raise BusinessError(NOTE_2, code="lcb_note_2")
    return amount


def card_source(*, customer, sub_account_id) -> SubAccount:
    """转出账户: a linked debit card's 活期主账号 (fixed's checks, then the card)."""
    source = fixed.source_account(customer=customer, sub_account_id=sub_account_id)
    if source.medium.kind != MediumKind.DEBIT_CARD:
        raise BusinessError(CARD_ONLY, code="lcb_card_only")
    return source


def open_count(customer) -> int:
    return Deposit.objects.filter(product=Product.LINGCUNBAO, status=DepositStatus.OPEN,
                                  sub_account__medium__customer=customer).count()


def count_check(customer) -> None:
    """Note 1: at most five open 零存宝 accounts per customer."""
    if open_count(customer) >= MAX_OPEN:
        raise BusinessError(NOTE_1, code="lcb_note_1")


def cap_check(deposit: Deposit, amount: Decimal, on: date) -> None:
    """Note 3: this month's deposits into the account plus ``amount`` within the setting."""
    cap = monthly_cap_on(on)
    done = month_total(deposit, on)
    if done + amount > cap:
        left = max(cap - done, Decimal("0.00"))
        raise BusinessError(f"{NOTE_3}（每月累计限额{format_cny(cap)}，本月已存{format_cny(done)}，"
                            f"本月还可续存{format_cny(left)}）", code="lcb_note_3")


@dataclass(frozen=True)
class OpenPlan:
    source: SubAccount
    amount: Decimal
    rate: DepositRate


def open_plan_check(*, customer, from_sub_account_id, amount, on: date) -> OpenPlan:
    """零存宝开户 提交: notes 1 and 2, the card, the balance, the rate of ``on``."""
    amount = amount_check(amount)
    source = card_source(customer=customer, sub_account_id=from_sub_account_id)
    count_check(customer)
    fixed.funds_check(source, amount)
    rate = rate_on(product=Product.LINGCUNBAO, term_months=TERM_MONTHS, day=on)
    return OpenPlan(source, amount, rate)


def deposit_for_customer(*, customer, pk, lock: bool = False) -> Deposit:
    return fixed.deposit_for_customer(customer=customer, pk=pk, lock=lock,
                                      product=Product.LINGCUNBAO, unknown=DEPOSIT_UNKNOWN)


@dataclass(frozen=True)
class TopUpPlan:
    deposit: Deposit
    source: SubAccount
    amount: Decimal


def top_up_check(*, customer, deposit: Deposit, from_sub_account_id, amount,
                 on: date) -> TopUpPlan:
    """零存宝续存 提交 (and again under the deposit's lock): notes 2 and 3, not yet matured."""
    amount = amount_check(amount)
    if on >= deposit.matures_on:
        raise BusinessError(MATURED_NO_TOP_UP, code="lcb_matured")
    source = card_source(customer=customer, sub_account_id=from_sub_account_id)
    cap_check(deposit, amount, on)
    fixed.funds_check(source, amount)
    return TopUpPlan(deposit, source, amount)


# --- postings ------------------------------------------------------------------------------------


def _deposit_in(*, deposit: Deposit, source: SubAccount, amount: Decimal, key: str, on: date,
                business: DepositBusinessType, memo: str):
    """Money from the card's 活期 into the 零存宝, its receipts and its instalment row."""
    sub = deposit.sub_account
    receipt, _ = fixed.transfer_with_receipts(
        payer=source, payee=sub, amount=amount, key=key, business_type=business,
        reference=f"deposit:{deposit.pk}", memo=memo)
    LingcunbaoInstalment.objects.create(deposit=deposit, made_on=on, amount=amount,
                                        entry_id=receipt.entry_id)
    return receipt


def customer_lock(customer) -> None:
    """The customer's row lock: openings of one customer run one after the other (note 1)."""
    type(customer).objects.select_for_update().filter(pk=customer.pk).first()


@dataclass(frozen=True)
class Done:
    deposit: Deposit
    amount: Decimal
    receipt: object


def lcb_open_post(*, user, plan: OpenPlan, idempotency_key: str, on: date) -> Done:
    """Open the 零存宝 of ``plan`` inside the caller's transaction; note 1 is counted again under
    the customer's row lock."""
    customer = plan.source.medium.customer
    customer_lock(customer)
    count_check(customer)
    sub = sub_account_open(medium=plan.source.medium, kind=SubAccountKind.FIXED_INSTALMENT,
                           opened_on=on)
    sub = SubAccount.objects.select_related("medium__customer", "medium__branch").get(pk=sub.pk)
    deposit = Deposit.objects.create(
        sub_account=sub, product=Product.LINGCUNBAO, term_months=TERM_MONTHS,
        principal=plan.amount, annual_rate=plan.rate.annual_rate, rate_row=plan.rate,
        opened_on=on, value_date=on, matures_on=add_months(on, TERM_MONTHS),
        instalments_made=1, interest_account=plan.source)
    receipt = _deposit_in(deposit=deposit, source=plan.source, amount=plan.amount,
                          key=idempotency_key, on=on, business=DepositBusinessType.OPEN,
                          memo="零存宝开户")
    audit_record(action="deposits.lcb_open", actor=user, customer_id=customer.pk,
                 object_ref=f"deposit:{deposit.pk}",
                 detail={"amount": str(plan.amount), "rate": str(plan.rate.annual_rate)})
    return Done(deposit, plan.amount, receipt)


def lcb_top_up_post(*, user, deposit: Deposit, from_sub_account_id, amount, idempotency_key: str,
                    on: date) -> Done:
    """续存 inside the caller's transaction, ``deposit`` locked by the caller: two 续存 of one
    account run one after the other, the second seeing the first in the month's total."""
    plan = top_up_check(customer=deposit.sub_account.medium.customer, deposit=deposit,
                        from_sub_account_id=from_sub_account_id, amount=amount, on=on)
    receipt = _deposit_in(deposit=deposit, source=plan.source, amount=plan.amount,
                          key=idempotency_key, on=on, business=DepositBusinessType.TOP_UP,
                          memo="零存宝续存")
    deposit.principal += plan.amount
    deposit.instalments_made += 1
    deposit.save(update_fields=["principal", "instalments_made"])
    audit_record(action="deposits.lcb_top_up", actor=user,
                 customer_id=deposit.sub_account.medium.customer_id,
                 object_ref=f"deposit:{deposit.pk}", detail={"amount": str(plan.amount)})
    return Done(deposit, plan.amount, receipt)


# --- 支取 -----------------------------------------------------------------------------------------


def withdraw_quote(*, deposit: Deposit, on: date, balance: Decimal | None = None,
                   made: list[tuple[date, Decimal]] | None = None) -> fixed.Quote:
    """What 支取 (the whole account) on ``on`` pays: at or after maturity each deposit at the
    kept rate for its days to the 到期日 plus the overdue days at 活期; before, each deposit at
    活期 for its days. ``fixed.Quote``: regular / early / overdue, each rounded once."""
    balance = fixed.balance_of(deposit.sub_account) if balance is None else balance
    made = instalments(deposit) if made is None else made
    zero = Decimal("0.00")
    if on >= deposit.matures_on:
        regular = interest_instalments_by_days(made, deposit.matures_on, deposit.annual_rate)
        overdue_days = days_between(deposit.matures_on, on)
        rate = fixed.current_rate(on) if overdue_days else None
        overdue = interest_by_days(balance, rate, overdue_days) if overdue_days else zero
        return fixed.Quote(balance, True, True, regular, zero, overdue, rate, overdue_days)
    days = days_between(deposit.opened_on, on)
    rate = fixed.current_rate(on)
    early = interest_instalments_by_days(made, on, rate)
    return fixed.Quote(balance, True, False, zero, early, zero, rate, days)


def lcb_withdraw_post(*, user, deposit: Deposit, idempotency_key: str, on: date,
                      channel: str = ReceiptChannel.WEB) -> fixed.Withdrawn:
    """支取 (销户) inside the caller's transaction, ``deposit`` locked by the caller: principal
    back to the card's 活期, interest from 利息支出 as its own entry and receipt."""
    quote = withdraw_quote(deposit=deposit, on=on)
    sub, to = deposit.sub_account, deposit.interest_account
    business = (DepositBusinessType.MATURITY if quote.matured else DepositBusinessType.WITHDRAW)
    memo = f"零存宝{quote.kind_label}"
    receipt = None
    if quote.amount > 0:
        _, receipt = fixed.transfer_with_receipts(
            payer=sub, payee=to, amount=quote.amount, key=f"{idempotency_key}:principal",
            business_type=business, reference=f"deposit:{deposit.pk}", memo=memo,
            channel=channel)
    interest_receipt = fixed.interest_post(deposit=deposit, to=to, interest=quote.interest,
                                           key=idempotency_key,
                                           memo=f"零存宝利息（{quote.kind_label}）",
                                           channel=channel)
    deposit.interest_paid += quote.interest
    deposit.status, deposit.closed_on = DepositStatus.CLOSED, on
    deposit.save(update_fields=["interest_paid", "status", "closed_on"])
    sub_account_close(sub_account=sub, closed_on=on)
    audit_record(action="deposits.lcb_withdraw", actor=user, customer_id=sub.medium.customer_id,
                 object_ref=f"deposit:{deposit.pk}",
                 detail={"amount": str(quote.amount), "interest": str(quote.interest),
                         "kind": quote.kind_label})
    return fixed.Withdrawn(deposit, quote, receipt, interest_receipt)


# --- without the confirmation page (tests, the race) --------------------------------------------


@transaction.atomic(durable=True)
def lcb_open(*, user, from_sub_account_id, amount, idempotency_key: str) -> Done:
    on = business_day()
    plan = open_plan_check(customer=user.customer, from_sub_account_id=from_sub_account_id,
                           amount=amount, on=on)
    return lcb_open_post(user=user, plan=plan, idempotency_key=idempotency_key, on=on)


@transaction.atomic(durable=True)
def lcb_top_up(*, user, deposit_id, from_sub_account_id, amount, idempotency_key: str) -> Done:
    deposit = deposit_for_customer(customer=user.customer, pk=deposit_id, lock=True)
    return lcb_top_up_post(user=user, deposit=deposit, from_sub_account_id=from_sub_account_id,
                           amount=amount, idempotency_key=idempotency_key, on=business_day())


@transaction.atomic(durable=True)
def lcb_withdraw(*, user, deposit_id, idempotency_key: str) -> fixed.Withdrawn:
    deposit = deposit_for_customer(customer=user.customer, pk=deposit_id, lock=True)
    return lcb_withdraw_post(user=user, deposit=deposit, idempotency_key=idempotency_key,
                             on=business_day())


# --- 账户总览 facts (deposits.product_facts) -----------------------------------------------------


def interest_to_date(*, deposit: Deposit, balance: Decimal, on: date) -> Decimal:
    """利息（至今日）: each deposit at the kept rate for its days to today (to the 到期日 at most),
    plus the overdue days at today's 活期 after maturity. An early 支取 earns 活期 instead."""
    if deposit.status != DepositStatus.OPEN or balance <= 0:
        return Decimal("0.00")
    made = instalments(deposit)
    if on < deposit.matures_on:
        return interest_instalments_by_days(made, on, deposit.annual_rate)
    try:
        return withdraw_quote(deposit=deposit, on=on, balance=balance, made=made).interest
    except BusinessError:  # no 活期 rate for the overdue days
        return interest_instalments_by_days(made, deposit.matures_on, deposit.annual_rate)


def fact_lines(deposit: Deposit) -> list[tuple[str, str]]:
    """已存笔数 and 本月已存 (of today's business month)."""
    lines = [("已存笔数", f"{deposit.instalments_made}笔")]
    if deposit.status == DepositStatus.OPEN:
        lines.append(("本月已存", format_cny(month_total(deposit, business_day()))))
    return lines
