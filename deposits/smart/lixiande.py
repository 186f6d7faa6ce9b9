"""利先得 (DEP-LXD): a one-year time deposit whose interest for the whole term is paid to the
customer on opening (DOMAIN-RULES §2). Opened at the counter (利先得开户, a counter action:
deposits.smart.counter) — the manual has only 利先得支取 online.

* **Opening**: from a debit card's 活期主账户 into a 利先得 sub-account on the same card (定期开户,
  a 电子回单 on each side); the full-term interest P × rate × years is paid at once from the
  bank's 利息支出 book to that 活期 (利息, its own entry and receipt) and kept as
  ``Deposit.interest_paid``. Minimum 50 (rates.PRODUCT_MINIMUM: the rules give none).
* **支取** (online, X-CONFIRM; full only — decision, the manual names no partial withdrawal):
  before maturity the interest paid is taken back less what the days earned at 活期
  (interest.interest_up_front_clawback) — 利息扣回, debited from the deposit itself before the
  principal is returned, so it never depends on the 活期's balance — and the rest of the
  principal goes back to the 活期 (定期支取); at or after maturity the principal (到期支取) plus
  the overdue days at 活期 (利息). No nightly step: a matured 利先得 waits for 支取.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from accounts.models import (
    MediumKind,
    MediumStatus,
    SubAccount,
    SubAccountKind,
    SubAccountStatus,
)
from accounts.receipts.services import ReceiptChannel
from accounts.services import sub_account_close, sub_account_open
from ebank.core.audit import audit_record
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.money import as_money, format_cny

from .. import fixed
from ..business_types import DepositBusinessType
from ..interest import (
    add_months,
    days_between,
    interest_by_days,
    interest_full_term,
    interest_up_front_clawback,
)
from ..models import Deposit, DepositStatus, MaturityOption, Product
from ..rates import PRODUCT_MINIMUM, PRODUCT_TERMS, rate_on

PRODUCT = Product.LIXIANDE
TERM_MONTHS = PRODUCT_TERMS[PRODUCT][0]
MINIMUM = PRODUCT_MINIMUM[PRODUCT]
MINIMUM_MESSAGE = f"利先得起存金额{MINIMUM}元"
CARD_ONLY = "利先得须从借记卡的活期主账户存入"
EARLY_NOTE = "到期日前支取，开户时已付的利息扣除按活期利率计算的存期利息后扣回，再返还本金"


# --- opening (at the counter) --------------------------------------------------------------------


@dataclass(frozen=True)
class LixiandeOpened:
    deposit: Deposit
    receipt: object
    interest_receipt: object
    interest: Decimal


def card_main_check(main: SubAccount, customer) -> SubAccount:
    if main.medium.customer_id != customer.pk:
        raise BusinessError("该卡（账户）不属于该客户")
    if main.medium.kind != MediumKind.DEBIT_CARD or main.kind != SubAccountKind.CURRENT_MAIN:
        raise BusinessError(CARD_ONLY)
    if main.medium.status != MediumStatus.NORMAL or main.status != SubAccountStatus.OPEN:
        raise BusinessError(f"该卡（账户）状态为{main.medium.get_status_display()}，不能办理")
    return main


def lixiande_open_post(*, customer, main: SubAccount, amount, on: date, idempotency_key: str,
                       channel: str = ReceiptChannel.COUNTER) -> LixiandeOpened:
    """Open a 利先得 from ``main`` (a debit card's 活期主账户) and pay its full-term interest,
    inside the caller's transaction."""
    main = card_main_check(main, customer)
    amount = as_money(amount)
    if amount < MINIMUM:
        raise BusinessError(MINIMUM_MESSAGE)
    rate = rate_on(product=PRODUCT, term_months=TERM_MONTHS, day=on)
    fixed.funds_check(main, amount)
    sub = sub_account_open(medium=main.medium, kind=SubAccountKind.FIXED_LUMP_SUM, opened_on=on)
    sub = SubAccount.objects.select_related("medium__customer", "medium__branch").get(pk=sub.pk)
    memo = "利先得一年开户"
    receipt, _ = fixed.transfer_with_receipts(
        payer=main, payee=sub, amount=amount, key=idempotency_key,
        business_type=DepositBusinessType.OPEN, reference=f"deposit:{sub.number}", memo=memo,
        channel=channel)
    deposit = Deposit.objects.create(
        sub_account=sub, product=PRODUCT, term_months=TERM_MONTHS, principal=amount,
        annual_rate=rate.annual_rate, rate_row=rate, opened_on=on, value_date=on,
        matures_on=add_months(on, TERM_MONTHS), maturity_option=MaturityOption.TO_CURRENT,
        auto_rollover=False, rollover_with_interest=False, interest_account=main)
    interest = interest_full_term(amount, rate.annual_rate, TERM_MONTHS)
    interest_receipt = fixed.interest_post(deposit=deposit, to=main, interest=interest,
                                           key=idempotency_key, memo="利先得利息（开户时预付）",
                                           channel=channel)
    deposit.interest_paid = interest
    deposit.save(update_fields=["interest_paid"])
    return LixiandeOpened(deposit, receipt, interest_receipt, interest)


# --- 支取 -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LixiandeQuote:
    principal: Decimal
    matured: bool
    days: int
    current_rate: Decimal | None
    clawback: Decimal       # 利息扣回 (early only)
    overdue: Decimal        # overdue days at 活期 (after maturity only)

    @property
    def kind_label(self) -> str:
        return "到期支取" if self.matured else "提前支取（销户）"

    @property
    def returned(self) -> Decimal:
        """What reaches the 活期: the principal less the clawback, plus overdue interest."""
        return self.principal - self.clawback + self.overdue


def withdraw_quote(*, deposit: Deposit, balance: Decimal, on: date) -> LixiandeQuote:
    matured = on >= deposit.matures_on
    if matured:
        days = days_between(deposit.matures_on, on)
        rate = fixed.current_rate(on) if days else None
        overdue = interest_by_days(balance, rate, days) if days else Decimal("0.00")
        return LixiandeQuote(balance, True, days, rate, Decimal("0.00"), overdue)
    days = days_between(deposit.value_date, on)
    rate = fixed.current_rate(on)
    clawback = interest_up_front_clawback(paid=deposit.interest_paid, principal=balance,
                                          days=days, current_rate=rate)
    return LixiandeQuote(balance, False, days, rate, clawback, Decimal("0.00"))


def deposit_for_customer(*, customer, pk, lock: bool = False) -> Deposit:
    return fixed.deposit_for_customer(customer=customer, pk=pk, lock=lock, product=PRODUCT)


@dataclass(frozen=True)
class LixiandeWithdrawn:
    deposit: Deposit
    quote: LixiandeQuote
    receipt: object
    clawback_receipt: object
    interest_receipt: object


def withdraw_post(*, user, deposit: Deposit, idempotency_key: str, on: date,
                  channel: str = ReceiptChannel.WEB) -> LixiandeWithdrawn:
    """利先得支取 inside the caller's transaction, ``deposit`` locked by the caller; the nightly
    利先得到期处理 pays a matured one out the same way (``channel`` 批量处理, no user)."""
    sub, to = deposit.sub_account, deposit.interest_account
    quote = withdraw_quote(deposit=deposit, balance=fixed.balance_of(sub), on=on)
    reference = f"deposit:{deposit.pk}"
    clawback_receipt = fixed.interest_clawback(
        deposit=deposit, sub=sub, amount=quote.clawback, key=idempotency_key,
        memo="利先得提前支取利息扣回", channel=channel)
    business = DepositBusinessType.MATURITY if quote.matured else DepositBusinessType.WITHDRAW
    memo = f"利先得{quote.kind_label}"
    back = quote.principal - quote.clawback
    _, receipt = fixed.transfer_with_receipts(
        payer=sub, payee=to, amount=back, key=f"{idempotency_key}:principal",
        business_type=business, reference=reference, memo=memo, channel=channel)
    interest_receipt = fixed.interest_post(deposit=deposit, to=to, interest=quote.overdue,
                                           key=idempotency_key, memo="利先得逾期利息",
                                           channel=channel)
    deposit.interest_paid += quote.overdue - quote.clawback
    deposit.status, deposit.closed_on = DepositStatus.CLOSED, on
    deposit.save(update_fields=["interest_paid", "status", "closed_on"])
    sub_account_close(sub_account=sub, closed_on=on)
    audit_record(action="deposits.lixiande_withdraw", actor=user,
                 customer_id=sub.medium.customer_id, object_ref=reference,
                 channel="web" if user is not None else "batch",
                 detail={"principal": str(quote.principal), "clawback": str(quote.clawback),
                         "overdue": str(quote.overdue), "kind": quote.kind_label})
    return LixiandeWithdrawn(deposit, quote, receipt, clawback_receipt, interest_receipt)


def lixiande_maturities_run(business_date: date) -> int:
    """利先得到期处理 (nightly): each open 利先得 maturing on or before ``business_date`` pays its
    principal back to the 活期 it came from, on its own maturity day — the interest was paid
    at opening, so there is nothing to roll or to add. Keyed by deposit: a rerun finds it
    closed and a resume after a kill posts nothing twice."""
    deposits = (Deposit.objects.select_for_update(of=("self",))
                .select_related("sub_account__medium__customer", "sub_account__medium__branch",
                                "interest_account__medium__customer",
                                "interest_account__medium__branch")
                .filter(product=PRODUCT, status=DepositStatus.OPEN,
                        matures_on__lte=business_date).order_by("pk"))
    count = 0
    for deposit in deposits:
        withdraw_post(user=None, deposit=deposit, idempotency_key=f"lixiande:maturity:{deposit.pk}",
                      on=deposit.matures_on, channel=ReceiptChannel.BATCH)
        count += 1
    return count


@transaction.atomic(durable=True)
def lixiande_withdraw(*, user, deposit_id, idempotency_key: str) -> LixiandeWithdrawn:
    """利先得支取 without the confirmation page (tests); the site goes through X-CONFIRM."""
    deposit = deposit_for_customer(customer=user.customer, pk=deposit_id, lock=True)
    return withdraw_post(user=user, deposit=deposit, idempotency_key=idempotency_key,
                         on=business_day())


# --- 我的定期存款 / 账户总览 (deposits.product_facts) ----------------------------------------------


def interest_to_date(*, deposit: Deposit, balance: Decimal, on: date) -> Decimal:
    """利息（至今日）of a 利先得: its interest was paid at opening, so nothing more is due
    before maturity; past maturity the overdue days at 活期."""
    if deposit.status != DepositStatus.OPEN or on < deposit.matures_on:
        return Decimal("0.00")
    days = days_between(deposit.matures_on, on)
    try:
        return interest_by_days(balance, fixed.current_rate(on), days) if days else Decimal(
            "0.00")
    except BusinessError:
        return Decimal("0.00")


def facts_lines(deposit: Deposit) -> list[tuple[str, str]]:
    return [("开户时已付利息", format_cny(deposit.interest_paid))]
