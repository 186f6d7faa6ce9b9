"""信用卡取现 (CC-CASH): a cash advance from the card to the customer's own 借记卡 (活期).

DOMAIN-RULES §3 取现: within the 可用取现额度 (``engine.cash_available``: the cash limit less cash
not yet repaid, within the available credit); fee 1%, at least 10 (``CardSetting.cash_fee_rate``
/ ``cash_fee_minimum`` of the day); interest 0.05% a day (``daily_rate``) from the day of
withdrawal, no 免息期 — the item's ``interest_from`` is the posting day, the statement run
bills it. The fee and the interest are on the page and the confirmation before 确认.

The executor, in the confirmation's transaction: the card locked, the cash limit checked again
under the lock, ``charge_post`` CASH (``check_limit``; credit: the debit card's 活期) and
``charge_post`` CASH_FEE (credit: 信用卡手续费收入) — both or neither — and the receipts. The fee
is what the customer confirmed (kept in the payload). Own money moving to an own account: no
transfer limit is taken (as 关联账户互转); the cash limit is the bound.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.payers import account_label, receipt_url
from accounts.receipts.services import FEE_INCOME_PAYEE
from ebank.core.audit import audit_record
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.money import as_money, format_cny, parse_amount_named
from ebank.ledger.bank_books import bank_book_id
from security.confirm.registry import operation_kind
from security.confirm.services import operation_start
from security.models import PendingOperation, User
from security.tools.alerts import sms_balance_alerts_send

from ..engine import (
    CardLimitExceeded,
    CardUnavailable,
    card_lock,
    cash_available,
    charge_post,
    money,
)
from ..models import Card, CardBook, CardBusinessType, CardStatus, ItemKind
from ..settings import card_setting_on
from .common import card_of, card_receipts, own_account

KIND_CASH = "creditcard.cash"
ROLE = "转入账户"
BEYOND_CASH_LIMIT = "取现金额超过可用取现额度"


def percent(rate: Decimal) -> str:
    """A rate as the customer reads it: 0.010000 → 1%, 0.000500 → 0.05%."""
    return f"{(rate * 100).normalize():f}%"


@dataclass(frozen=True)
class CashTerms:
    """What a cash advance of ``amount`` costs, shown before 确认."""

    amount: Decimal
    fee: Decimal
    fee_rate: Decimal
    fee_minimum: Decimal
    daily_rate: Decimal
    interest_per_day: Decimal   # what one day of interest on the amount is (rounded to show)

    @property
    def daily_rate_text(self) -> str:
        return percent(self.daily_rate)

    @property
    def fee_rule(self) -> str:
        return f"按取现金额的{percent(self.fee_rate)}收取，最低{format_cny(self.fee_minimum)}"

    @property
    def interest_rule(self) -> str:
        return (f"自取现当日起按日利率{self.daily_rate_text}计息，无免息期"
                f"（每日{format_cny(self.interest_per_day)}，随账单收取）")


def cash_terms(amount: Decimal, on: date) -> CashTerms:
    setting = card_setting_on(on)
    fee = max(money(amount * setting.cash_fee_rate), setting.cash_fee_minimum)
    return CashTerms(amount=amount, fee=fee, fee_rate=setting.cash_fee_rate,
                     fee_minimum=setting.cash_fee_minimum, daily_rate=setting.daily_rate,
                     interest_per_day=money(amount * setting.daily_rate))


def _card_usable(card: Card) -> None:
    if card.status != CardStatus.ACTIVE:
        raise CardUnavailable()


@transaction.atomic(durable=True)
def cash_start(*, user: User, card_id, sub_account_id, amount) -> PendingOperation:
    """提交: the card (正常), the 转入账户 (own 借记卡), the amount within the 可用取现额度; the
    confirmation shows the fee and the interest and asks the CARD's 交易密码."""
    customer = user.customer
    card = card_of(customer, card_id)
    _card_usable(card)
    account = own_account(customer, sub_account_id, role=ROLE, debit_cards_only=True)
    value = parse_amount_named(amount, label="取现金额")
    available = cash_available(card)
    if value > available:
        raise BusinessError(f"{BEYOND_CASH_LIMIT}（可用取现额度{format_cny(available)}）",
                            code="amount")
    terms = cash_terms(value, business_day())
    summary = [("取现信用卡", f"{card.product} {card.medium.masked_number}"),
               ("转入账户", account_label(account)),
               ("手续费", f"{format_cny(terms.fee)}（{terms.fee_rule}）"),
               ("利息", terms.interest_rule)]
    return operation_start(
        user=user, kind=KIND_CASH,
        payload={"card": card.pk, "sub_account": account.pk, "amount": f"{value:.2f}",
                 "fee": f"{terms.fee:.2f}"},
        summary=summary, medium=card.medium,
        back_url=f"{reverse('creditcard:cash')}?card={card.pk}")


@operation_kind(KIND_CASH, title="信用卡取现", requires_pin=True, requires_tool=False,
                allow_sms=True)
def cash_execute(*, operation: PendingOperation) -> dict:
    """The cash item and its fee item, once (references from the operation), and receipts."""
    p = operation.payload
    customer = operation.user.customer
    card = card_of(customer, p["card"])
    account = own_account(customer, p["sub_account"], role=ROLE, debit_cards_only=True)
    amount, fee = as_money(p["amount"]), as_money(p["fee"])
    day = business_day()
    key = operation.idempotency_key
    card = card_lock(card.pk)   # first: the engine checks the cash limit under the card's lock
    _card_usable(card)
    available = cash_available(card)
    try:
        cash = charge_post(
            card=card, kind=ItemKind.CASH, amount=amount, business_type=CardBusinessType.CASH,
            credit_ledger_id=account.ledger_account_id, txn_date=day, posted_on=day,
            reference=key, description="信用卡取现", check_limit=True, interest_from=day,
            memo=f"信用卡取现 {account.medium.masked_number}")
    except CardLimitExceeded:
        raise BusinessError(f"{BEYOND_CASH_LIMIT}（可用取现额度{format_cny(available)}）",
                            code="amount") from None
    fee_item = charge_post(
        card=card, kind=ItemKind.CASH_FEE, amount=fee,
        business_type=CardBusinessType.CASH_FEE,
        credit_ledger_id=bank_book_id(CardBook.FEE_INCOME), txn_date=day, posted_on=day,
        reference=f"{key}:fee", description="信用卡取现手续费")
    now = timezone.now()
    card_receipt = card_receipts(
        entry_id=cash.entry_id, amount=amount, payer=card.sub_account, payee=account,
        business=CardBusinessType.CASH.label, purpose="信用卡取现", posted_at=now)
    card_receipts(entry_id=fee_item.entry_id, amount=fee, payer=card.sub_account, payee=None,
                  payee_name=FEE_INCOME_PAYEE, business=CardBusinessType.CASH_FEE.label,
                  purpose="信用卡取现手续费", posted_at=now)
    transaction.on_commit(partial(sms_balance_alerts_send, entry_id=cash.entry_id))
    audit_record(action="creditcard.cash", actor=operation.user, customer_id=customer.pk,
                 object_ref=f"card:{card.pk}",
                 detail={"amount": str(amount), "fee": str(fee), "entry": cash.entry_id})
    return {
        "message": f"取现成功：{format_cny(amount)}已转入{account_label(account)}",
        "receipt_url": receipt_url(card_receipt),
        "lines": [["手续费", format_cny(fee)], ["起息日", f"{day:%Y-%m-%d}"],
                  ["可用取现额度", format_cny(cash_available(card))]],
    }
