"""大额存单 (DEP-CD): 开户 from a linked debit card's 活期主账户, 支取 (early → 活期 by days;
a partial leaves ≥ 200,000), and maturity paid out by the nightly step (order 215).

* **Rate**: a deposit keeps its issue's rate (``LargeCDProduct.annual_rate``) and the issue
  (``Deposit.cd_product``); it keeps no rate-table row (``Deposit.rate_row`` is empty): an issue
  is priced when head office creates it, not by the 存款利率表.
* **额度**: taken with ``deposits.cd.cd_quota_take`` inside the opening's transaction (the
  X-CONFIRM executor's): a refused or rolled-back opening takes nothing.
* **Minimum**: the issue's 起存金额, never below the individual rule of 200,000.
* **支取**: before maturity 销户 (full, 活期 by days) or 部分提前支取 (the part at 活期 by days,
  the rest keeps rate and maturity if ≥ 200,000, else 「请做销户处理」); no partial on the
  opening day, as 整存整取 (fixed.fixed_withdraw_post with ``CD_TERMS``). At or after maturity:
  全部支取 only (full term + overdue days at 活期), though the nightly step normally pays it out.
* Principal goes back to the card's 活期主账户; interest to the 利息账户 (the card's by default,
  changed through 利息账户变更), from 利息支出 with its own 电子回单.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from accounts.models import (
    MediumKind,
    SubAccount,
    SubAccountKind,
)
from accounts.receipts.services import ReceiptChannel
from accounts.services import sub_account_close, sub_account_open
from ebank.core.audit import audit_record
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.money import as_money, format_cny
from ebank.ledger.bank_books import BankBook, bank_book_id

from .. import fixed
from ..business_types import DepositBusinessType
from ..cd import NOT_ON_SALE, QUOTA_SHORT, cd_quota_take
from ..fixed import (
    WithdrawTerms,
    balance_of,
    card_current_main,
    fixed_withdraw_post,
    int_or_none,
    interest_post,
    transfer_with_receipts,
    withdraw_quote,
)
from ..interest import add_months, interest_full_term
from ..models import Deposit, DepositStatus, LargeCDProduct, Product
from ..rates import PRODUCT_MINIMUM

RULE_MINIMUM = PRODUCT_MINIMUM[Product.LARGE_CD]
CARD_ONLY = "大额存单仅限在借记卡内开立，转出账号只能为该卡的活期主账号"
PRODUCT_UNKNOWN = "请选择大额存单产品"
BELOW_MINIMUM = "大额存单起存金额为{minimum}"
PARTIAL_LEAVES = "大额存单部分提前支取后的余额不能小于20万元，请做销户处理"
EARLY_NOTE = fixed.WITHDRAW_NOTE_2  # 到期日前提前支取金额将按活期利息计息


def minimum_of(product: LargeCDProduct) -> Decimal:
    return max(product.minimum, RULE_MINIMUM)


@dataclass(frozen=True)
class CDOpenPlan:
    source: SubAccount
    product: LargeCDProduct
    amount: Decimal


def cd_open_check(*, customer, product_id, from_sub_account_id, amount, on: date) -> CDOpenPlan:
    """The rules of 大额存单开户 (BusinessError in Chinese); the 额度 is checked here for the page
    and taken only by ``cd_open_post``."""
    pk = int_or_none(product_id)
    product = LargeCDProduct.objects.filter(pk=pk).first() if pk else None
    if product is None:
        raise BusinessError(PRODUCT_UNKNOWN, code="product")
    if not product.sale_from <= on <= product.sale_to:
        raise BusinessError(NOT_ON_SALE, code="not_on_sale")
    amount = as_money(amount)
    if amount < minimum_of(product):
        raise BusinessError(BELOW_MINIMUM.format(minimum=format_cny(minimum_of(product))),
                            code="minimum")
    source = fixed.source_account(customer=customer, sub_account_id=from_sub_account_id)
    if source.medium.kind != MediumKind.DEBIT_CARD:
        raise BusinessError(CARD_ONLY, code="card_only")
    if amount > product.remaining:
        raise BusinessError(QUOTA_SHORT.format(remaining=format_cny(product.remaining)),
                            code="quota")
    fixed.funds_check(source, amount)
    return CDOpenPlan(source, product, amount)


def cd_open_post(*, user, plan: CDOpenPlan, idempotency_key: str, on: date):
    """Take the 额度 and open the 大额存单 on the card, inside the caller's transaction."""
    product = cd_quota_take(product_id=plan.product.pk, amount=plan.amount, day=on)
    card = plan.source.medium
    sub = sub_account_open(medium=card, kind=SubAccountKind.LARGE_CD, opened_on=on)
    sub = SubAccount.objects.select_related("medium__customer", "medium__branch").get(pk=sub.pk)
    memo = f"大额存单{product.code}开户"
    receipt, _ = transfer_with_receipts(
        payer=plan.source, payee=sub, amount=plan.amount, key=idempotency_key,
        business_type=DepositBusinessType.OPEN, reference=f"deposit:{sub.number}", memo=memo)
    deposit = Deposit.objects.create(
        sub_account=sub, product=Product.LARGE_CD, term_months=product.term_months,
        principal=plan.amount, annual_rate=product.annual_rate, rate_row=None,
        cd_product=product, opened_on=on, value_date=on,
        matures_on=add_months(on, product.term_months), interest_account=plan.source)
    audit_record(action="deposits.cd_open", actor=user, customer_id=card.customer_id,
                 object_ref=f"deposit:{deposit.pk}",
                 detail={"product": product.code, "amount": str(plan.amount),
                         "rate": str(product.annual_rate)})
    return deposit, receipt


@transaction.atomic(durable=True)
def cd_open(*, user, product_id, from_sub_account_id, amount, idempotency_key: str):
    """大额存单开户 without the confirmation page (tests); the site goes through X-CONFIRM."""
    on = business_day()
    plan = cd_open_check(customer=user.customer, product_id=product_id,
                         from_sub_account_id=from_sub_account_id, amount=amount, on=on)
    return cd_open_post(user=user, plan=plan, idempotency_key=idempotency_key, on=on)


# --- 支取 -----------------------------------------------------------------------------------------


CD_TERMS = WithdrawTerms(label="大额存单", minimum=RULE_MINIMUM, below_minimum=PARTIAL_LEAVES,
                         audit_action="deposits.cd_withdraw", principal_to_card=True)


def cd_quote(*, deposit: Deposit, balance: Decimal, amount: Decimal, on: date):
    return withdraw_quote(deposit=deposit, balance=balance, amount=amount, on=on,
                          minimum=CD_TERMS.minimum, below_minimum=CD_TERMS.below_minimum)


def cd_withdraw_post(*, user, deposit: Deposit, amount: Decimal, idempotency_key: str, on: date,
                     channel: str = ReceiptChannel.WEB):
    """支取 inside the caller's transaction, ``deposit`` locked by the caller: 整存整取's
    withdrawal with the 大额存单's terms (fixed.fixed_withdraw_post)."""
    return fixed_withdraw_post(user=user, deposit=deposit, amount=amount,
                               idempotency_key=idempotency_key, on=on, channel=channel,
                               terms=CD_TERMS)


@transaction.atomic(durable=True)
def cd_withdraw(*, user, deposit_id, amount, idempotency_key: str):
    from ..interest_account import deposit_of_customer

    deposit = deposit_of_customer(customer=user.customer, product=Product.LARGE_CD,
                                  pk=deposit_id, lock=True)
    return cd_withdraw_post(user=user, deposit=deposit, amount=as_money(amount),
                            idempotency_key=idempotency_key, on=business_day())


# --- maturity (nightly, order 215) ----------------------------------------------------------------


def cd_maturities_run(business_date: date) -> int:
    """Every open 大额存单 maturing on or before ``business_date``: principal to the card's
    活期主账户 and the full-term interest to the 利息账户, dated the maturity day; closed.
    Keyed by deposit and maturity day: a rerun posts nothing twice (and finds it closed)."""
    expense_id = bank_book_id(BankBook.INTEREST_EXPENSE)
    deposits = (Deposit.objects.select_for_update(of=("self",))
                .select_related("sub_account__medium__customer", "sub_account__medium__branch",
                                "interest_account__medium__customer",
                                "interest_account__medium__branch", "cd_product")
                .filter(product=Product.LARGE_CD, status=DepositStatus.OPEN,
                        matures_on__lte=business_date).order_by("pk"))
    count = 0
    channel = ReceiptChannel.BATCH
    for deposit in deposits:
        day = deposit.matures_on
        sub, main, to = deposit.sub_account, card_current_main(deposit.sub_account), deposit.interest_account
        balance = balance_of(sub)
        key = f"deposits:cd:{deposit.pk}:{day.isoformat()}"
        interest = interest_full_term(balance, deposit.annual_rate, deposit.term_months)
        memo = "大额存单到期本金转活期"
        transfer_with_receipts(payer=sub, payee=main, amount=balance, key=f"{key}:principal",
                               business_type=DepositBusinessType.MATURITY,
                               reference=f"deposit:{deposit.pk}", memo=memo, channel=channel)
        interest_post(deposit=deposit, to=to, interest=interest, key=key,
                      memo=f"大额存单到期利息（{day:%Y-%m-%d}）", channel=channel,
                      expense_id=expense_id)
        deposit.interest_paid += interest
        deposit.status, deposit.closed_on = DepositStatus.CLOSED, day
        deposit.save(update_fields=["interest_paid", "status", "closed_on"])
        sub_account_close(sub_account=sub, closed_on=day)
        audit_record(action="deposits.cd_matured", channel="batch",
                     customer_id=sub.medium.customer_id, object_ref=f"deposit:{deposit.pk}",
                     detail={"matured_on": day.isoformat(), "interest": str(interest),
                             "principal": str(balance)})
        count += 1
    return count

