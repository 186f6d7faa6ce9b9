"""悠悦宝 (DEP-YYB): a 整存整取 variant (一年, its own rate) bought online and taken back online
(悠悦宝支取), every movement through the ledger with its 电子回单 — the 整存整取 services of
deposits.fixed, parameterized by product, not copied.

The manual's five notes of 悠悦宝支取, each enforced here in its words:

1. 灰显的悠悦宝特色整存整取账户暂不支持网上支取，请至柜台办理 — a 悠悦宝 held at a branch that does
   not offer it online (the setting's 开通机构) is listed greyed and refused even by a crafted
   POST.
2. 悠悦宝网银购买最低起存金额为10000元，递增金额无限制，支取时留存金额不得低于最低起存金额 — the
   minimum is the setting's (10,000 by default): a purchase below it and a partial withdrawal
   leaving less are refused (the latter told to close it).
3. The 开通机构 and minimum are a **setting** (:class:`deposits.models.YouyuebaoSetting`, a row
   with a 生效日期 edited by head office in the admin), read on the transaction's day.
4. 支取 may go to any linked 银行卡 (借记卡) or 普通存折 (活期存折)'s 活期 account.
5. 信用卡不能作为转出或转入账户 — a credit card is never offered nor taken.

Purchase: like 整存整取开户 (卡内活期转定期 onto the card, or into a linked 定期一本通), one year,
the maturity option chosen then; the nightly 定期到期处理 matures it like 整存整取
(fixed.MATURING_PRODUCTS). 支取 before maturity: 销户 or 部分提前支取, the part taken at 活期 for its
days (no partial withdrawal on the opening day, as 整存整取); at or after maturity the full term
P × rate × years plus overdue days at 活期.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from accounts.models import (
    Medium,
    MediumKind,
    MediumStatus,
    SubAccount,
    SubAccountKind,
    SubAccountStatus,
)
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.money import as_money

from .. import fixed
from ..models import Deposit, Product, YouyuebaoSetting
from ..rates import PRODUCT_MINIMUM, PRODUCT_TERMS

PRODUCT = Product.YOUYUEBAO
DEFAULT_MINIMUM = PRODUCT_MINIMUM[Product.YOUYUEBAO]

NOTE_1 = "灰显的悠悦宝特色整存整取账户暂不支持网上支取，请至柜台办理"
NOTE_4 = "支取款项可转入任一绑定银行卡、普通存折内开立的活期账户"
NOTE_5 = "信用卡不能作为转出或转入账户办理悠悦宝特色整存整取业务"
BRANCH_OFFLINE = "该机构暂未开通悠悦宝网银业务，请至柜台办理"
TARGET_KINDS = (MediumKind.DEBIT_CARD, MediumKind.CURRENT_PASSBOOK)


def yuan(amount: Decimal) -> str:
    """10000.00 → "10000", 10000.50 → "10000.5" (as the manual writes 10000元)."""
    return f"{amount.normalize():f}"


def note_2_buy(minimum: Decimal) -> str:
    return f"悠悦宝网银购买最低起存金额为{yuan(minimum)}元，递增金额无限制"


def note_2_keep(minimum: Decimal) -> str:
    return f"支取时留存金额不得低于最低起存金额{yuan(minimum)}元，请做销户处理"


# --- the setting (note 3) -------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """The 悠悦宝网银 conditions in force on a day: the minimum and the 开通机构 (None: all)."""

    minimum: Decimal
    branch_ids: frozenset[int] | None

    def offered_at(self, branch_id: int) -> bool:
        return self.branch_ids is None or branch_id in self.branch_ids


def terms_on(day: date) -> Terms:
    row = (YouyuebaoSetting.objects.filter(effective_from__lte=day)
           .order_by("-effective_from").first())
    if row is None:
        return Terms(DEFAULT_MINIMUM, None)
    branch_ids = frozenset(row.branches.values_list("pk", flat=True))
    return Terms(row.minimum, branch_ids or None)


def online(deposit: Deposit, terms: Terms) -> bool:
    """Note 1: the deposit may be taken online (its branch offers 悠悦宝 online)."""
    return terms.offered_at(deposit.sub_account.medium.branch_id)


def credit_card_refuse(*, customer, sub_account_id=None, medium_id=None) -> None:
    """Note 5 in its words when the account chosen is one of the customer's credit cards."""
    sub_pk, medium_pk = fixed.int_or_none(sub_account_id), fixed.int_or_none(medium_id)
    if ((sub_pk and SubAccount.objects.filter(pk=sub_pk, medium__customer=customer,
                                              medium__kind=MediumKind.CREDIT_CARD).exists())
            or (medium_pk and Medium.objects.filter(pk=medium_pk, customer=customer,
                                                    kind=MediumKind.CREDIT_CARD).exists())):
        raise BusinessError(NOTE_5, code="youyuebao_note_5")


# --- 购买 -----------------------------------------------------------------------------------------


def open_plan_check(*, customer, from_sub_account_id, fixed_book_id, amount, maturity_option,
                    on: date, term_months=PRODUCT_TERMS[Product.YOUYUEBAO][0]
                    ) -> fixed.OpenPlan:
    """悠悦宝购买's rules: 整存整取's (source, target, balance) with the product's term and the
    setting's minimum (note 2); the holding branch must offer it online (note 3)."""
    credit_card_refuse(customer=customer, sub_account_id=from_sub_account_id,
                       medium_id=fixed_book_id)
    terms = terms_on(on)
    plan = fixed.open_plan_check(
        customer=customer, from_sub_account_id=from_sub_account_id,
        fixed_book_id=fixed_book_id, term_months=term_months, amount=amount,
        maturity_option=maturity_option, on=on, product=PRODUCT, minimum=terms.minimum,
        minimum_message=note_2_buy(terms.minimum))
    if not terms.offered_at(plan.target.branch_id):
        raise BusinessError(BRANCH_OFFLINE, code="youyuebao_branch")
    return plan


@transaction.atomic(durable=True)
def youyuebao_open(*, user, from_sub_account_id, fixed_book_id=None, amount, maturity_option,
                   idempotency_key: str) -> fixed.Opened:
    """悠悦宝购买 without the confirmation page (tests); the site goes through X-CONFIRM."""
    on = business_day()
    plan = open_plan_check(customer=user.customer, from_sub_account_id=from_sub_account_id,
                           fixed_book_id=fixed_book_id, amount=amount,
                           maturity_option=maturity_option, on=on)
    return fixed.fixed_open_post(user=user, plan=plan, idempotency_key=idempotency_key, on=on)


# --- 支取 -----------------------------------------------------------------------------------------


def deposit_for_customer(*, customer, pk, on: date, lock: bool = False) -> tuple[Deposit, Terms]:
    """An open 悠悦宝 of the customer's that may be taken online (note 1); else BusinessError."""
    deposit = fixed.deposit_for_customer(customer=customer, pk=pk, lock=lock, product=PRODUCT)
    terms = terms_on(on)
    if not online(deposit, terms):
        raise BusinessError(NOTE_1, code="youyuebao_note_1")
    return deposit, terms


def target_account(*, customer, sub_account_id) -> SubAccount:
    """Note 4 / 5: the 活期主账户 of a linked 借记卡 or 活期存折 (never a credit card)."""
    pk = fixed.int_or_none(sub_account_id)
    sub = (SubAccount.objects.select_related("medium", "medium__branch", "medium__customer")
           .filter(pk=pk, medium__customer=customer).first() if pk else None)
    if sub is None or not fixed.medium_linked(customer, sub.medium):
        raise BusinessError(fixed.ACCOUNT_UNKNOWN, code="account_unknown")
    if sub.medium.kind == MediumKind.CREDIT_CARD:
        raise BusinessError(NOTE_5, code="youyuebao_note_5")
    if sub.medium.kind not in TARGET_KINDS or sub.kind != SubAccountKind.CURRENT_MAIN:
        raise BusinessError(NOTE_4, code="youyuebao_note_4")
    if sub.medium.status != MediumStatus.NORMAL or sub.status != SubAccountStatus.OPEN:
        raise BusinessError(f"转入账户{sub.medium.get_status_display()}，不能办理", code="status")
    return sub


def targets(*, customer) -> list[SubAccount]:
    """What the 转入账户 list offers (note 4): linked 借记卡 and 活期存折 in 正常 state."""
    return list(SubAccount.objects.filter(
        medium__customer=customer, medium__link__customer=customer,
        kind=SubAccountKind.CURRENT_MAIN, status=SubAccountStatus.OPEN,
        medium__status=MediumStatus.NORMAL, medium__kind__in=TARGET_KINDS)
        .select_related("medium").order_by("medium__link__position", "pk"))


def withdraw_quote(*, deposit: Deposit, terms: Terms, full: bool, amount, on: date
                   ) -> fixed.Quote:
    balance = fixed.balance_of(deposit.sub_account)
    take = fixed.requested_amount(balance=balance, full=full, amount=amount)
    return fixed.withdraw_quote(deposit=deposit, balance=balance, amount=take, on=on,
                                minimum=terms.minimum,
                                below_minimum=note_2_keep(terms.minimum))


def withdraw_post(*, user, deposit: Deposit, terms: Terms, to: SubAccount, amount: Decimal,
                  idempotency_key: str, on: date) -> fixed.Withdrawn:
    """悠悦宝支取 inside the caller's transaction, ``deposit`` locked by the caller."""
    return fixed.fixed_withdraw_post(
        user=user, deposit=deposit, amount=amount, idempotency_key=idempotency_key, on=on, to=to,
        terms=fixed.WithdrawTerms(label="悠悦宝", minimum=terms.minimum,
                                  below_minimum=note_2_keep(terms.minimum),
                                  audit_action="deposits.youyuebao_withdraw"))


@transaction.atomic(durable=True)
def youyuebao_withdraw(*, user, deposit_id, amount, to_sub_account_id,
                       idempotency_key: str) -> fixed.Withdrawn:
    """悠悦宝支取 without the confirmation page (tests); the site goes through X-CONFIRM."""
    on = business_day()
    deposit, terms = deposit_for_customer(customer=user.customer, pk=deposit_id, on=on,
                                          lock=True)
    to = target_account(customer=user.customer, sub_account_id=to_sub_account_id)
    return withdraw_post(user=user, deposit=deposit, terms=terms, to=to,
                         amount=as_money(amount), idempotency_key=idempotency_key, on=on)
