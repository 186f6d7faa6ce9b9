"""零存整取: opening, 续存 (one month's fixed amount), withdrawal (销户 / 到期支取) and 违约,
every movement through the ledger with its 电子回单 (deposits.fixed's helpers).

The manual (卡内活期转定期, 卡内定期转活期, 零存整取存折续存) and DOMAIN-RULES §2:

* Opening on a linked debit card from its 活期主账号 (卡内活期转定期 notes 1–4): terms 1y, 3y,
  5y; a fixed monthly amount ≥ 5, the first deposit being the first month's; the 零存整取 rate in
  force that day is kept.
* Months: month k runs from ``add_months(开户日, k − 1)`` to the day before
  ``add_months(开户日, k)``. A 续存 is exactly the monthly amount and pays the earliest month
  still payable: last month's when it was missed (补存, "a missed month may be made up in the next
  month"), else this month's; a month already paid refuses a second one.
* 违约: two consecutive months both unpaid once both have ended — no further deposits; each
  deposit then earns the kept rate for its own days to maturity, rounded once.
* Withdrawal is always whole (卡内定期转活期 note 1: no 部分提前支取 for 零存整取): before
  maturity 销户 — every deposit earns 活期 (the day's rate) for its days (note 2), warned when
  maturity is < 10 days away (note 3); at or after maturity 到期支取 — monthly × n(n+1)/2 ×
  rate/12 when every month was paid and it is not 违约, else by days at the kept rate; overdue
  days at the 活期 rate of the withdrawal day. No 自动转存: a matured 零存整取 waits.
"""

from dataclasses import dataclass
from datetime import date, timedelta
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
from ..fixed import (
    CLOSE_WARNING_DAYS,
    balance_of,
    current_rate,
    funds_check,
    int_or_none,
    interest_post,
    source_account,
    transfer_with_receipts,
)
from ..interest import (
    add_months,
    days_between,
    interest_by_days,
    interest_instalment_at_maturity,
    interest_instalments_by_days,
)
from ..models import Deposit, DepositRate, DepositStatus, Instalment, Product
from ..rates import PRODUCT_MINIMUM, PRODUCT_TERMS, rate_on, term_text

PRODUCT = Product.INSTALMENT
MINIMUM = PRODUCT_MINIMUM[PRODUCT]
TERMS = {months: term_text(months) for months in PRODUCT_TERMS[PRODUCT]}
PASSBOOK_KINDS = (MediumKind.CURRENT_PASSBOOK, MediumKind.CURRENT_ONEBOOK)

# The manual's notes and the rules' refusals, in Chinese.
OPEN_NOTE_2 = ("零存整取可以选择开户或者续存，选择续存时，客户可以选择本卡下已开立的零存整取账号")
OPEN_NOTE_4 = "零存整取起存金额5元"
CARD_ONLY = "卡内活期转定期：转出账号只能为借记卡的活期主账号"
WITHDRAW_NOTE_1 = "零存整取只能办理销户（提前全部支取）或到期支取，不能部分提前支取"
TERM_UNKNOWN = "请选择存期"
DEPOSIT_UNKNOWN = "零存整取账户不存在或已销户，请重新选择"
NOT_ON_CARD = "续存的零存整取账号须为本卡下已开立的零存整取账号"
NOT_ON_PASSBOOK = "请选择存折（活期存折、活期一本通）上的零存整取账号"
TOP_UP_AMOUNT = "零存整取续存金额须与每月存额{amount}一致"
TOP_UP_DEFAULTED = "该零存整取已违约（连续两个月未存入），不能再续存"
TOP_UP_MATURED = "该零存整取已到期，不能续存，请办理到期支取"
TOP_UP_PAID = "本月已存入，请于下月续存"


# --- months and 违约 -------------------------------------------------------------------------------


def month_of(deposit: Deposit, on: date) -> int:
    """The month ``on`` falls in (1 … term); term + 1 at or after maturity."""
    month = 1
    while month <= deposit.term_months and add_months(deposit.opened_on, month) <= on:
        month += 1
    return month


def instalment_rows(deposit: Deposit) -> list[tuple[int, date, Decimal]]:
    """(month, day, amount) of each deposit made, by month — one read, or none when the caller
    prefetched ``instalments`` (a page of many: deposits.product_facts)."""
    return [(row.month, row.paid_on, row.amount) for row in deposit.instalments.all()]


def paid_months(deposit: Deposit) -> set[int]:
    return {month for month, _day, _amount in instalment_rows(deposit)}


def missed_twice(deposit: Deposit, paid: set[int], on: date) -> bool:
    """Two consecutive months both unpaid, both ended before ``on`` (违约)."""
    ended = min(month_of(deposit, on) - 1, deposit.term_months)
    return any(month not in paid and month + 1 not in paid for month in range(1, ended))


def is_defaulted(deposit: Deposit, on: date, paid: set[int] | None = None) -> bool:
    if deposit.defaulted:
        return True
    return missed_twice(deposit, paid_months(deposit) if paid is None else paid, on)


def month_to_pay(deposit: Deposit, on: date, paid: set[int]) -> tuple[int, bool]:
    """(month, made_up) a 续存 on ``on`` pays; BusinessError when none may be paid."""
    current = month_of(deposit, on)
    if current > deposit.term_months:
        raise BusinessError(TOP_UP_MATURED, code="matured")
    if is_defaulted(deposit, on, paid):
        raise BusinessError(TOP_UP_DEFAULTED, code="defaulted")
    if current > 1 and current - 1 not in paid:
        return current - 1, True
    if current not in paid:
        return current, False
    raise BusinessError(TOP_UP_PAID, code="paid")


# --- opening ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenPlan:
    source: SubAccount
    term_months: int
    monthly: Decimal
    rate: DepositRate


def open_check(*, customer, from_sub_account_id, term_months, amount, on: date) -> OpenPlan:
    """卡内活期转定期 (储种 零存整取, 开户): notes 3 and 4, the term, the balance, the rate."""
    term = int_or_none(term_months)
    if term not in TERMS:
        raise BusinessError(TERM_UNKNOWN, code="term")
    monthly = as_money(amount)
    if monthly < MINIMUM:
        raise BusinessError(OPEN_NOTE_4, code="open_note_4")
    source = source_account(customer=customer, sub_account_id=from_sub_account_id)
    if source.medium.kind != MediumKind.DEBIT_CARD:
        raise BusinessError(CARD_ONLY, code="open_note_3")
    funds_check(source, monthly)
    rate = rate_on(product=PRODUCT, term_months=term, day=on)
    return OpenPlan(source, term, monthly, rate)


@dataclass(frozen=True)
class Done:
    deposit: Deposit
    instalment: Instalment
    receipt: object


def _pay_in(*, user, deposit: Deposit, source: SubAccount, month: int, made_up: bool,
            key: str, on: date, business: DepositBusinessType, memo: str,
            channel: str) -> Done:
    sub = deposit.sub_account
    receipt, _ = transfer_with_receipts(
        payer=source, payee=sub, amount=deposit.monthly_amount, key=key, business_type=business,
        reference=f"deposit:{deposit.pk}", memo=memo, channel=channel)
    instalment = Instalment.objects.create(deposit=deposit, month=month, paid_on=on,
                                           amount=deposit.monthly_amount, made_up=made_up)
    return Done(deposit, instalment, receipt)


def open_post(*, user, plan: OpenPlan, idempotency_key: str, on: date, target=None,
              channel: str = ReceiptChannel.WEB) -> Done:
    """Open the 零存整取 of ``plan`` inside the caller's transaction: on the card itself, or on
    ``target`` (a passbook, for the bank's own demo data / counter). The first deposit is month 1."""
    medium = target or plan.source.medium
    sub = sub_account_open(medium=medium, kind=SubAccountKind.FIXED_INSTALMENT, opened_on=on)
    sub = SubAccount.objects.select_related("medium__customer", "medium__branch").get(pk=sub.pk)
    deposit = Deposit.objects.create(
        sub_account=sub, product=PRODUCT, term_months=plan.term_months, principal=plan.monthly,
        annual_rate=plan.rate.annual_rate, rate_row=plan.rate, opened_on=on, value_date=on,
        matures_on=add_months(on, plan.term_months), monthly_amount=plan.monthly,
        instalments_made=1, interest_account=plan.source)
    done = _pay_in(user=user, deposit=deposit, source=plan.source, month=1, made_up=False,
                   key=idempotency_key, on=on, business=DepositBusinessType.OPEN,
                   memo=f"零存整取{term_text(plan.term_months)}开户", channel=channel)
    audit_record(action="deposits.instalment_open", actor=user,
                 customer_id=medium.customer_id, object_ref=f"deposit:{deposit.pk}",
                 channel="web" if channel == ReceiptChannel.WEB else "batch",
                 detail={"monthly": str(plan.monthly), "term_months": plan.term_months,
                         "rate": str(plan.rate.annual_rate)})
    return done


@transaction.atomic(durable=True)
def instalment_open(*, user, from_sub_account_id, term_months, amount,
                    idempotency_key: str) -> Done:
    """零存整取开户 without the confirmation page (tests); the site goes through X-CONFIRM."""
    on = business_day()
    plan = open_check(customer=user.customer, from_sub_account_id=from_sub_account_id,
                      term_months=term_months, amount=amount, on=on)
    return open_post(user=user, plan=plan, idempotency_key=idempotency_key, on=on)


# --- 续存 ------------------------------------------------------------------------------------------


def deposit_for_customer(*, customer, pk, lock: bool = False) -> Deposit:
    """An open 零存整取 of the customer's on a linked medium; else BusinessError."""
    return fixed.deposit_for_customer(customer=customer, pk=pk, lock=lock, product=PRODUCT,
                                      unknown=DEPOSIT_UNKNOWN)


@dataclass(frozen=True)
class TopUpPlan:
    deposit: Deposit
    source: SubAccount
    month: int
    made_up: bool


def top_up_check(*, customer, deposit_id, from_sub_account_id, amount, on: date,
                 passbook: bool, lock: bool = False) -> TopUpPlan:
    """续存: on the card (卡内, from that card's 活期主账号 — note 3) or on a passbook
    (零存整取存折续存, from any linked 借记卡 / 活期存折 / 活期一本通's 活期主账户)."""
    deposit = deposit_for_customer(customer=customer, pk=deposit_id, lock=lock)
    medium = deposit.sub_account.medium
    source = source_account(customer=customer, sub_account_id=from_sub_account_id)
    if passbook:
        if medium.kind not in PASSBOOK_KINDS:
            raise BusinessError(NOT_ON_PASSBOOK, code="not_on_passbook")
    else:
        if source.medium.kind != MediumKind.DEBIT_CARD:
            raise BusinessError(CARD_ONLY, code="open_note_3")
        if medium.pk != source.medium_id:
            raise BusinessError(NOT_ON_CARD, code="open_note_2")
    monthly = deposit.monthly_amount
    if as_money(amount) != monthly:
        raise BusinessError(TOP_UP_AMOUNT.format(amount=format_cny(monthly)), code="amount")
    month, made_up = month_to_pay(deposit, on, paid_months(deposit))
    funds_check(source, monthly)
    return TopUpPlan(deposit, source, month, made_up)


def top_up_post(*, user, plan: TopUpPlan, idempotency_key: str, on: date) -> Done:
    """续存 inside the caller's transaction (the deposit locked by ``top_up_check(lock=True)``)."""
    deposit = plan.deposit
    memo = f"零存整取续存（第{plan.month}期{'，补存' if plan.made_up else ''}）"
    done = _pay_in(user=user, deposit=deposit, source=plan.source, month=plan.month,
                   made_up=plan.made_up, key=idempotency_key, on=on,
                   business=DepositBusinessType.TOP_UP, memo=memo, channel=ReceiptChannel.WEB)
    deposit.instalments_made += 1
    deposit.principal += deposit.monthly_amount
    deposit.save(update_fields=["instalments_made", "principal"])
    audit_record(action="deposits.instalment_top_up", actor=user,
                 customer_id=deposit.sub_account.medium.customer_id,
                 object_ref=f"deposit:{deposit.pk}",
                 detail={"month": plan.month, "made_up": plan.made_up,
                         "amount": str(deposit.monthly_amount)})
    return done


@transaction.atomic(durable=True)
def instalment_top_up(*, user, deposit_id, from_sub_account_id, amount, idempotency_key: str,
                      passbook: bool = False) -> Done:
    on = business_day()
    plan = top_up_check(customer=user.customer, deposit_id=deposit_id,
                        from_sub_account_id=from_sub_account_id, amount=amount, on=on,
                        passbook=passbook, lock=True)
    return top_up_post(user=user, plan=plan, idempotency_key=idempotency_key, on=on)


# --- interest and withdrawal ---------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    """What a whole withdrawal of ``deposit`` on ``on`` earns."""

    amount: Decimal
    matured: bool
    full_term: bool          # monthly × n(n+1)/2 × rate/12 (every month paid, not 违约)
    defaulted: bool
    regular: Decimal         # 到期支取: the kept rate (formula or by days); 销户: 活期 by days
    overdue: Decimal
    rate: Decimal | None     # the rate ``regular`` was reckoned at
    overdue_days: int

    @property
    def interest(self) -> Decimal:
        return self.regular + self.overdue

    @property
    def kind_label(self) -> str:
        return "到期支取" if self.matured else "销户（提前全部支取）"


def _paid(deposit: Deposit) -> list[tuple[date, Decimal]]:
    return [(day, amount) for _month, day, amount in instalment_rows(deposit)]


def withdraw_quote(*, deposit: Deposit, balance: Decimal, on: date) -> Quote:
    made = instalment_rows(deposit)
    rows = [(day, amount) for _month, day, amount in made]
    paid = {month for month, _day, _amount in made}
    defaulted = is_defaulted(deposit, min(on, deposit.matures_on), paid)
    if on < deposit.matures_on:
        rate = current_rate(on)
        return Quote(balance, False, False, defaulted,
                     interest_instalments_by_days(rows, on, rate), Decimal("0.00"), rate, 0)
    full_term = not defaulted and len(paid) == deposit.term_months
    if full_term:
        regular = interest_instalment_at_maturity(deposit.monthly_amount, deposit.term_months,
                                                  deposit.annual_rate)
    else:
        regular = interest_instalments_by_days(rows, deposit.matures_on, deposit.annual_rate)
    overdue_days = days_between(deposit.matures_on, on)
    overdue = (interest_by_days(balance, current_rate(on), overdue_days) if overdue_days
               else Decimal("0.00"))
    return Quote(balance, True, full_term, defaulted, regular, overdue, deposit.annual_rate,
                 overdue_days)


def close_warning(deposit: Deposit, on: date) -> bool:
    """Note 3: a 销户 less than 10 days before maturity is warned."""
    return on < deposit.matures_on and (deposit.matures_on - on).days < CLOSE_WARNING_DAYS


def withdraw_post(*, user, deposit: Deposit, idempotency_key: str, on: date) -> fixed.Withdrawn:
    """销户 / 到期支取 inside the caller's transaction; ``deposit`` locked by the caller."""
    balance = balance_of(deposit.sub_account)
    quote = withdraw_quote(deposit=deposit, balance=balance, on=on)
    sub, to = deposit.sub_account, deposit.interest_account
    business = DepositBusinessType.MATURITY if quote.matured else DepositBusinessType.WITHDRAW
    memo = f"零存整取{quote.kind_label}"
    receipt = None
    if balance > 0:
        _, receipt = transfer_with_receipts(
            payer=sub, payee=to, amount=balance, key=f"{idempotency_key}:principal",
            business_type=business, reference=f"deposit:{deposit.pk}", memo=memo)
    interest_receipt = interest_post(deposit=deposit, to=to, interest=quote.interest,
                                      key=idempotency_key,
                                      memo=f"零存整取利息（{quote.kind_label}）")
    deposit.interest_paid += quote.interest
    deposit.status, deposit.closed_on = DepositStatus.CLOSED, on
    update = ["interest_paid", "status", "closed_on"]
    if quote.defaulted and not deposit.defaulted:
        deposit.defaulted = True
        update.append("defaulted")
    deposit.save(update_fields=update)
    sub_account_close(sub_account=sub, closed_on=on)
    audit_record(action="deposits.instalment_withdraw", actor=user,
                 customer_id=sub.medium.customer_id, object_ref=f"deposit:{deposit.pk}",
                 detail={"amount": str(balance), "interest": str(quote.interest),
                         "kind": quote.kind_label})
    # 整存整取's record of a withdrawal, holding this module's Quote.
    return fixed.Withdrawn(deposit, quote, receipt, interest_receipt)


@transaction.atomic(durable=True)
def instalment_withdraw(*, user, deposit_id, idempotency_key: str) -> fixed.Withdrawn:
    deposit = deposit_for_customer(customer=user.customer, pk=deposit_id, lock=True)
    return withdraw_post(user=user, deposit=deposit, idempotency_key=idempotency_key,
                         on=business_day())


# --- pages' facts (deposits.product_facts) ---------------------------------------------------------


def interest_to_date(*, deposit: Deposit, balance: Decimal, on: date) -> Decimal:
    """利息（至今日）: before maturity each deposit at the kept rate for its days so far; at or
    after maturity what 到期支取 would pay today."""
    if deposit.status != DepositStatus.OPEN or balance <= 0:
        return Decimal("0.00")
    if on >= deposit.matures_on:
        try:
            return withdraw_quote(deposit=deposit, balance=balance, on=on).interest
        except BusinessError:  # no 活期 rate for the overdue days
            return Decimal("0.00")
    return interest_instalments_by_days(_paid(deposit), on, deposit.annual_rate)


def fact_lines(deposit: Deposit) -> list[tuple[str, str]]:
    lines = [("每月存额", format_cny(deposit.monthly_amount or Decimal("0"))),
             ("已存期数", f"{deposit.instalments_made}/{deposit.term_months}期")]
    if deposit.defaulted:
        lines.append(("违约", "已违约（连续两个月未存入，不能再续存）"))
    return lines


# --- the nightly step ----------------------------------------------------------------------------


def defaults_run(business_date: date) -> int:
    """违约检查: every open 零存整取 not yet 违约 whose two consecutive months have both ended
    unpaid by the end of ``business_date`` is marked 违约 (audit row on the batch channel).
    Matured ones are left to wait for 到期支取 (no 自动转存). Marking is idempotent: a rerun
    finds nothing new."""
    seen_from = business_date + timedelta(days=1)
    count = 0
    open_ones = Deposit.objects.filter(product=PRODUCT, status=DepositStatus.OPEN,
                                       defaulted=False, opened_on__lte=business_date)
    # Read every one's months in one query, unlocked; lock only those found in 违约 (a 续存 of
    # any other goes on while the step runs), and look again under the lock.
    candidates = [deposit.pk for deposit in open_ones.prefetch_related("instalments")
                  if missed_twice(deposit, paid_months(deposit), seen_from)]
    deposits = (open_ones.filter(pk__in=candidates).select_for_update(of=("self",))
                .select_related("sub_account__medium").order_by("pk"))
    for deposit in deposits:
        if missed_twice(deposit, paid_months(deposit), seen_from):
            deposit.defaulted = True
            deposit.save(update_fields=["defaulted"])
            audit_record(action="deposits.instalment_defaulted", channel="batch",
                         customer_id=deposit.sub_account.medium.customer_id,
                         object_ref=f"deposit:{deposit.pk}",
                         detail={"business_date": business_date.isoformat(),
                                 "instalments_made": deposit.instalments_made})
            count += 1
    return count
