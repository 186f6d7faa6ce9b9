"""通知存款 (DEP-NOTICE): 开户, 支取通知 / 取消通知 and 支取, every movement through the ledger
with its 电子回单 (the helpers of deposits.fixed).

The manual (智能存款 › 通知存款开户 / 通知存款支取) and DOMAIN-RULES §2 settle the rules; each note
is enforced here in its wording (the tests name them):

* 开户 only on a linked debit card, from that card's 活期主账户 (notes 1 and 3), 一天通知存款 or
  七天通知存款, at least 50,000 (note 2). The rate of the opening day is stored for display only:
  interest is 利随本清 at the rates of the **withdrawal** day (``interest.notice_interest``).
* 支取通知 (the manual has no page for it; the rule needs one): an amount (all of it, or a part
  leaving ≥ 50,000) and a 预约支取日 at least 1 (一天) or 7 (七天) days after the day the notice is
  given. One notice at a time; 取消通知 withdraws it (no money moves).
* 支取: full, or a part leaving ≥ 50,000 (note 1); no part on the opening day (note 3). A
  withdrawal on or after the notified day earns the product's rate of the withdrawal day on up to
  the notified amount (the notice is then used up); anything else — no notice, before the
  notified day, above the notified amount, a 七天 deposit held < 7 days — earns 活期 of that day
  (note 2). The two parts are posted as two interest entries (each rounded once, its own
  receipt line). A withdrawal before the notified day leaves the notice in place, cut to the
  balance left.

Public services are ``transaction.atomic(durable=True)``; the X-CONFIRM executors
(deposits/notice/operations.py) call the ``*_post`` functions inside their own transactions.
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
from ..interest import days_between, notice_interest
from ..models import Deposit, DepositRate, DepositStatus, Product
from ..rates import PRODUCT_MINIMUM, rate_on

# 一天 / 七天: the days of notice each product needs.
NOTICE_DAYS = {Product.NOTICE_1D: 1, Product.NOTICE_7D: 7}
MINIMUM = PRODUCT_MINIMUM[Product.NOTICE_7D]

# The manual's notes, in its words.
OPEN_NOTE_1 = "通知存款仅限在借记卡内开立"
OPEN_NOTE_2 = "通知存款只有开户交易，通知存款起存金额5万元"
OPEN_NOTE_3 = "借记卡卡内活期转出账号只能为该卡的活期主账号"
WITHDRAW_NOTE_1 = ("七天通知存款未到期的账户允许多次部分提前支取，但是部分提前支取后的余额不得小于5万元，"
                   "请全部支取")
WITHDRAW_NOTE_2 = fixed.WITHDRAW_NOTE_2  # 到期日前提前支取金额将按活期利息计息
WITHDRAW_NOTE_3 = "当日开立通知存款账户不允许做部分提前支取交易"
PRODUCT_UNKNOWN = "请选择通知存款品种"
DEPOSIT_UNKNOWN = "通知存款不存在或已销户"
NOTICE_EXISTS = "该通知存款已有支取通知，如需变更请先取消通知"
NOTICE_NONE = "该通知存款没有未使用的支取通知"
NOTICE_PARTIAL = "通知支取后的余额不得小于5万元，请通知全部支取"


def product_label(product: str) -> str:
    return Product(product).label


# --- 开户 -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeOpenPlan:
    source: SubAccount
    product: str
    amount: Decimal
    rate: DepositRate


def open_check(*, customer, from_sub_account_id, product, amount, on: date) -> NoticeOpenPlan:
    """The notes of 通知存款开户 (BusinessError in their words)."""
    if product not in NOTICE_DAYS:
        raise BusinessError(PRODUCT_UNKNOWN, code="product")
    amount = as_money(amount)
    if amount < MINIMUM:
        raise BusinessError(OPEN_NOTE_2, code="notice_open_note_2")
    try:
        source = fixed.source_account(customer=customer, sub_account_id=from_sub_account_id)
    except BusinessError as exc:
        if exc.code == "book_note_3":
            raise BusinessError(OPEN_NOTE_1, code="notice_open_note_1") from None
        if exc.code == "open_note_3":
            raise BusinessError(OPEN_NOTE_3, code="notice_open_note_3") from None
        raise
    if source.medium.kind != MediumKind.DEBIT_CARD:
        raise BusinessError(OPEN_NOTE_1, code="notice_open_note_1")
    fixed.funds_check(source, amount)
    rate = rate_on(product=product, term_months=0, day=on)
    return NoticeOpenPlan(source, product, amount, rate)


@dataclass(frozen=True)
class NoticeOpened:
    deposit: Deposit
    receipt: object


def notice_deposit_open(*, source: SubAccount, product: str, amount: Decimal, rate: DepositRate,
                        key: str, on: date, business: str, memo: str, value_date: date,
                        channel: str = ReceiptChannel.WEB, sweep=None) -> NoticeOpened:
    """A 通知存款 sub-account on the source's card, funded from ``source`` (the caller's
    transaction): the customer's 开户, or a 活期宝 sweep (``sweep``, business 活期宝归集)."""
    sub = sub_account_open(medium=source.medium, kind=SubAccountKind.NOTICE, opened_on=on)
    sub = SubAccount.objects.select_related("medium__customer", "medium__branch").get(pk=sub.pk)
    receipt, _ = fixed.transfer_with_receipts(
        payer=source, payee=sub, amount=amount, key=key,
        business_type=DepositBusinessType(business), reference=f"deposit:{sub.number}",
        memo=memo, channel=channel)
    deposit = Deposit.objects.create(
        sub_account=sub, product=product, term_months=0, principal=amount,
        annual_rate=rate.annual_rate, rate_row=rate, opened_on=on, value_date=value_date,
        interest_account=source, sweep=sweep)
    return NoticeOpened(deposit, receipt)


def notice_open_post(*, user, plan: NoticeOpenPlan, idempotency_key: str,
                     on: date) -> NoticeOpened:
    opened = notice_deposit_open(
        source=plan.source, product=plan.product, amount=plan.amount, rate=plan.rate,
        key=idempotency_key, on=on, business=DepositBusinessType.OPEN,
        memo=f"{product_label(plan.product)}开户", value_date=on)
    audit_record(action="deposits.notice_open", actor=user,
                 customer_id=plan.source.medium.customer_id,
                 object_ref=f"deposit:{opened.deposit.pk}",
                 detail={"amount": str(plan.amount), "product": plan.product,
                         "rate": str(plan.rate.annual_rate)})
    return opened


@transaction.atomic(durable=True)
def notice_open(*, user, from_sub_account_id, product, amount, idempotency_key: str
                ) -> NoticeOpened:
    """通知存款开户 without the confirmation page (demo data, tests of the rules)."""
    on = business_day()
    plan = open_check(customer=user.customer, from_sub_account_id=from_sub_account_id,
                      product=product, amount=amount, on=on)
    return notice_open_post(user=user, plan=plan, idempotency_key=idempotency_key, on=on)


# --- the customer's notice deposits -----------------------------------------------------------------


def deposit_for_customer(*, customer, pk, lock: bool = False) -> Deposit:
    """An open 通知存款 the customer opened (not a 活期宝 sweep) on a linked card; else
    BusinessError (the pages turn it into a 404 where the id is in the URL)."""
    pk = fixed.int_or_none(pk)
    query = Deposit.objects.select_related(
        "sub_account__medium__customer", "sub_account__medium__branch",
        "interest_account__medium__customer", "interest_account__medium__branch")
    if lock:
        query = query.select_for_update(of=("self",))
    deposit = query.filter(pk=pk, product__in=list(NOTICE_DAYS), sweep__isnull=True,
                           status=DepositStatus.OPEN,
                           sub_account__medium__customer=customer).first() if pk else None
    if deposit is None or not fixed.medium_linked(customer, deposit.sub_account.medium):
        raise BusinessError(DEPOSIT_UNKNOWN, code="deposit_unknown")
    return deposit


def notice_valid_on(deposit: Deposit, on: date) -> bool:
    """The notice may be used on ``on``: given, and its 预约支取日 reached."""
    return (deposit.notice_given_on is not None and deposit.notice_withdraw_on is not None
            and on >= deposit.notice_withdraw_on)


# --- 支取通知 / 取消通知 ------------------------------------------------------------------------------


def earliest_withdraw_day(deposit: Deposit, on: date) -> date:
    return on + timedelta(days=NOTICE_DAYS[deposit.product])


def notice_check(*, deposit: Deposit, balance: Decimal, amount, withdraw_on: date | None,
                 on: date) -> Decimal:
    """A notice of ``amount`` for ``withdraw_on``; returns the amount (BusinessError else)."""
    if deposit.notice_given_on is not None:
        raise BusinessError(NOTICE_EXISTS, code="notice_exists")
    amount = as_money(amount)
    if amount <= 0:
        raise BusinessError("请输入通知支取金额")
    if amount > balance:
        raise BusinessError(f"通知支取金额不能大于存款余额{format_cny(balance)}")
    if amount < balance and balance - amount < MINIMUM:
        raise BusinessError(NOTICE_PARTIAL, code="notice_partial")
    earliest = earliest_withdraw_day(deposit, on)
    if withdraw_on is None or withdraw_on < earliest:
        days = NOTICE_DAYS[deposit.product]
        raise BusinessError(f"{product_label(deposit.product)}须提前{days}天通知，预约支取日不得早于"
                            f"{earliest:%Y-%m-%d}", code="notice_days")
    return amount


def notice_give_post(*, user, deposit: Deposit, amount: Decimal, withdraw_on: date,
                     on: date) -> Deposit:
    deposit.notice_amount, deposit.notice_given_on = amount, on
    deposit.notice_withdraw_on = withdraw_on
    deposit.save(update_fields=["notice_amount", "notice_given_on", "notice_withdraw_on"])
    audit_record(action="deposits.notice_give", actor=user,
                 customer_id=deposit.sub_account.medium.customer_id,
                 object_ref=f"deposit:{deposit.pk}",
                 detail={"amount": str(amount), "withdraw_on": withdraw_on.isoformat()})
    return deposit


@transaction.atomic(durable=True)
def notice_give(*, user, deposit_id, amount, withdraw_on: date) -> Deposit:
    """支取通知 without the confirmation page (tests); the site goes through X-CONFIRM."""
    on = business_day()
    deposit = deposit_for_customer(customer=user.customer, pk=deposit_id, lock=True)
    amount = notice_check(deposit=deposit, balance=fixed.balance_of(deposit.sub_account),
                          amount=amount, withdraw_on=withdraw_on, on=on)
    return notice_give_post(user=user, deposit=deposit, amount=amount, withdraw_on=withdraw_on,
                            on=on)


def _notice_clear(deposit: Deposit) -> None:
    deposit.notice_amount = deposit.notice_given_on = deposit.notice_withdraw_on = None


@transaction.atomic(durable=True)
def notice_cancel(*, user, deposit_id) -> Deposit:
    """取消通知: a plain POST (no money moves), audited."""
    deposit = deposit_for_customer(customer=user.customer, pk=deposit_id, lock=True)
    if deposit.notice_given_on is None:
        raise BusinessError(NOTICE_NONE, code="notice_none")
    detail = {"amount": str(deposit.notice_amount),
              "withdraw_on": deposit.notice_withdraw_on.isoformat()}
    _notice_clear(deposit)
    deposit.save(update_fields=["notice_amount", "notice_given_on", "notice_withdraw_on"])
    audit_record(action="deposits.notice_cancel", actor=user,
                 customer_id=deposit.sub_account.medium.customer_id,
                 object_ref=f"deposit:{deposit.pk}", detail=detail)
    return deposit


# --- 支取 -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeQuote:
    """What taking ``amount`` out on a day earns: ``noticed`` of it under a valid notice at the
    product's rate of that day, the rest at 活期 of that day."""

    amount: Decimal
    full: bool
    days: int
    noticed: Decimal
    notice_rate: Decimal | None
    current_rate: Decimal | None
    noticed_interest: Decimal
    current_interest: Decimal

    @property
    def interest(self) -> Decimal:
        return self.noticed_interest + self.current_interest

    @property
    def kind_label(self) -> str:
        return "全部支取（销户）" if self.full else "部分支取"


ZERO = Decimal("0.00")


def _notice_rate(product: str, on: date) -> Decimal:
    return rate_on(product=product, term_months=0, day=on).annual_rate


def withdraw_quote(*, deposit: Deposit, balance: Decimal, amount, on: date) -> NoticeQuote:
    """The interest of taking ``amount`` out of ``deposit`` (holding ``balance``) on ``on``;
    refuses (BusinessError, the manual's words) what the notes do not allow."""
    amount = as_money(amount)
    if amount <= 0:
        raise BusinessError("请输入支取金额")
    if amount > balance:
        raise BusinessError(f"支取金额不能大于存款余额{format_cny(balance)}")
    full = amount == balance
    if not full:
        if deposit.opened_on == on:
            raise BusinessError(WITHDRAW_NOTE_3, code="notice_withdraw_note_3")
        if balance - amount < MINIMUM:
            raise BusinessError(WITHDRAW_NOTE_1, code="notice_withdraw_note_1")
    days = days_between(deposit.value_date, on)
    if not days:
        return NoticeQuote(amount, full, 0, ZERO, None, None, ZERO, ZERO)
    noticed = min(amount, deposit.notice_amount) if notice_valid_on(deposit, on) else ZERO
    rates = {"notice_rate": _notice_rate(deposit.product, on),
             "current_rate": fixed.current_rate(on)}
    common = {"notice_days": NOTICE_DAYS[deposit.product], "opened_on": deposit.value_date,
              "withdrawn_on": on, **rates}
    noticed_interest = (notice_interest(principal=noticed, notice_given_on=deposit.notice_given_on,
                                        **common) if noticed else ZERO)
    rest = amount - noticed
    current_interest = (notice_interest(principal=rest, notice_given_on=None, **common)
                        if rest else ZERO)
    return NoticeQuote(amount, full, days, noticed, rates["notice_rate"], rates["current_rate"],
                       noticed_interest, current_interest)


def interest_to_date(*, deposit: Deposit, balance: Decimal, on: date) -> Decimal:
    """利息（至今日）on the pages: what taking it all out today would earn (利随本清)."""
    if deposit.status != DepositStatus.OPEN or balance <= 0:
        return ZERO
    try:
        return withdraw_quote(deposit=deposit, balance=balance, amount=balance, on=on).interest
    except BusinessError:
        return ZERO


@dataclass(frozen=True)
class NoticeWithdrawn:
    deposit: Deposit
    quote: NoticeQuote
    receipt: object
    interest_receipts: tuple


def notice_withdraw_post(*, user, deposit: Deposit, amount, idempotency_key: str, on: date,
                         channel: str = ReceiptChannel.WEB) -> NoticeWithdrawn:
    """支取 inside the caller's transaction, ``deposit`` locked by the caller."""
    balance = fixed.balance_of(deposit.sub_account)
    quote = withdraw_quote(deposit=deposit, balance=balance, amount=amount, on=on)
    sub, to = deposit.sub_account, deposit.interest_account
    name = product_label(deposit.product)
    memo = f"{name}{quote.kind_label}"
    business = DepositBusinessType.WITHDRAW
    _, receipt = fixed.transfer_with_receipts(
        payer=sub, payee=to, amount=quote.amount, key=f"{idempotency_key}:principal",
        business_type=business, reference=f"deposit:{deposit.pk}", memo=memo, channel=channel)
    receipts = []
    for part, key, label in ((quote.noticed_interest, "notice", "通知利率"),
                             (quote.current_interest, "current", "活期利率")):
        posted = fixed.interest_post(deposit=deposit, to=to, interest=part,
                                     key=f"{idempotency_key}:{key}",
                                     memo=f"{name}利息（{label}）", channel=channel)
        if posted is not None:
            receipts.append(posted)
    deposit.interest_paid += quote.interest
    update = ["interest_paid", "notice_amount", "notice_given_on", "notice_withdraw_on"]
    if quote.noticed:
        _notice_clear(deposit)  # the notice is used up
    elif deposit.notice_amount is not None and deposit.notice_amount > balance - quote.amount:
        deposit.notice_amount = balance - quote.amount
        if deposit.notice_amount <= 0:
            _notice_clear(deposit)
    if quote.full:
        _notice_clear(deposit)
        deposit.status, deposit.closed_on = DepositStatus.CLOSED, on
        update += ["status", "closed_on"]
        sub_account_close(sub_account=sub, closed_on=on)
    deposit.save(update_fields=update)
    audit_record(action="deposits.notice_withdraw", actor=user,
                 customer_id=sub.medium.customer_id, object_ref=f"deposit:{deposit.pk}",
                 detail={"amount": str(quote.amount), "interest": str(quote.interest),
                         "noticed": str(quote.noticed), "kind": quote.kind_label})
    return NoticeWithdrawn(deposit, quote, receipt, tuple(receipts))


@transaction.atomic(durable=True)
def notice_withdraw(*, user, deposit_id, amount, idempotency_key: str) -> NoticeWithdrawn:
    """通知存款支取 without the confirmation page (tests)."""
    deposit = deposit_for_customer(customer=user.customer, pk=deposit_id, lock=True)
    return notice_withdraw_post(user=user, deposit=deposit, amount=amount,
                                idempotency_key=idempotency_key, on=business_day())


def notice_deposits_for_customer(*, customer) -> list[Deposit]:
    """The customer's open 通知存款 (not the 活期宝's) on linked cards, with their balances."""
    from accounts.models import LinkedMedium

    linked = LinkedMedium.objects.filter(customer=customer).values("medium_id")
    return list(Deposit.objects.filter(
        product__in=list(NOTICE_DAYS), sweep__isnull=True, status=DepositStatus.OPEN,
        sub_account__medium__customer=customer, sub_account__medium_id__in=linked)
        .select_related("sub_account__medium", "sub_account__ledger_account",
                        "interest_account__medium")
        .order_by("-opened_on", "-pk"))
