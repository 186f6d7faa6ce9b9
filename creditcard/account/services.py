"""信用卡信息维护 (CC-INFO): the customer's change of the card's details through X-CONFIRM
(the card's 交易密码 and a tool or an SMS code), executed once, re-checked under the card's
lock, with an audit row. Nothing changed: no operation at all."""

from django.urls import reverse

from accounts.pin import medium_online_check
from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError
from security.confirm.services import operation_start
from security.models import PendingOperation, User

from .. import engine
from ..models import BillDelivery, Card, CardStatus
from .forms import INFO_FIELDS, CardInfoForm

KIND_INFO_UPDATE = "creditcard.info_update"
INFO_UPDATE_ACTION = "creditcard.info_update"
NOTHING_CHANGED = "信用卡信息未作修改，无需更新"
CHANGED_MEANWHILE = "信用卡信息已变更，请重新查询后再修改"
LABELS = {"bill_delivery": "账单寄送方式", "bill_email": "账单邮箱", "mailing_address": "通讯地址",
          "postcode": "邮政编码", "employer": "单位名称", "employer_phone": "单位电话"}


def card_info(card: Card) -> dict[str, str]:
    return {name: getattr(card, name) for name in INFO_FIELDS}


def _shown(name: str, value: str) -> str:
    if name == "bill_delivery":
        return BillDelivery(value).label
    return value or "（未填写）"


def card_info_update_start(*, user: User, card: Card, values: dict[str, str]) -> PendingOperation:
    """The changed details → X-CONFIRM; refused (BusinessError) when nothing changed."""
    if card.status != CardStatus.ACTIVE:
        raise BusinessError(f"该信用卡状态为{card.get_status_display()}，不能修改信用卡信息")
    was = card_info(card)
    changed = [name for name in INFO_FIELDS if values[name] != was[name]]
    if not changed:
        raise BusinessError(NOTHING_CHANGED)
    medium_online_check(medium=card.medium)
    summary = [("信用卡卡号", card.medium.masked_number)]
    for name in changed:
        summary.append((f"原{LABELS[name]}", _shown(name, was[name])))
        summary.append((f"新{LABELS[name]}", _shown(name, values[name])))
    return operation_start(
        user=user, kind=KIND_INFO_UPDATE,
        payload={"card_id": card.pk, "new": dict(values), "was": was},
        summary=summary, medium=card.medium,
        back_url=f"{reverse('creditcard:info')}?card={card.pk}")


def card_info_apply(*, operation: PendingOperation) -> Card:
    """The executor's work: the card locked first, unchanged since the start, values valid."""
    payload = operation.payload
    if not Card.objects.filter(pk=payload["card_id"],
                               customer_id=operation.user.customer_id).exists():
        raise BusinessError("没有这张信用卡")
    card = engine.card_lock(payload["card_id"])
    if card.status != CardStatus.ACTIVE:
        raise BusinessError(f"该信用卡状态为{card.get_status_display()}，不能修改信用卡信息")
    if card_info(card) != payload["was"]:
        raise BusinessError(CHANGED_MEANWHILE)
    form = CardInfoForm(data={**payload["new"], "card": card.pk})
    if not form.is_valid():
        raise BusinessError(next(iter(form.errors.values()))[0])
    values = form.values()
    changed = [name for name in INFO_FIELDS if values[name] != payload["was"][name]]
    for name in changed:
        setattr(card, name, values[name])
    card.save(update_fields=changed)
    audit_record(action=INFO_UPDATE_ACTION, actor=operation.user,
                 customer_id=operation.user.customer_id, object_ref=card.medium.masked_number,
                 detail={"changed": changed,
                         "was": {name: payload["was"][name] for name in changed},
                         "new": {name: values[name] for name in changed},
                         "operation": operation.public_id})
    return card
