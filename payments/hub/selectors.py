"""Reads of the 缴费中转页 (payments:index): the manual's groups of 缴费 pages, and the 缴费账户
that ``?account=`` names."""

from dataclasses import dataclass

from accounts.models import (
    Customer,
    MediumKind,
    MediumStatus,
    SubAccount,
    SubAccountKind,
    SubAccountStatus,
)
from ebank.core.web import url_or_none
from payments.models import BillKind
from payments.selectors import pay_url

# The manual's 自助缴费 tree: (group, ((title, kind or URL name), …)).
UTILITY = (BillKind.WATER, BillKind.POWER, BillKind.GAS, BillKind.HEATING, BillKind.TAX)
TELECOM = (BillKind.MOBILE, BillKind.TIETONG, BillKind.UNICOM, BillKind.TELECOM)
MANAGEMENT = (("缴费登记簿管理", "payments:book"), ("缴费记录查询", "payments:records"))

# Media that can pay (not a 定期一本通, not a credit card), and their sub-accounts that can.
_PAYING_MEDIA = (MediumKind.DEBIT_CARD, MediumKind.CURRENT_PASSBOOK, MediumKind.CURRENT_ONEBOOK)
# The 活期主账户 only: the pay pages offer the linked 活期主账户s (payer_accounts), as the
# 转账中转页 takes only a 活期主账户.
_PAYING_SUB_ACCOUNTS = (SubAccountKind.CURRENT_MAIN,)


@dataclass(frozen=True)
class HubLink:
    title: str
    url: str | None  # None: the page does not exist yet (plain text)


@dataclass(frozen=True)
class HubGroup:
    title: str
    links: tuple[HubLink, ...]


def payment_account_get(*, customer: Customer, raw) -> SubAccount | None:
    """The sub-account ``?account=`` names when it is one the customer can pay from: the open
    活期主账户 of a normal 借记卡/活期存折/活期一本通 linked to their e-banking. Anything
    else — another customer's id, a lost card, junk — is None (the page ignores it): one query
    at most, none for junk."""
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    found = (SubAccount.objects
             .filter(pk=pk, kind__in=_PAYING_SUB_ACCOUNTS, status=SubAccountStatus.OPEN,
                     medium__customer=customer, medium__link__customer=customer,
                     medium__status=MediumStatus.NORMAL, medium__kind__in=_PAYING_MEDIA)
             .select_related("medium", "medium__link")
             .first())
    return found


def payment_account_label(sub_account: SubAccount) -> str:
    """``工资卡 6217 **** **** 0013`` (the alias, else the medium's kind, and the masked number
    of the 活期主账户's medium)."""
    medium = sub_account.medium
    link = getattr(medium, "link", None)
    name = link.alias if link is not None and link.alias else medium.get_kind_display()
    return f"{name} {medium.masked_number}"


def hub_groups(*, account_id: int | None = None) -> list[HubGroup]:
    """公共事业缴费, 话费缴费, 缴费管理 with their links (a page not built yet is plain text);
    the pay pages carry ``?account=`` when a 缴费账户 was chosen."""
    def pay(kinds):
        return tuple(HubLink(BillKind(kind).label, pay_url(kind, account_id=account_id))
                     for kind in kinds)
    return [
        HubGroup("公共事业缴费", pay(UTILITY)),
        HubGroup("话费缴费", pay(TELECOM)),
        HubGroup("缴费管理", tuple(HubLink(title, url_or_none(name)) for title, name in MANAGEMENT)),
    ]
