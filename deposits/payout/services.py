"""存本取息 (DEP-CBQX): opened at the counter (the manual has only 支取 and 利息账户变更/查询
online), interest paid out monthly or quarterly by the nightly step (order 220), 支取 online.

* **Opening** (counter action 存本取息开户, deposits/payout/counter.py): from a debit card's
  活期主账户 onto the card; minimum 5,000; terms 1y/3y/5y; payouts 按月 or 按季; the rate of the
  存款利率表 in force that day kept; the 利息账户 a 活期主账户 of the customer's (the card's by
  default).
* **Payouts** (``payouts_run``): payout k falls on 起息日 + k periods (``add_months``); its amount
  is ``interest.payout_schedule`` (P × rate × years / n, half-up, the last taking the rounding),
  from 利息支出 to the 利息账户 with its 电子回单 (业务类型 存本取息付息). Keyed by deposit and
  payout number: a rerun posts nothing twice, a late batch pays each missed payout, each on its
  own key.
* **支取** (online, X-CONFIRM): full only (the manual and the rules know no partial 存本取息
  支取). Before maturity: the principal earns 活期 by days at that day's rate; what was paid
  above it is clawed back from the principal (利息扣回, its own entry and receipt), what it earned
  above what was paid is paid as interest. At or after maturity: any payout still unpaid (the
  nightly's, same key) then the principal, plus the overdue days at 活期.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from accounts.models import MediumKind, ReceiptDirection, SubAccount, SubAccountKind
from accounts.receipts.services import ReceiptChannel
from accounts.services import sub_account_close, sub_account_open
from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError
from ebank.core.money import as_money, format_cny
from ebank.ledger.bank_books import BankBook, bank_book_id

from ..business_types import DepositBusinessType
from ..fixed import (
    INTEREST_PAYER,
    balance_of,
    card_current_main,
    current_rate,
    deposit_move,
    deposit_party,
    deposit_receipt,
    funds_check,
    int_or_none,
    interest_clawback,
    interest_post,
    transfer_with_receipts,
)
from ..interest import (
    add_months,
    days_between,
    interest_by_days,
    interest_up_front_clawback,
    payout_schedule,
)
from ..models import Deposit, DepositRate, DepositStatus, PayoutFrequency, Product
from ..rates import PRODUCT_MINIMUM, PRODUCT_TERMS, rate_on, term_text

MINIMUM = PRODUCT_MINIMUM[Product.INTEREST_PAYOUT]
TERMS = PRODUCT_TERMS[Product.INTEREST_PAYOUT]
PERIOD_MONTHS = {PayoutFrequency.MONTHLY: 1, PayoutFrequency.QUARTERLY: 3}
BELOW_MINIMUM = "存本取息起存金额5000元"
TERM_UNKNOWN = "存本取息存期为一年、三年或五年"
FREQUENCY_UNKNOWN = "请选择取息频率（按月或按季）"
CARD_UNKNOWN = "请选择客户本人正常状态的借记卡"
BATCH = ReceiptChannel.BATCH


def payouts_total(deposit: Deposit) -> int:
    return deposit.term_months // PERIOD_MONTHS[deposit.payout_frequency]


def payout_day(deposit: Deposit, number: int) -> date:
    """The day of payout ``number`` (1-based): 起息日 + number periods."""
    return add_months(deposit.value_date, number * PERIOD_MONTHS[deposit.payout_frequency])


def schedule_of(deposit: Deposit) -> list[Decimal]:
    return payout_schedule(deposit.principal, deposit.annual_rate, deposit.term_months,
                           payouts_total(deposit))


def next_payout_day(deposit: Deposit) -> date | None:
    if deposit.payouts_made >= payouts_total(deposit):
        return None
    return payout_day(deposit, deposit.payouts_made + 1)


# --- opening (at the counter) ---------------------------------------------------------------------


@dataclass(frozen=True)
class PayoutOpenPlan:
    source: SubAccount
    interest_account: SubAccount
    term_months: int
    frequency: str
    amount: Decimal
    rate: DepositRate


def payout_open_check(*, customer, source: SubAccount, interest_account: SubAccount | None,
                      term_months, frequency, amount, on: date) -> PayoutOpenPlan:
    from accounts.models import MediumStatus, SubAccountStatus

    if (source is None or source.medium.customer_id != customer.pk
            or source.medium.kind != MediumKind.DEBIT_CARD
            or source.kind != SubAccountKind.CURRENT_MAIN
            or source.medium.status != MediumStatus.NORMAL
            or source.status != SubAccountStatus.OPEN):
        raise BusinessError(CARD_UNKNOWN, code="card")
    to = interest_account or source
    if (to.medium.customer_id != customer.pk or to.kind != SubAccountKind.CURRENT_MAIN
            or to.medium.status != MediumStatus.NORMAL or to.status != SubAccountStatus.OPEN):
        raise BusinessError("利息账户须为客户本人正常状态的活期账户", code="interest_account")
    term = int_or_none(term_months)
    if term not in TERMS:
        raise BusinessError(TERM_UNKNOWN, code="term")
    if frequency not in PayoutFrequency.values:
        raise BusinessError(FREQUENCY_UNKNOWN, code="frequency")
    amount = as_money(amount)
    if amount < MINIMUM:
        raise BusinessError(BELOW_MINIMUM, code="minimum")
    funds_check(source, amount)
    rate = rate_on(product=Product.INTEREST_PAYOUT, term_months=term, day=on)
    return PayoutOpenPlan(source, to, term, frequency, amount, rate)


def payout_open_post(*, actor, plan: PayoutOpenPlan, idempotency_key: str, on: date,
                     channel: str = ReceiptChannel.COUNTER) -> Deposit:
    """Open the 存本取息 on the card inside the caller's transaction."""
    card = plan.source.medium
    sub = sub_account_open(medium=card, kind=SubAccountKind.FIXED_INTEREST_PAYOUT, opened_on=on)
    sub = SubAccount.objects.select_related("medium__customer", "medium__branch").get(pk=sub.pk)
    memo = f"存本取息{term_text(plan.term_months)}开户"
    transfer_with_receipts(payer=plan.source, payee=sub, amount=plan.amount, key=idempotency_key,
                           business_type=DepositBusinessType.OPEN,
                           reference=f"deposit:{sub.number}", memo=memo, channel=channel)
    deposit = Deposit.objects.create(
        sub_account=sub, product=Product.INTEREST_PAYOUT, term_months=plan.term_months,
        principal=plan.amount, annual_rate=plan.rate.annual_rate, rate_row=plan.rate,
        opened_on=on, value_date=on, matures_on=add_months(on, plan.term_months),
        interest_account=plan.interest_account, payout_frequency=plan.frequency)
    audit_record(action="deposits.payout_open", actor=actor, customer_id=card.customer_id,
                 channel="counter" if channel == ReceiptChannel.COUNTER else "web",
                 object_ref=f"deposit:{deposit.pk}",
                 detail={"amount": str(plan.amount), "term_months": plan.term_months,
                         "frequency": plan.frequency, "rate": str(plan.rate.annual_rate)})
    return deposit


# --- payouts (nightly, order 220) ------------------------------------------------------------------


def _payout_post(deposit: Deposit, number: int, amount: Decimal, expense_id: int,
                 channel: str = BATCH) -> None:
    day = payout_day(deposit, number)
    to = deposit.interest_account
    memo = f"存本取息第{number}期付息（{day:%Y-%m-%d}）"
    entry_id = deposit_move(debit=expense_id, credit=to.ledger_account_id, amount=amount,
                           key=f"deposits:payout:{deposit.pk}:{number}",
                           business_type=DepositBusinessType.INTEREST_PAYOUT,
                           reference=f"deposit:{deposit.pk}", memo=memo)
    deposit_receipt(entry_id=entry_id, sub_account=to, direction=ReceiptDirection.CREDIT,
                 amount=amount, payer=(INTEREST_PAYER, "", to.medium.branch.name),
                 payee=deposit_party(to), purpose=memo,
                 business=DepositBusinessType.INTEREST_PAYOUT.label, channel=channel)
    deposit.payouts_made = number
    deposit.interest_paid += amount
    deposit.save(update_fields=["payouts_made", "interest_paid"])
    audit_record(action="deposits.payout_paid", channel="batch",
                 customer_id=deposit.sub_account.medium.customer_id,
                 object_ref=f"deposit:{deposit.pk}",
                 detail={"number": number, "day": day.isoformat(), "amount": str(amount)})


def payouts_catch_up(deposit: Deposit, until: date, expense_id: int | None = None,
                     channel: str = BATCH) -> int:
    """Pay every payout of ``deposit`` (locked) due on or before ``until`` not yet paid."""
    if expense_id is None:
        expense_id = bank_book_id(BankBook.INTEREST_EXPENSE)
    schedule = schedule_of(deposit)
    paid = 0
    while deposit.payouts_made < len(schedule):
        number = deposit.payouts_made + 1
        if payout_day(deposit, number) > until:
            break
        _payout_post(deposit, number, schedule[number - 1], expense_id, channel)
        paid += 1
    return paid


def payouts_run(business_date: date) -> int:
    """存本取息付息: every open 存本取息's payouts due on or before ``business_date``."""
    expense_id = bank_book_id(BankBook.INTEREST_EXPENSE)
    open_ones = Deposit.objects.filter(product=Product.INTEREST_PAYOUT, status=DepositStatus.OPEN,
                                       payout_frequency__in=list(PERIOD_MONTHS),
                                       value_date__lt=business_date)
    # Only the few with a payout due are locked (an online 支取 or 利息账户变更 of any other
    # goes on while the step runs); each is read again under its lock.
    due = [deposit.pk for deposit in open_ones.only(
               "pk", "value_date", "payout_frequency", "payouts_made", "term_months")
           if (day := next_payout_day(deposit)) is not None and day <= business_date]
    deposits = (open_ones.filter(pk__in=due).select_for_update(of=("self",))
                .select_related("sub_account__medium", "interest_account__medium__customer",
                                "interest_account__medium__branch").order_by("pk"))
    return sum(payouts_catch_up(deposit, business_date, expense_id) for deposit in deposits)


# --- 支取 (online) ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayoutQuote:
    principal: Decimal
    matured: bool
    days: int
    earned: Decimal         # early: what the days earned at 活期 on the principal
    clawback: Decimal       # early: paid above what was earned, taken from the principal
    top_up: Decimal         # early: earned above what was paid, paid as interest
    unpaid: Decimal         # at maturity: payouts still due (the nightly's, same keys)
    overdue: Decimal        # at maturity: overdue days at 活期
    current_rate: Decimal | None

    @property
    def kind_label(self) -> str:
        return "到期支取" if self.matured else "提前支取（销户）"

    @property
    def interest(self) -> Decimal:
        return self.top_up + self.unpaid + self.overdue

    @property
    def returned(self) -> Decimal:
        return self.principal - self.clawback


ZERO = Decimal("0.00")


def payout_quote(*, deposit: Deposit, on: date) -> PayoutQuote:
    principal = balance_of(deposit.sub_account)
    if deposit.matures_on is not None and on >= deposit.matures_on:
        schedule = schedule_of(deposit)
        unpaid = sum(schedule[deposit.payouts_made:], ZERO)
        overdue_days = days_between(deposit.matures_on, on)
        rate = current_rate(on) if overdue_days else None
        overdue = interest_by_days(principal, rate, overdue_days) if overdue_days else ZERO
        return PayoutQuote(principal, True, overdue_days, ZERO, ZERO, ZERO, unpaid, overdue, rate)
    days = days_between(deposit.value_date, on)
    rate = current_rate(on)
    earned = interest_by_days(principal, rate, days)
    clawback = interest_up_front_clawback(paid=deposit.interest_paid, principal=principal,
                                          days=days, current_rate=rate)
    top_up = max(earned - deposit.interest_paid, ZERO)
    return PayoutQuote(principal, False, days, earned, clawback, top_up, ZERO, ZERO, rate)


def payout_withdraw_post(*, user, deposit: Deposit, idempotency_key: str, on: date,
                         channel: str = ReceiptChannel.WEB):
    """存本取息支取 (全部) inside the caller's transaction, ``deposit`` locked by the caller."""
    quote = payout_quote(deposit=deposit, on=on)
    sub, main, to = deposit.sub_account, card_current_main(deposit.sub_account), deposit.interest_account
    expense_id = bank_book_id(BankBook.INTEREST_EXPENSE)
    if quote.matured:
        payouts_catch_up(deposit, deposit.matures_on, expense_id)
    interest_clawback(deposit=deposit, sub=sub, amount=quote.clawback, key=idempotency_key,
                      memo="存本取息提前支取利息扣回", channel=channel, expense_id=expense_id)
    business = DepositBusinessType.MATURITY if quote.matured else DepositBusinessType.WITHDRAW
    memo = f"存本取息{quote.kind_label}"
    _, receipt = transfer_with_receipts(
        payer=sub, payee=main, amount=quote.returned, key=f"{idempotency_key}:principal",
        business_type=business, reference=f"deposit:{deposit.pk}", memo=memo, channel=channel)
    extra = quote.top_up + quote.overdue
    interest_receipt = interest_post(deposit=deposit, to=to, interest=extra, key=idempotency_key,
                                     memo=f"存本取息利息（{quote.kind_label}）", channel=channel,
                                     expense_id=expense_id)
    deposit.interest_paid += extra
    deposit.interest_paid -= quote.clawback
    deposit.status, deposit.closed_on = DepositStatus.CLOSED, on
    deposit.save(update_fields=["interest_paid", "status", "closed_on"])
    sub_account_close(sub_account=sub, closed_on=on)
    audit_record(action="deposits.payout_withdraw", actor=user,
                 customer_id=sub.medium.customer_id, object_ref=f"deposit:{deposit.pk}",
                 detail={"principal": str(quote.principal), "clawback": str(quote.clawback),
                         "interest": str(quote.interest), "kind": quote.kind_label})
    return quote, receipt, interest_receipt


@transaction.atomic(durable=True)
def payout_withdraw(*, user, deposit_id, idempotency_key: str, on: date | None = None):
    from ebank.core.clock import business_day

    from ..interest_account import deposit_of_customer

    deposit = deposit_of_customer(customer=user.customer, product=Product.INTEREST_PAYOUT,
                                  pk=deposit_id, lock=True)
    return payout_withdraw_post(user=user, deposit=deposit, idempotency_key=idempotency_key,
                                on=on or business_day())


def payout_interest_today(*, deposit: Deposit, balance: Decimal, on: date) -> Decimal:
    """利息（至今日）of a 存本取息: the kept rate by days since the last payout day (what the
    next payout is accruing), 0 once closed."""
    if deposit.status != DepositStatus.OPEN or balance <= 0:
        return ZERO
    last = (payout_day(deposit, deposit.payouts_made) if deposit.payouts_made
            else deposit.value_date)
    end = min(on, deposit.matures_on) if deposit.matures_on else on
    return interest_by_days(balance, deposit.annual_rate, days_between(last, end))


def payout_lines(deposit: Deposit) -> list[tuple[str, str]]:
    lines = [("取息频率", deposit.get_payout_frequency_display() or "—"),
             ("已付息", f"{deposit.payouts_made}/{payouts_total(deposit)}期 "
                        f"{format_cny(deposit.interest_paid)}")]
    upcoming = next_payout_day(deposit)
    if upcoming and deposit.status == DepositStatus.OPEN:
        lines.append(("下次付息日", f"{upcoming:%Y-%m-%d}"))
    return lines

