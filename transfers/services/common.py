"""What every kind of transfer shares: numbers, the customer's limit subject, the payer account."""

import secrets

from django.http import Http404
from django.utils import timezone

from accounts.models import Customer, MediumStatus, SubAccount, SubAccountKind, SubAccountStatus
from ebank.limits.services import LimitSubject
from security.models import SecurityTool
from security.tools.services import limit_subject_for as security_limit_subject_for


def transfer_number_new() -> str:
    """交易流水号: TR + the Asia/Shanghai date + 10 random digits (unique index behind it)."""
    return f"TR{timezone.localdate():%Y%m%d}{secrets.randbelow(10**10):010d}"


def limit_subject_for(*, customer: Customer,
                      tools: dict[str, SecurityTool] | None = None) -> LimitSubject:
    """The customer as the limit engine sees them (X-LIMIT, X-TOOLS partial service).

    ``tools``: the customer's live tools (``tools_live``) when this request has read them
    already; the subject is then built from them instead of asking the database again.
    """
    return security_limit_subject_for(user=customer.user, tools=tools)


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
