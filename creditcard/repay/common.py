"""What 信用卡还款, 信用卡取现 and 自动还款管理 share: the customer's card and own accounts looked up
through the customer, the amount typed, and the 电子回单 of a card movement."""

from datetime import datetime
from decimal import Decimal

from django.http import Http404

from accounts.models import MediumKind, Receipt, ReceiptDirection, SubAccount, SubAccountStatus
from accounts.payers import payer_account_usable, payer_accounts, payer_refusal
from accounts.receipts.services import ReceiptChannel, receipt_issue
from ebank.core.errors import BusinessError

from ..models import Card
from ..selectors import card_get

CARD_UNKNOWN = "没有这张信用卡"


def card_of(customer, card_id) -> Card:
    """The customer's card (linked, not closed) as a refusal inside a service (pages use
    ``selectors.card_get``, a 404)."""
    try:
        return card_get(customer, card_id)
    except Http404:
        raise BusinessError(CARD_UNKNOWN, code="card_unknown") from None


def own_accounts(customer, *, debit_cards_only: bool = False) -> list[SubAccount]:
    """The customer's linked 活期主账户s (转出账号 of a repayment: 借记卡, 活期存折, 活期一本通;
    取现 and 自动还款 only 借记卡, DOMAIN-RULES §3)."""
    accounts = payer_accounts(customer=customer)
    if debit_cards_only:
        accounts = [a for a in accounts if a.medium.kind == MediumKind.DEBIT_CARD]
    return accounts


def own_account(customer, sub_account_id, *, role: str, debit_cards_only: bool = False
                ) -> SubAccount:
    """One of :func:`own_accounts` by id, usable now (``accounts.payers.payer_account_usable``,
    refused with ``role``'s words: 转出账户 / 转入账户 / 还款账户)."""
    return payer_account_usable(customer=customer, sub_account_id=sub_account_id, role=role,
                                debit_cards_only=debit_cards_only)


def account_usable(account: SubAccount) -> bool:
    return not payer_refusal(account) and account.status == SubAccountStatus.OPEN


def card_receipts(*, entry_id: int, amount: Decimal, payer: SubAccount, payee: SubAccount | None,
                  payee_name: str = "", business: str, purpose: str, posted_at: datetime,
                  channel: str = ReceiptChannel.WEB) -> Receipt:
    """电子回单 of one card entry: the payer's (付款) and, when the payee is one of our
    customers' sub-accounts, the payee's (收款); returns the payer's. Idempotent per (entry,
    sub-account), in the posting's transaction."""
    payer_medium = payer.medium
    common = {
        "entry_id": entry_id, "amount": amount,
        "payer_name": payer_medium.customer.name, "payer_account": payer_medium.number,
        "payer_bank": payer_medium.branch.name,
        "payee_name": payee.medium.customer.name if payee is not None else payee_name,
        "payee_account": payee.medium.number if payee is not None else "",
        "payee_bank": payee.medium.branch.name if payee is not None else "",
        "purpose": purpose, "business": business, "channel": channel,
        "posted_at": posted_at,
    }
    first = receipt_issue(sub_account=payer, direction=ReceiptDirection.DEBIT, **common)
    if payee is not None:
        receipt_issue(sub_account=payee, direction=ReceiptDirection.CREDIT, **common)
    return first
