"""Writes of the 账户管理 pages: 关联账户管理 (ACC-LINK) and 账户挂失 (ACC-LOSS).

Every refusal is a :class:`BusinessError` in the manual's own words (关联账户管理 注意事项 1–8,
账户挂失 注意事项 1–2); nothing is written then. Every change writes its audit row in the same
transaction (网银日志查询 reads them).

Order of the customer's accounts
--------------------------------
``LinkedMedium.position`` is kept as 1..n in display order. The (customer, position) unique
constraint is checked row by row on PostgreSQL, so a plain ``position + 1`` over all rows can
collide with itself half-way; :func:`_positions_write` therefore renumbers in two statements
(first to values below every current one, then to 1..n). Every change to the order locks the
customer row first, so two tabs moving accounts at once queue instead of interleaving.

The 交易密码 is checked with :func:`accounts.pin.medium_pin_check` *before* the write
transaction: a wrong PIN is counted (and may lock the medium for the day) even though the change
itself is refused and rolled back.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Case, IntegerField, Min, Q, Value, When
from django.utils import timezone

from ebank.core.audit import audit_record, audit_record_many
from ebank.core.clock import SHANGHAI
from ebank.core.errors import BusinessError
from ebank.core.masking import mask_account_number

from ..models import (
    Customer,
    LinkedMedium,
    Medium,
    MediumKind,
    MediumStatus,
    SubAccountKind,
)
from ..pin import medium_pin_check
from .selectors import LOSS_REPORT_ACTION, account_name, medium_ref

logger = logging.getLogger(__name__)

# 关联账户管理 注意事项, word for word where a refusal quotes them.
NOTE_1_SAME_CUSTOMER = "只能添加同一客户号下凭支付密码支取的银行账户。"
NOTE_2_KINDS = "可关联的银行账户类型有活期存折、借记卡、活期一本通、定期一本通。"
NOTE_3_NORMAL_ONLY = "只能关联凭证状态为正常的介质，凭证挂失等状态的介质不允许关联。"
NOTE_4_ONE_AT_A_TIME = "一次只能移动一个账户。"
NOTE_6_KEEP_CURRENT = "网银账户中必须保留一个活期账户。"
ALREADY_LINKED = "该账户已关联网银，无需重复添加。"
ALIAS_MAX_LENGTH = 30

# Media that pay by 交易密码 (note 2); a credit card does not hold the customer's own money.
LINKABLE_KINDS = (MediumKind.CURRENT_PASSBOOK, MediumKind.DEBIT_CARD,
                  MediumKind.CURRENT_ONEBOOK, MediumKind.FIXED_ONEBOOK)
# Media whose 活期主账户 counts for note 6.
CURRENT_KINDS = (MediumKind.DEBIT_CARD, MediumKind.CURRENT_PASSBOOK, MediumKind.CURRENT_ONEBOOK)

# 账户挂失 注意事项 1.
LOSS_AUTO_RELEASE_DAYS = 5
LOSS_NOT_NORMAL = "该账户当前状态为{status}，不能办理口头挂失。"


class LinkRefused(BusinessError):
    code = "link_refused"


def _customer_lock(customer: Customer) -> Customer:
    return Customer.objects.select_for_update().get(pk=customer.pk)


def _positions_write(*, customer_id: int, ordered_ids: list[int]) -> None:
    """Give the customer's links positions 1..n in ``ordered_ids`` order (customer row locked)."""
    if not ordered_ids:
        return
    rows = LinkedMedium.objects.filter(customer_id=customer_id)
    lowest = rows.aggregate(low=Min("position"))["low"] or 0
    # Below every current value, so no row of the first statement can meet one not yet moved.
    base = min(lowest, 0) - len(ordered_ids) - 1
    for values in ([base - i for i in range(len(ordered_ids))],
                   [i + 1 for i in range(len(ordered_ids))]):
        rows.filter(pk__in=ordered_ids).update(position=Case(
            *[When(pk=pk, then=Value(value)) for pk, value in zip(ordered_ids, values, strict=True)],
            output_field=IntegerField(),
        ))


def _order(customer_id: int) -> list[int]:
    return list(LinkedMedium.objects.filter(customer_id=customer_id)
                .order_by("position", "id").values_list("id", flat=True))


def _medium_for_link(*, customer: Customer, number: str) -> Medium:
    """The customer's medium by number, with notes 1–3 checked in the manual's words."""
    medium = Medium.objects.filter(number=number).first()
    if medium is None or medium.customer_id != customer.pk:
        # Someone else's card gets the same answer as no card: the page must not tell which
        # numbers exist, and their 交易密码 is never tried (no lock on a stranger's card).
        raise LinkRefused(NOTE_1_SAME_CUSTOMER)
    if medium.kind not in LINKABLE_KINDS:
        raise LinkRefused(NOTE_2_KINDS)
    if medium.status != MediumStatus.NORMAL:
        raise LinkRefused(NOTE_3_NORMAL_ONLY)
    return medium


def linked_medium_add(*, customer: Customer, number: str, pin: str, alias: str = "",
                      acting_user=None, ip_address: str | None = None) -> LinkedMedium:
    """关联账户: link one of the customer's own media; it goes first in the list (note 5).

    An empty alias keeps the default, the account name (note 7).
    """
    number = number.strip()
    alias = alias.strip()
    if len(alias) > ALIAS_MAX_LENGTH:
        raise LinkRefused(f"账户别名最多{ALIAS_MAX_LENGTH}个字符")
    medium = _medium_for_link(customer=customer, number=number)
    if LinkedMedium.objects.filter(medium=medium).exists():
        raise LinkRefused(ALREADY_LINKED)
    medium_pin_check(medium=medium, pin=pin)
    with transaction.atomic(durable=True):
        _customer_lock(customer)
        # Checked again under the lock: a second tab may have linked it meanwhile, or the
        # counter may have reported it lost.
        medium = Medium.objects.select_for_update().get(pk=medium.pk)
        if medium.status != MediumStatus.NORMAL:
            raise LinkRefused(NOTE_3_NORMAL_ONLY)
        if LinkedMedium.objects.filter(medium=medium).exists():
            raise LinkRefused(ALREADY_LINKED)
        order = _order(customer.pk)
        link = LinkedMedium.objects.create(customer=customer, medium=medium, alias=alias,
                                           position=-(len(order) + 1_000_000))
        _positions_write(customer_id=customer.pk, ordered_ids=[link.pk, *order])
        link.refresh_from_db(fields=["position"])
        audit_record(action="account_link", actor=acting_user, customer_id=customer.pk,
                     object_ref=medium_ref(medium), ip_address=ip_address,
                     detail={"medium": mask_account_number(medium.number),
                             "kind": medium.get_kind_display(), "alias": alias})
    return link


def linked_medium_unlink(*, customer: Customer, link_id: int, acting_user=None,
                         ip_address: str | None = None) -> None:
    """解除关联: refused when it would leave no 活期 account in e-banking (note 6)."""
    with transaction.atomic(durable=True):
        _customer_lock(customer)
        link = (LinkedMedium.objects.select_related("medium")
                .filter(pk=link_id, customer=customer).first())
        if link is None:
            raise LinkRefused("账户不存在")
        if _holds_current(link.medium):
            others = (LinkedMedium.objects.filter(customer=customer)
                      .exclude(pk=link.pk)
                      .filter(medium__kind__in=CURRENT_KINDS,
                              medium__sub_accounts__kind=SubAccountKind.CURRENT_MAIN)
                      .exists())
            if not others:
                raise LinkRefused(NOTE_6_KEEP_CURRENT + "该账户是您网银中唯一的活期账户，不能删除。")
        medium = link.medium
        link.customer = customer
        name = account_name(link)
        link.delete()
        _positions_write(customer_id=customer.pk, ordered_ids=_order(customer.pk))
        audit_record(action="account_unlink", actor=acting_user, customer_id=customer.pk,
                     object_ref=medium_ref(medium), ip_address=ip_address,
                     detail={"medium": mask_account_number(medium.number), "name": name})


def _holds_current(medium: Medium) -> bool:
    return (medium.kind in CURRENT_KINDS
            and medium.sub_accounts.filter(kind=SubAccountKind.CURRENT_MAIN).exists())


def linked_medium_move(*, customer: Customer, link_id: int, direction: str, acting_user=None,
                       ip_address: str | None = None) -> None:
    """上移/下移: one account, one place (note 4)."""
    if direction not in ("up", "down"):
        raise LinkRefused("请选择上移或下移")
    with transaction.atomic(durable=True):
        _customer_lock(customer)
        order = _order(customer.pk)
        if link_id not in order:
            raise LinkRefused("账户不存在")
        index = order.index(link_id)
        target = index - 1 if direction == "up" else index + 1
        if target < 0:
            raise LinkRefused("该账户已在第一位，不能上移")
        if target >= len(order):
            raise LinkRefused("该账户已在最后一位，不能下移")
        order[index], order[target] = order[target], order[index]
        _positions_write(customer_id=customer.pk, ordered_ids=order)
        audit_record(action="account_move", actor=acting_user, customer_id=customer.pk,
                     object_ref=f"linked_medium:{link_id}", ip_address=ip_address,
                     detail={"direction": "上移" if direction == "up" else "下移",
                             "position": target + 1})


def linked_medium_alias_set(*, customer: Customer, link_id: int, alias: str, acting_user=None,
                            ip_address: str | None = None) -> LinkedMedium:
    """设置账户别名; an empty alias goes back to the account name (note 7)."""
    alias = alias.strip()
    if len(alias) > ALIAS_MAX_LENGTH:
        raise LinkRefused(f"账户别名最多{ALIAS_MAX_LENGTH}个字符")
    with transaction.atomic(durable=True):
        link = (LinkedMedium.objects.select_for_update().select_related("medium")
                .filter(pk=link_id, customer=customer).first())
        if link is None:
            raise LinkRefused("账户不存在")
        old = link.alias
        link.alias = alias
        link.save(update_fields=["alias"])
        audit_record(action="account_alias", actor=acting_user, customer_id=customer.pk,
                     object_ref=medium_ref(link.medium), ip_address=ip_address,
                     detail={"medium": link.medium.masked_number, "old": old, "new": alias})
    return link


# --- 账户挂失 ----------------------------------------------------------------------------------


def medium_loss_report(*, customer: Customer, link_id: int, pin: str, acting_user=None,
                       ip_address: str | None = None) -> Medium:
    """口头挂失 of a linked medium; afterwards only balance queries work on it (note 1).

    The report's time is kept on the medium (``loss_reported_at``): the nightly batch releases
    the loss five days later (:func:`accounts.nightly.loss_release_step`).
    """
    link = (LinkedMedium.objects.select_related("medium")
            .filter(pk=link_id, customer=customer, medium__customer=customer).first())
    if link is None:
        raise BusinessError("本交易只提供已加挂网银账户的挂失功能")
    medium = link.medium
    if medium.status != MediumStatus.NORMAL:
        raise BusinessError(LOSS_NOT_NORMAL.format(status=medium.get_status_display()))
    medium_pin_check(medium=medium, pin=pin)
    with transaction.atomic(durable=True):
        medium = Medium.objects.select_for_update().get(pk=medium.pk)
        if medium.status != MediumStatus.NORMAL:
            raise BusinessError(LOSS_NOT_NORMAL.format(status=medium.get_status_display()))
        medium.status = MediumStatus.ORAL_LOSS
        medium.loss_reported_at = timezone.now()
        medium.save(update_fields=["status", "loss_reported_at"])
        audit_record(action=LOSS_REPORT_ACTION, actor=acting_user, customer_id=customer.pk,
                     object_ref=medium_ref(medium), ip_address=ip_address,
                     detail={"medium": medium.masked_number, "kind": medium.get_kind_display()})
    return medium


# --- 书面挂失 and 解挂 by staff (admin actions), and the nightly release -------------------------


def medium_written_loss_record(*, medium_id: int, acting_user, channel: str = "counter") -> bool:
    """书面挂失 at the counter: from 正常 or 口头挂失; False when the status does not allow it.

    A written loss is not released by the nightly batch: only staff release it (through 复核).
    Plain ``atomic``: the counter action holds the transaction (its ID check and slip).
    """
    with transaction.atomic():
        medium = Medium.objects.select_for_update().get(pk=medium_id)
        if medium.status not in (MediumStatus.NORMAL, MediumStatus.ORAL_LOSS):
            return False
        previous = medium.status
        medium.status = MediumStatus.WRITTEN_LOSS
        medium.loss_reported_at = None  # no longer an oral loss the batch could release
        medium.save(update_fields=["status", "loss_reported_at"])
        audit_record(action="account_loss_written", actor=acting_user, channel=channel,
                     customer_id=medium.customer_id, object_ref=medium_ref(medium),
                     detail={"medium": medium.masked_number,
                             "from": MediumStatus(previous).label})
    return True


def medium_loss_release(*, medium_id: int, acting_user=None, channel: str = "admin",
                        reason: str = "柜面解挂") -> bool:
    """解挂: 口头/书面挂失 back to 正常; False when the medium is not reported lost.

    Plain ``atomic``: the nightly batch calls it inside its step transaction.
    """
    with transaction.atomic():
        medium = Medium.objects.select_for_update().get(pk=medium_id)
        if medium.status not in (MediumStatus.ORAL_LOSS, MediumStatus.WRITTEN_LOSS):
            return False
        previous = medium.status
        medium.status = MediumStatus.NORMAL
        medium.loss_reported_at = None
        medium.save(update_fields=["status", "loss_reported_at"])
        audit_record(action="account_loss_release", actor=acting_user, channel=channel,
                     customer_id=medium.customer_id, object_ref=medium_ref(medium),
                     detail={"medium": medium.masked_number,
                             "from": MediumStatus(previous).label, "reason": reason})
    return True


def media_oral_loss_release(*, reported_before: datetime) -> int:
    """Release, in one UPDATE, every 口头挂失 reported online before ``reported_before``.

    What :func:`medium_loss_release` does for one medium, done for all of them at once: back to
    正常, and one ``account_loss_release`` audit row each (channel ``batch``, no actor, the
    reason naming the report's Asia/Shanghai date), all written in one INSERT. A medium in
    口头挂失 without a report time (not reported online: a data fix, an old import) cannot have
    its days counted: it is left to staff and logged. Returns how many were released.
    Plain ``atomic``: the nightly batch calls it inside its step transaction.
    """
    with transaction.atomic():
        # Locked, so a 解挂 or 书面挂失 at the counter at this moment waits for the batch (or the
        # batch for it, and then no longer finds the row); the UPDATE cannot undo either.
        rows = list(
            Medium.objects.select_for_update()
            .filter(Q(loss_reported_at__lt=reported_before) | Q(loss_reported_at__isnull=True),
                    status=MediumStatus.ORAL_LOSS)
            .order_by("pk").values_list("pk", "customer_id", "number", "loss_reported_at"))
        due, audits = [], []
        for medium_id, customer_id, number, reported_at in rows:
            if reported_at is None:
                logger.warning("medium %s is in oral loss without an online report; "
                               "not released", medium_id)
                continue
            due.append(medium_id)
            audits.append({
                "action": "account_loss_release", "actor": None, "channel": "batch",
                "customer_id": customer_id, "object_ref": medium_ref(medium_id),
                "detail": {"medium": mask_account_number(number),
                           "from": MediumStatus.ORAL_LOSS.label,
                           "reason": _auto_release_reason(reported_at)}})
        if due:
            Medium.objects.filter(pk__in=due).update(status=MediumStatus.NORMAL,
                                                     loss_reported_at=None)
            audit_record_many(audits)
    return len(due)


def _auto_release_reason(reported_at: datetime) -> str:
    reported_on = timezone.localdate(reported_at, timezone=SHANGHAI)
    return f"口头挂失{LOSS_AUTO_RELEASE_DAYS}天自动解挂（挂失日{reported_on:%Y-%m-%d}）"
