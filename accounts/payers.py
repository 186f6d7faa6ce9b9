"""The customer's paying accounts, as every menu app shows and checks them (转出账户, 缴费账户).

Moved down from transfers so that payments (and the apps to come) share them without importing
another menu app: the 活期主账户 on a linked medium, its refusal in the customer's words, its
label in a list, and the link to a receipt.
"""

from django.http import Http404
from django.urls import NoReverseMatch, reverse

from accounts.models import (
    Customer,
    MediumKind,
    MediumStatus,
    Receipt,
    SubAccount,
    SubAccountKind,
    SubAccountStatus,
)
from ebank.core.errors import BusinessError
from ebank.core.money import format_cny


def payer_account_get(*, customer: Customer, sub_account_id: int) -> SubAccount:
    """A 活期 sub-account on one of the customer's linked media (转出账户); anything else → 404.

    Manual 行内转账 note 1: a medium with several current sub-accounts pays from its 活期主账户,
    so forms offer only main accounts; the status checks (loss, freeze) are the caller's, with
    the manual's wording.
    """
    try:
        return SubAccount.objects.select_related("medium", "ledger_account").get(
            pk=sub_account_id, medium__link__customer=customer,
            kind=SubAccountKind.CURRENT_MAIN,
        )
    except SubAccount.DoesNotExist as exc:
        raise Http404("账户不存在") from exc


ACCOUNT_UNKNOWN = "账户不存在，请重新选择"


def payer_account_usable(*, customer: Customer, sub_account_id, role: str = "转出账户",
                         debit_cards_only: bool = False) -> SubAccount:
    """``payer_account_get`` for a service: the account by id (as typed or posted), usable now,
    or a BusinessError (code ``account``) in the field's own words (``role``: 转出账户,
    到账账户, 还款账户 …) — unknown, not a 借记卡 when ``debit_cards_only``, lost, frozen or
    closed (``payer_refusal``)."""
    try:
        account = payer_account_get(customer=customer, sub_account_id=int(sub_account_id))
    except (Http404, TypeError, ValueError):
        raise BusinessError(ACCOUNT_UNKNOWN, code="account") from None
    if debit_cards_only and account.medium.kind != MediumKind.DEBIT_CARD:
        raise BusinessError(f"{role}须为本人借记卡", code="account")
    words = payer_refusal(account)
    if words:
        raise BusinessError(words.replace("转出账户", role), code="account")
    return account


def payer_accounts(*, customer: Customer) -> list[SubAccount]:
    """The customer's linked 活期主账户s in the customer's own order (关联账户管理)."""
    return list(
        SubAccount.objects.select_related("medium", "medium__link", "ledger_account")
        .filter(medium__link__customer=customer, kind=SubAccountKind.CURRENT_MAIN)
        .exclude(medium__status=MediumStatus.CLOSED)
        .order_by("medium__link__position")
    )


# A medium's status in the customer's words, the one map every path builds its message from
# (关联账户互转 / 行内转账 PAYER_STATUS / PAYEE_STATUS, the execution's checks, 批量转账).
MEDIUM_STATUS_WORDS = {
    MediumStatus.ORAL_LOSS: "已口头挂失",
    MediumStatus.WRITTEN_LOSS: "已书面挂失",
    MediumStatus.FROZEN: "已冻结",
    MediumStatus.CLOSED: "已销户",
}
MEDIUM_STATUS_OTHER = "状态异常"


def medium_status_words(status: str) -> str:
    return MEDIUM_STATUS_WORDS.get(status, MEDIUM_STATUS_OTHER)


def payer_refusal(sub_account: SubAccount) -> str:
    """Why the paying account cannot pay now ("" when it can), as the execution words it."""
    if sub_account.medium.status != MediumStatus.NORMAL:
        return f"转出账户{medium_status_words(sub_account.medium.status)}"
    if sub_account.status != SubAccountStatus.OPEN:
        return "转出账户已销户"
    return ""


def account_label(sub_account: SubAccount) -> str:
    """How a list shows an account: its alias (or kind), the masked number, the sub-account."""
    medium = sub_account.medium
    link = getattr(medium, "link", None)
    name = (link.alias if link is not None and link.alias else medium.get_kind_display())
    label = f"{name} {medium.masked_number}"
    if sub_account.kind != SubAccountKind.CURRENT_MAIN:
        label += f"（{sub_account.get_kind_display()}子账户{sub_account.seq:04d}）"
    return label


def receipt_url(receipt: Receipt | None) -> str:
    """``accounts:receipt_detail`` (named by the receipt number); "" without a receipt or page."""
    if receipt is None:
        return ""
    try:
        return reverse("accounts:receipt_detail", args=[receipt.number])
    except NoReverseMatch:
        return ""


def account_option_label(sub_account) -> str:
    """A payer list's option: the account and its available balance (read with the account)."""
    ledger = sub_account.ledger_account
    return f"{account_label(sub_account)}（可用余额{format_cny(ledger.balance - ledger.held)}）"
