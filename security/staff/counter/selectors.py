"""Reads of the 柜面业务 pages: finding the customer in front of the teller, and the customer page.

Everything is scoped to the teller's branch (``customers_visible_to``; head office sees all):
another branch's customer is never found, whatever was typed.
"""

import re
from dataclasses import dataclass

from django.db.models import Prefetch, Q

from accounts.models import Customer, IdType, LinkedMedium, Medium
from ebank.core.audit import audit_action_label, audit_channel_label
from ebank.core.crypto import keyed_digest
from ebank.core.masking import mask_account_number, mask_name, mask_phone
from ebank.core.models import AuditEvent
from ebank.core.money import format_cny
from ebank.limits.engine import LimitSubject
from ebank.limits.models import LimitChannel, LimitKind, LimitLevel
from ebank.limits.selectors import effective_limits
from security.models import CounterReceipt, ToolStatus, User, UserStatus

from ..scoping import customers_visible_to
from .state import CustomerState

# More matches than this (a common name at head office) are cut: the teller narrows the search.
FIND_LIMIT = 20

_CARD = re.compile(r"^(\d{8,19})(?:-(\d{4}))?$")  # a card/account number, or a sub-account's
_PHONE = re.compile(r"^(?:\+?86)?(1\d{10})$")
_HAS_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class CustomerFound:
    """One line of the find results: masked, with what the teller needs to pick the customer."""

    customer: Customer
    name_masked: str
    id_masked: str
    phone_masked: str
    card_masked: str
    ebank_status: str


def ebank_status_label(user: User | None) -> str:
    """网银状态 as the counter reads it: 未开通, 正常, 暂停 or 已注销."""
    if user is None:
        return "未开通"
    if user.status == UserStatus.CANCELLED:
        return "已注销"
    return user.get_status_display()


def _search(id_type: str, text: str) -> tuple[Q, str]:
    """The customer conditions ``text`` may stand for, and the medium number it names (if any).

    One box serves all four searches: a card number or a sub-account number (卡号-序号), an ID
    number of ``id_type``, a reserved phone (11 digits, +86 allowed) and a full name.
    """
    compact = re.sub(r"[\s]", "", text)
    found = Q(id_number_digest=keyed_digest(id_type, compact.upper()))
    medium_number = ""
    if card := _CARD.match(compact):
        medium_number = card.group(1)
        found |= Q(pk__in=Medium.objects.filter(number=medium_number).values("customer_id"))
    if phone := _PHONE.match(re.sub(r"[\s-]", "", text)):
        found |= Q(phone=phone.group(1))
    if not _HAS_DIGIT.search(text):
        found |= Q(name=text.strip())
    return found, medium_number


def customers_find(*, staff, id_type: str, text: str) -> tuple[list[CustomerFound], bool]:
    """The customers of the teller's scope that ``text`` designates (at most FIND_LIMIT), and
    whether more were cut. Two queries whatever the number of matches."""
    if id_type not in IdType.values or not text.strip():
        return [], False
    condition, medium_number = _search(id_type, text)
    rows = list(customers_visible_to(staff).filter(condition).select_related("user").prefetch_related(
        Prefetch("media", queryset=Medium.objects.order_by("number"), to_attr="media_list"),
    ).order_by("cif_no")[:FIND_LIMIT + 1])
    found = []
    for customer in rows[:FIND_LIMIT]:
        media = customer.media_list
        card = next((m for m in media if m.number == medium_number), media[0] if media else None)
        found.append(CustomerFound(
            customer=customer, name_masked=mask_name(customer.name),
            id_masked=f"{customer.get_id_type_display()} {customer.id_number_masked}",
            phone_masked=mask_phone(customer.phone),
            card_masked=mask_account_number(card.number) if card else "—",
            ebank_status=ebank_status_label(getattr(customer, "user", None))))
    return found, len(rows) > FIND_LIMIT


# --- the customer page --------------------------------------------------------------------------

RECENT = 10


@dataclass(frozen=True)
class LimitLine:
    label: str
    single: str
    daily: str


@dataclass(frozen=True)
class AuditLine:
    occurred_at: object
    label: str
    outcome: str
    channel: str
    actor: str


@dataclass(frozen=True)
class CustomerPage:
    """What the 柜面业务 page shows besides the snapshot (state.py) it was built from."""

    linked_media_ids: frozenset[int]
    limits: list[LimitLine]
    limits_effective: LimitLine
    audit: list[AuditLine]
    receipts: list


def _yuan(value) -> str:
    return format_cny(value) if value is not None else "未设置"


def customer_limits(*, state: CustomerState) -> tuple[list[LimitLine], LimitLine]:
    """对外转账 limits: each level's own figures and the ones that bind now (one query)."""
    customer = state.customer
    subject = LimitSubject(customer_id=customer.pk, branch_code=customer.branch.code,
                           has_security_tool=any(t.status == ToolStatus.ACTIVE
                                                 for t in state.tools))
    effective = effective_limits(subject=subject, channel=LimitChannel.TRANSFER)
    lines = []
    for level, label in ((LimitLevel.CUSTOMER, "客户自设"),
                         (LimitLevel.BRANCH, f"行社（{customer.branch.code}）"),
                         (LimitLevel.BANK, "全行"),
                         (LimitLevel.TOOLLESS, "无安全工具客户")):
        single = effective.set_at(level, LimitKind.SINGLE)
        daily = effective.set_at(level, LimitKind.DAILY)
        if level == LimitLevel.TOOLLESS and single is None and daily is None:
            continue  # applies only to a customer without a usable tool
        lines.append(LimitLine(label, _yuan(single), _yuan(daily)))

    def binding(amount, level) -> str:
        if amount is None:
            return "不限"
        return f"{format_cny(amount)}（{LimitLevel(level).label}）"

    return lines, LimitLine("当前生效", binding(effective.single, effective.single_level),
                            binding(effective.daily, effective.daily_level))


def _actor_shown(event: AuditEvent) -> str:
    actor = event.actor
    if actor is None:
        return "系统"
    return actor.username if actor.is_staff else "客户本人"


def customer_page_read(*, state: CustomerState) -> CustomerPage:
    """Four queries: links, limits, the last audit rows, the last slips."""
    customer = state.customer
    linked = frozenset(LinkedMedium.objects.filter(customer=customer)
                       .values_list("medium_id", flat=True))
    limits, effective = customer_limits(state=state)
    events = (AuditEvent.objects.filter(customer_id=customer.pk).select_related("actor")
              .order_by("-occurred_at", "-id")[:RECENT])
    audit = [AuditLine(occurred_at=e.occurred_at, label=audit_action_label(e.action, e.detail),
                       outcome=e.get_outcome_display(), channel=audit_channel_label(e.channel),
                       actor=_actor_shown(e)) for e in events]
    receipts = list(CounterReceipt.objects.filter(customer=customer).select_related("staff")
                    .order_by("-created_at", "-id")[:RECENT])
    return CustomerPage(linked_media_ids=linked, limits=limits, limits_effective=effective,
                        audit=audit, receipts=receipts)
