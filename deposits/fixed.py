"""整存整取 (DEP-FIX, DEP-BOOK): opening, withdrawal (销户 / 部分提前支取 / 到期支取) and
maturity (自动转存 or 到期转活期), every movement through the ledger with its 电子回单.

The manual (定期存款 › 卡内活期转定期, 卡内定期转活期, 活期转定期一本通, 定期一本通转活期) and
DOMAIN-RULES §2 settle the rules; each note is enforced here with its wording (tests name them):

* Opening from a linked debit card's 活期主账户 opens the 整存整取 on the card itself
  (卡内活期转定期, note 3: 卡内活期转出账号只能为该卡的活期主账号); from a 借记卡, 活期存折 or
  活期一本通 it may go into a linked 定期一本通 instead (活期转定期一本通, notes 1–3). Minimum 50
  (note 4). Terms 3m, 6m, 1y, 2y, 3y, 5y. The rate in force on the opening day is kept.
* The maturity option is chosen at opening (:class:`deposits.models.MaturityOption`):
  自动转存（本息）, 自动转存（本金，利息转活期）, 到期转活期, 不转存 (stays until 到期支取; its
  overdue days earn the 活期 rate of the withdrawal day).
* Withdrawal before maturity: 销户 (full) or 部分提前支取; the part taken earns 活期 at the rate
  of that day for its days (note 2); the rest keeps rate and maturity if ≥ 50, else the customer
  is told to close it (note 4); no partial withdrawal on the opening day (note 5), a full one
  then earns nothing; a 销户 less than 10 days before maturity is warned (note 3).
  At or after maturity: 到期支取 (full) = full-term interest + overdue days at 活期.
* Interest is posted from the bank's 利息支出 book (BankBook.INTEREST_EXPENSE) with business type
  利息, a posting and a receipt of its own; principal goes back to the 活期 account kept at
  opening (``Deposit.interest_account``).

Public services are ``transaction.atomic(durable=True)``; the X-CONFIRM executors
(deposits/operations.py) and the nightly step (deposits/maturity.py) call the ``*_post``
functions inside their own transactions.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import (
    LinkedMedium,
    Medium,
    MediumKind,
    MediumStatus,
    ReceiptDirection,
    SubAccount,
    SubAccountKind,
    SubAccountStatus,
)
from accounts.receipts.services import ReceiptChannel, receipt_issue
from accounts.services import funds_move, sub_account_close, sub_account_open
from ebank.core.audit import audit_record
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError, InsufficientFunds
from ebank.core.money import as_money, format_cny
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.ledger.models import BusinessType, LedgerAccount

from .business_types import DepositBusinessType
from .interest import add_months, days_between, interest_by_days, interest_full_term
from .models import Deposit, DepositRate, DepositStatus, MaturityOption, Product
from .rates import PRODUCT_MINIMUM, PRODUCT_TERMS, rate_on, term_text

# The product's terms and minimum are the rate table's (rates.PRODUCT_TERMS / PRODUCT_MINIMUM).
MINIMUM = PRODUCT_MINIMUM[Product.FIXED]
TERMS = {months: term_text(months) for months in PRODUCT_TERMS[Product.FIXED]}
CLOSE_WARNING_DAYS = 10
SOURCE_MEDIUM_KINDS = (MediumKind.DEBIT_CARD, MediumKind.CURRENT_PASSBOOK,
                       MediumKind.CURRENT_ONEBOOK)
INTEREST_PAYER = "本行利息支出"

# The manual's notes, in its words.
OPEN_NOTE_1 = "定期储种包括：整存整取、零存整取"
OPEN_NOTE_3 = "卡内活期转出账号只能为该卡的活期主账号"
OPEN_NOTE_4 = "整存整取起存金额50元"
BOOK_NOTE_1 = "转入账号仅限于定期一本通"
BOOK_NOTE_3 = "转出账户可以是借记卡、活期存折或活期一本通"
PASSBOOK_TO_BOOK = "活期存折、活期一本通只能转入定期一本通，请选择转入的定期一本通"
WITHDRAW_NOTE_2 = "到期日前提前支取金额将按活期利息计息"
WITHDRAW_NOTE_3 = "距定期到期日不足10日，提前销户将按活期利率计息，请注意避免利息损失"
WITHDRAW_NOTE_4 = "整存整取允许多次部分支取，但部分支取后的余额不能小于50元，请做销户处理"
WITHDRAW_NOTE_5 = "当日开立的定期账户不允许做部分提前支取操作"
MATURED_FULL_ONLY = "该定期存款已到期，只能办理到期支取（全部支取）"
ACCOUNT_UNKNOWN = "账户不存在，请重新选择"
DEPOSIT_UNKNOWN = "定期存款不存在或已销户"
TERM_UNKNOWN = "请选择存期"
OPTION_UNKNOWN = "请选择到期处理方式"
INSUFFICIENT = "转出账户可用余额不足"


def masked_number(sub_account: SubAccount) -> str:
    """定期账号 as pages show it: the medium's masked number and the sub-account's sequence."""
    return f"{sub_account.medium.masked_number}-{sub_account.seq:04d}"


# --- rates ---------------------------------------------------------------------------------------


def current_rate(day: date) -> Decimal:
    """The 活期 rate posted on ``day``."""
    return rate_on(product=Product.CURRENT, term_months=0, day=day).annual_rate


# --- interest ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    """What a withdrawal of ``amount`` from a deposit on ``on`` earns."""

    amount: Decimal
    full: bool
    matured: bool
    regular: Decimal        # full-term interest at the kept rate (到期支取), else 0
    early: Decimal          # the part taken early, by days at 活期
    overdue: Decimal        # overdue days at 活期 (到期支取 after maturity)
    current_rate: Decimal | None
    days: int

    @property
    def interest(self) -> Decimal:
        return self.regular + self.early + self.overdue

    @property
    def kind_label(self) -> str:
        if self.matured:
            return "到期支取"
        return "销户（提前全部支取）" if self.full else "部分提前支取"


def requested_amount(*, balance: Decimal, full: bool, amount) -> Decimal:
    """What a 支取 form asks to take: the whole ``balance`` for 全部支取, else ``amount``."""
    return balance if full else as_money(amount if amount is not None else "0")


def withdraw_quote(*, deposit: Deposit, balance: Decimal, amount: Decimal, on: date,
                   minimum: Decimal = MINIMUM, below_minimum: str = WITHDRAW_NOTE_4) -> Quote:
    """The interest of taking ``amount`` out of ``deposit`` (holding ``balance``) on ``on``;
    refuses (BusinessError, the manual's words) what the notes do not allow. ``minimum`` and
    ``below_minimum``: what a partial withdrawal must leave, and the refusal (大额存单 passes
    its own 200,000)."""
    amount = as_money(amount)
    if amount <= 0:
        raise BusinessError("请输入支取金额")
    if amount > balance:
        raise BusinessError(f"支取金额不能大于存款余额{format_cny(balance)}")
    full = amount == balance
    matured = deposit.matures_on is not None and on >= deposit.matures_on
    if matured:
        if not full:
            raise BusinessError(MATURED_FULL_ONLY, code="matured_full_only")
        regular = interest_full_term(balance, deposit.annual_rate, deposit.term_months)
        overdue_days = days_between(deposit.matures_on, on)
        rate = current_rate(on) if overdue_days else None
        overdue = interest_by_days(balance, rate, overdue_days) if overdue_days else Decimal("0.00")
        return Quote(amount, True, True, regular, Decimal("0.00"), overdue, rate, overdue_days)
    if not full:
        if deposit.opened_on == on:
            raise BusinessError(WITHDRAW_NOTE_5, code="withdraw_note_5")
        if balance - amount < minimum:
            raise BusinessError(below_minimum, code="withdraw_note_4")
    days = days_between(deposit.value_date, on)
    rate = current_rate(on) if days else None
    early = interest_by_days(amount, rate, days) if days else Decimal("0.00")
    return Quote(amount, full, False, Decimal("0.00"), early, Decimal("0.00"), rate, days)


def interest_to_date(*, deposit: Deposit, balance: Decimal, on: date) -> Decimal:
    """利息（至今日）as the pages show it: at the kept rate by days from the 起息日 until today
    (at most the full-term interest); after maturity the full term plus overdue days at the
    活期 rate of today. What an early withdrawal would earn is less (note 2, said beside it)."""
    if deposit.status != DepositStatus.OPEN or balance <= 0:
        return Decimal("0.00")
    if deposit.matures_on is not None and on >= deposit.matures_on:
        full = interest_full_term(balance, deposit.annual_rate, deposit.term_months)
        overdue_days = days_between(deposit.matures_on, on)
        if not overdue_days:
            return full
        try:
            return full + interest_by_days(balance, current_rate(on), overdue_days)
        except BusinessError:
            return full
    return interest_by_days(balance, deposit.annual_rate, days_between(deposit.value_date, on))


# --- accounts ------------------------------------------------------------------------------------


def medium_linked(customer, medium: Medium) -> bool:
    """The medium is the customer's and linked to their e-banking (关联账户)."""
    return (medium.customer_id == customer.pk and LinkedMedium.objects.filter(
        customer=customer, medium=medium).exists())


def int_or_none(value) -> int | None:
    """A posted id or number as an int; None for anything else (the caller refuses it)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def funds_check(source: SubAccount, amount: Decimal) -> None:
    """转出账户可用余额不足 (with the available balance) when ``source`` cannot pay ``amount``."""
    ledger = source.ledger_account
    available = ledger.balance - ledger.held
    if available < amount:
        raise BusinessError(f"{INSUFFICIENT}（可用余额{format_cny(available)}）",
                            code="insufficient_funds")


def source_account(*, customer, sub_account_id) -> SubAccount:
    """The 转出账户: the 活期主账户 of a linked 借记卡, 活期存折 or 活期一本通, usable."""
    pk = int_or_none(sub_account_id)
    sub = (SubAccount.objects.select_related("medium", "medium__branch", "medium__customer",
                                             "ledger_account")
           .filter(pk=pk, medium__customer=customer).first() if pk else None)
    if sub is None or not medium_linked(customer, sub.medium):
        raise BusinessError(ACCOUNT_UNKNOWN, code="account_unknown")
    if sub.medium.kind not in SOURCE_MEDIUM_KINDS:
        raise BusinessError(BOOK_NOTE_3, code="book_note_3")
    if sub.kind != SubAccountKind.CURRENT_MAIN:
        raise BusinessError(OPEN_NOTE_3, code="open_note_3")
    if sub.medium.status != MediumStatus.NORMAL or sub.status != SubAccountStatus.OPEN:
        raise BusinessError(f"转出账户{sub.medium.get_status_display()}，不能办理", code="status")
    return sub


def target_medium(*, customer, source: SubAccount, fixed_book_id) -> Medium:
    """Where the 整存整取 opens: the card itself (卡内活期转定期) or a linked 定期一本通
    (活期转定期一本通)."""
    if fixed_book_id in (None, ""):
        if source.medium.kind != MediumKind.DEBIT_CARD:
            raise BusinessError(PASSBOOK_TO_BOOK, code="book_note_1")
        return source.medium
    pk = int_or_none(fixed_book_id)
    medium = (Medium.objects.select_related("branch", "customer")
              .filter(pk=pk, customer=customer).first() if pk else None)
    if medium is None or not medium_linked(customer, medium):
        raise BusinessError(ACCOUNT_UNKNOWN, code="account_unknown")
    if medium.kind != MediumKind.FIXED_ONEBOOK:
        raise BusinessError(BOOK_NOTE_1, code="book_note_1")
    if medium.status != MediumStatus.NORMAL:
        raise BusinessError(f"定期一本通{medium.get_status_display()}，不能办理", code="status")
    return medium


@dataclass(frozen=True)
class OpenPlan:
    source: SubAccount
    target: Medium
    term_months: int
    amount: Decimal
    option: str
    rate: DepositRate
    product: str = Product.FIXED


def open_plan_check(*, customer, from_sub_account_id, fixed_book_id, term_months, amount,
                    maturity_option, on: date, product: str = Product.FIXED,
                    minimum: Decimal = MINIMUM, minimum_message: str = OPEN_NOTE_4) -> OpenPlan:
    """The notes of 卡内活期转定期 / 活期转定期一本通 (BusinessError in their words).
    ``product``: 整存整取 or one of its variants opened the same way (悠悦宝, with its own
    terms, ``minimum`` and ``minimum_message``)."""
    term = int_or_none(term_months)
    if term not in PRODUCT_TERMS[product]:
        raise BusinessError(TERM_UNKNOWN, code="term")
    if maturity_option not in MaturityOption.values:
        raise BusinessError(OPTION_UNKNOWN, code="option")
    amount = as_money(amount)
    if amount < minimum:
        raise BusinessError(minimum_message, code="open_note_4")
    source = source_account(customer=customer, sub_account_id=from_sub_account_id)
    target = target_medium(customer=customer, source=source, fixed_book_id=fixed_book_id)
    funds_check(source, amount)
    rate = rate_on(product=product, term_months=term, day=on)
    return OpenPlan(source, target, term, amount, maturity_option, rate, product)


def _posted_at():
    return timezone.now()


def deposit_receipt(*, entry_id: int, sub_account: SubAccount, direction: str, amount: Decimal,
             payer: tuple[str, str, str], payee: tuple[str, str, str], purpose: str,
             business: str, channel: str = ReceiptChannel.WEB):
    return receipt_issue(
        entry_id=entry_id, sub_account=sub_account, direction=direction, amount=amount,
        payer_name=payer[0], payer_account=payer[1], payer_bank=payer[2],
        payee_name=payee[0], payee_account=payee[1], payee_bank=payee[2],
        purpose=purpose, business=business, channel=channel, posted_at=_posted_at())


def deposit_party(sub_account: SubAccount) -> tuple[str, str, str]:
    medium = sub_account.medium
    return (medium.customer.name, sub_account.number, medium.branch.name)


def deposit_move(*, debit: int, credit: int, amount: Decimal, key: str, business_type: str,
          reference: str, memo: str) -> int:
    try:
        return funds_move(debit_ledger_id=debit, credit_ledger_id=credit, amount=amount,
                          idempotency_key=key, business_type=business_type,
                          reference=reference, memo=memo).entry_id
    except InsufficientFunds:
        raise BusinessError(INSUFFICIENT, code="insufficient_funds") from None


def transfer_with_receipts(*, payer: SubAccount, payee: SubAccount, amount: Decimal, key: str,
                           business_type: DepositBusinessType, reference: str, memo: str,
                           channel: str = ReceiptChannel.WEB) -> tuple:
    """Move ``amount`` between two sub-accounts of the customer's through the ledger, with an
    电子回单 on each side; returns (the payer's receipt, the payee's receipt)."""
    entry_id = deposit_move(debit=payer.ledger_account_id, credit=payee.ledger_account_id,
                     amount=amount, key=key, business_type=business_type, reference=reference,
                     memo=memo)
    common = {"entry_id": entry_id, "amount": amount, "payer": deposit_party(payer),
              "payee": deposit_party(payee), "purpose": memo, "business": business_type.label,
              "channel": channel}
    return (deposit_receipt(sub_account=payer, direction=ReceiptDirection.DEBIT, **common),
            deposit_receipt(sub_account=payee, direction=ReceiptDirection.CREDIT, **common))


def interest_post(*, deposit: Deposit, to: SubAccount, interest: Decimal, key: str,
                   memo: str, channel: str = ReceiptChannel.WEB,
                   expense_id: int | None = None):
    """利息: from the bank's 利息支出 book to ``to``, its own posting and receipt line
    (``expense_id``: the book's id when the caller already holds it, as the nightly run does)."""
    if interest <= 0:
        return None
    if expense_id is None:
        expense_id = bank_book_id(BankBook.INTEREST_EXPENSE)
    entry_id = deposit_move(debit=expense_id,
                     credit=to.ledger_account_id, amount=interest, key=f"{key}:interest",
                     business_type=BusinessType.INTEREST, reference=f"deposit:{deposit.pk}",
                     memo=memo)
    return deposit_receipt(entry_id=entry_id, sub_account=to, direction=ReceiptDirection.CREDIT,
                    amount=interest, payer=(INTEREST_PAYER, "", to.medium.branch.name),
                    payee=deposit_party(to), purpose=memo, business="利息", channel=channel)


def interest_clawback(*, deposit: Deposit, sub: SubAccount, amount: Decimal, key: str,
                      memo: str, channel: str = ReceiptChannel.WEB,
                      expense_id: int | None = None):
    """利息扣回: interest paid ahead taken back from ``sub`` to the bank's 利息支出 book, its own
    posting (``{key}:clawback``) and receipt; None when there is nothing to take back."""
    if amount <= 0:
        return None
    if expense_id is None:
        expense_id = bank_book_id(BankBook.INTEREST_EXPENSE)
    entry_id = deposit_move(debit=sub.ledger_account_id, credit=expense_id, amount=amount,
                            key=f"{key}:clawback",
                            business_type=DepositBusinessType.INTEREST_CLAWBACK,
                            reference=f"deposit:{deposit.pk}", memo=memo)
    return deposit_receipt(entry_id=entry_id, sub_account=sub, direction=ReceiptDirection.DEBIT,
                           amount=amount, payer=deposit_party(sub),
                           payee=(INTEREST_PAYER, "", sub.medium.branch.name), purpose=memo,
                           business=DepositBusinessType.INTEREST_CLAWBACK.label,
                           channel=channel)


# --- opening -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    deposit: Deposit
    receipt: object


def fixed_open_post(*, user, plan: OpenPlan, idempotency_key: str, on: date,
                    batch: bool = False) -> Opened:
    """Open the 整存整取 of ``plan`` inside the caller's transaction. ``batch``: by the nightly
    run (卡内预约转存) — receipts on the 批量处理 channel, the audit row on the batch channel."""
    channel = ReceiptChannel.BATCH if batch else ReceiptChannel.WEB
    customer = plan.source.medium.customer
    sub = sub_account_open(medium=plan.target, kind=SubAccountKind.FIXED_LUMP_SUM, opened_on=on)
    sub = SubAccount.objects.select_related("medium__customer", "medium__branch").get(pk=sub.pk)
    memo = f"{Product(plan.product).label}{term_text(plan.term_months)}开户"
    receipt, _ = transfer_with_receipts(
        payer=plan.source, payee=sub, amount=plan.amount, key=idempotency_key,
        business_type=DepositBusinessType.OPEN, reference=f"deposit:{sub.number}", memo=memo,
        channel=channel)
    option = plan.option
    deposit = Deposit.objects.create(
        sub_account=sub, product=plan.product, term_months=plan.term_months,
        principal=plan.amount, annual_rate=plan.rate.annual_rate, rate_row=plan.rate,
        opened_on=on, value_date=on, matures_on=add_months(on, plan.term_months),
        maturity_option=option,
        auto_rollover=option in (MaturityOption.ROLL_ALL, MaturityOption.ROLL_PRINCIPAL),
        rollover_with_interest=option == MaturityOption.ROLL_ALL,
        interest_account=plan.source)
    audit_record(action=("deposits.fixed_open" if plan.product == Product.FIXED
                         else "deposits.youyuebao_open"), actor=user, customer_id=customer.pk,
                 channel="batch" if batch else "web",
                 object_ref=f"deposit:{deposit.pk}",
                 detail={"amount": str(plan.amount), "term_months": plan.term_months,
                         "rate": str(plan.rate.annual_rate), "option": option})
    return Opened(deposit, receipt)


@transaction.atomic(durable=True)
def fixed_open(*, user, from_sub_account_id, fixed_book_id=None, term_months, amount,
               maturity_option, idempotency_key: str) -> Opened:
    """整存整取开户 without the confirmation page (demo data, tests of the rules); the site
    goes through X-CONFIRM (deposits.operations)."""
    on = business_day()
    plan = open_plan_check(customer=user.customer, from_sub_account_id=from_sub_account_id,
                           fixed_book_id=fixed_book_id, term_months=term_months, amount=amount,
                           maturity_option=maturity_option, on=on)
    return fixed_open_post(user=user, plan=plan, idempotency_key=idempotency_key, on=on)


# --- withdrawal ----------------------------------------------------------------------------------


def deposit_for_customer(*, customer, pk, lock: bool = False, product: str = Product.FIXED,
                         unknown: str = DEPOSIT_UNKNOWN) -> Deposit:
    """An open deposit of ``product`` (整存整取 unless told) of the customer's, on a linked
    medium; else BusinessError(``unknown``)."""
    pk = int_or_none(pk)
    query = Deposit.objects.select_related(
        "sub_account__medium__customer", "sub_account__medium__branch",
        "interest_account__medium__customer", "interest_account__medium__branch")
    if lock:
        query = query.select_for_update(of=("self",))
    deposit = query.filter(pk=pk, product=product, status=DepositStatus.OPEN,
                           sub_account__medium__customer=customer).first() if pk else None
    if deposit is None or not medium_linked(customer, deposit.sub_account.medium):
        raise BusinessError(unknown, code="deposit_unknown")
    return deposit


def balance_of(sub_account: SubAccount) -> Decimal:
    return LedgerAccount.objects.values_list("balance", flat=True).get(
        pk=sub_account.ledger_account_id)


@dataclass(frozen=True)
class Withdrawn:
    deposit: Deposit
    quote: Quote
    receipt: object
    interest_receipt: object


@dataclass(frozen=True)
class WithdrawTerms:
    """What differs between the products that share the 整存整取 withdrawal (大额存单): the
    name on memos, what a partial must leave and its refusal, the audit action, and whether the
    principal goes back to the card's 活期主账户 (else to the 利息账户 kept at opening)."""

    label: str = "整存整取"
    minimum: Decimal = MINIMUM
    below_minimum: str = WITHDRAW_NOTE_4
    audit_action: str = "deposits.fixed_withdraw"
    principal_to_card: bool = False


FIXED_TERMS = WithdrawTerms(audit_action="deposits.fixed_withdraw")


def fixed_withdraw_post(*, user, deposit: Deposit, amount: Decimal, idempotency_key: str,
                        on: date, channel: str = ReceiptChannel.WEB,
                        to: SubAccount | None = None,
                        terms: WithdrawTerms = FIXED_TERMS) -> Withdrawn:
    """支取 inside the caller's transaction; ``deposit`` locked by the caller
    (``deposit_for_customer(lock=True)``), so two withdrawals of one deposit run one after
    the other and the second sees what the first left. ``to``: the 活期 the money goes to
    (悠悦宝: any linked card or passbook, checked by the caller); the opening's by default."""
    balance = balance_of(deposit.sub_account)
    quote = withdraw_quote(deposit=deposit, balance=balance, amount=amount, on=on,
                           minimum=terms.minimum, below_minimum=terms.below_minimum)
    sub = deposit.sub_account
    to = to or deposit.interest_account
    principal_to = card_current_main(sub) if terms.principal_to_card else to
    business = (DepositBusinessType.MATURITY if quote.matured else DepositBusinessType.WITHDRAW)
    memo = f"{terms.label}{quote.kind_label}"
    _, receipt = transfer_with_receipts(
        payer=sub, payee=principal_to, amount=quote.amount, key=f"{idempotency_key}:principal",
        business_type=business, reference=f"deposit:{deposit.pk}", memo=memo, channel=channel)
    interest_receipt = interest_post(deposit=deposit, to=to, interest=quote.interest,
                                     key=idempotency_key,
                                     memo=f"{terms.label}利息（{quote.kind_label}）",
                                      channel=channel)
    deposit.interest_paid += quote.interest
    update = ["interest_paid"]
    if quote.full:
        deposit.status, deposit.closed_on = DepositStatus.CLOSED, on
        update += ["status", "closed_on"]
        sub_account_close(sub_account=sub, closed_on=on)
    deposit.save(update_fields=update)
    audit_record(action=terms.audit_action, actor=user, customer_id=sub.medium.customer_id,
                 object_ref=f"deposit:{deposit.pk}",
                 detail={"amount": str(quote.amount), "interest": str(quote.interest),
                         "kind": quote.kind_label})
    return Withdrawn(deposit, quote, receipt, interest_receipt)


def card_current_main(sub_account: SubAccount) -> SubAccount:
    """The 活期主账户 of the medium ``sub_account`` is on (where a 大额存单's or 存本取息's
    principal goes back)."""
    return (SubAccount.objects.select_related("medium__customer", "medium__branch")
            .get(medium_id=sub_account.medium_id, kind=SubAccountKind.CURRENT_MAIN))


@transaction.atomic(durable=True)
def fixed_withdraw(*, user, deposit_id, amount, idempotency_key: str) -> Withdrawn:
    """定期支取 without the confirmation page (tests, the race); the site goes through
    X-CONFIRM (deposits.operations)."""
    deposit = deposit_for_customer(customer=user.customer, pk=deposit_id, lock=True)
    return fixed_withdraw_post(user=user, deposit=deposit, amount=as_money(amount),
                               idempotency_key=idempotency_key, on=business_day())


# --- maturity (the nightly step) ----------------------------------------------------------------


class _MaturityRun:
    """What every maturity of one nightly run shares, read once: the 利息支出 book's id and the
    rollover rate of each (term, day)."""

    def __init__(self):
        self.expense_id = bank_book_id(BankBook.INTEREST_EXPENSE)
        self._rates: dict[tuple[str, int, date], DepositRate] = {}

    def rate(self, term_months: int, day: date, product: str = Product.FIXED) -> DepositRate:
        if (product, term_months, day) not in self._rates:
            self._rates[product, term_months, day] = rate_on(product=product,
                                                             term_months=term_months, day=day)
        return self._rates[product, term_months, day]


def _mature_once(deposit: Deposit, run: _MaturityRun | None = None) -> str:
    """Process one maturity of ``deposit`` (locked) on its ``matures_on``; returns what was done.
    Keys per deposit and maturity date: a rerun posts nothing twice."""
    run = run or _MaturityRun()
    day = deposit.matures_on
    sub = deposit.sub_account
    to = deposit.interest_account
    balance = balance_of(sub)
    key = f"deposits:fixed:{deposit.pk}:{day.isoformat()}"
    interest = interest_full_term(balance, deposit.annual_rate, deposit.term_months)
    name = deposit.get_product_display()
    memo = f"{name}到期利息（{day:%Y-%m-%d}）"
    channel = ReceiptChannel.BATCH
    option = deposit.maturity_option
    if option == MaturityOption.TO_CURRENT:
        transfer_with_receipts(payer=sub, payee=to, amount=balance, key=f"{key}:principal",
                               business_type=DepositBusinessType.MATURITY,
                               reference=f"deposit:{deposit.pk}", memo=f"{name}到期转活期",
                               channel=channel)
        interest_post(deposit=deposit, to=to, interest=interest, key=key, memo=memo,
                       channel=channel, expense_id=run.expense_id)
        deposit.interest_paid += interest
        deposit.status, deposit.closed_on = DepositStatus.CLOSED, day
        deposit.save(update_fields=["interest_paid", "status", "closed_on"])
        sub_account_close(sub_account=sub, closed_on=day)
        done = "paid_out"
    else:
        with_interest = option == MaturityOption.ROLL_ALL
        interest_post(deposit=deposit, to=sub if with_interest else to, interest=interest,
                       key=key, memo=memo, channel=channel, expense_id=run.expense_id)
        rate = run.rate(deposit.term_months, day, deposit.product)
        deposit.interest_paid += interest
        deposit.principal = balance + interest if with_interest else balance
        deposit.annual_rate, deposit.rate_row = rate.annual_rate, rate
        deposit.value_date = day
        deposit.matures_on = add_months(day, deposit.term_months)
        deposit.rollovers += 1
        deposit.save(update_fields=["interest_paid", "principal", "annual_rate", "rate_row",
                                    "value_date", "matures_on", "rollovers"])
        done = "rolled_over"
    audit_record(action=("deposits.fixed_rolled_over" if done == "rolled_over"
                         else "deposits.fixed_paid_out"), channel="batch",
                 customer_id=sub.medium.customer_id, object_ref=f"deposit:{deposit.pk}",
                 detail={"matured_on": day.isoformat(), "interest": str(interest),
                         "principal": str(balance), "option": option})
    return done


# The products the nightly 定期到期处理 matures: 整存整取 and its variant 悠悦宝 (same options).
MATURING_PRODUCTS = (Product.FIXED, Product.YOUYUEBAO)


def fixed_maturities_run(business_date: date) -> int:
    """Every open 整存整取 (and 悠悦宝) maturing on or before ``business_date`` with 自动转存 or 到期转活期
    (不转存 stays until 到期支取). Inside the nightly step's transaction; returns how many
    maturities were processed (a deposit behind by several terms counts each)."""
    count = 0
    run = _MaturityRun()
    deposits = (Deposit.objects.select_for_update(of=("self",))
                .select_related("sub_account__medium__customer", "sub_account__medium__branch",
                                "interest_account__medium__customer",
                                "interest_account__medium__branch")
                .filter(product__in=MATURING_PRODUCTS, status=DepositStatus.OPEN,
                        matures_on__lte=business_date)
                .exclude(maturity_option__in=[MaturityOption.HOLD, ""])
                .order_by("pk"))
    for deposit in deposits:
        while deposit.status == DepositStatus.OPEN and deposit.matures_on <= business_date:
            _mature_once(deposit, run)
            count += 1
    return count

