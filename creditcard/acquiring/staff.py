"""What staff do to a card from the admin: 冻结/解冻 (主管 and 总行管理员) and, where the acquirer
is the simulator, 模拟消费 for demos. Each is audited."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ebank.acquirer.adapter import AcquirerOutcome, acquirer_adapter
from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError
from ebank.core.models import AuditOutcome
from security.staff.counter.common import staff_may_act_on
from security.staff.roles import Role, has_role

from ..engine import card_lock
from ..models import Card, CardStatus

FREEZE_ACTION = "card_freeze"
UNFREEZE_ACTION = "card_unfreeze"
SIMULATE_ACTION = "card_simulated_purchase"
AUDIT_LABELS = {FREEZE_ACTION: "信用卡冻结", UNFREEZE_ACTION: "信用卡解冻",
                SIMULATE_ACTION: "信用卡模拟消费"}


def may_change_status(staff) -> bool:
    return has_role(staff, Role.SUPERVISOR, Role.HEAD_OFFICE)


def card_status_change(*, staff, card_id: int, freeze: bool) -> bool:
    """冻结 (``freeze``) or 解冻 the card; False when it already is. A closed card is refused."""
    if not may_change_status(staff):
        raise PermissionDenied("只有主管或总行管理员可以冻结、解冻信用卡")
    with transaction.atomic():
        card = card_lock(card_id)
        if not staff_may_act_on(staff=staff, customer=card.customer):
            raise PermissionDenied("只能办理本行社客户的业务")
        if card.status == CardStatus.CLOSED:
            raise BusinessError("已销卡的信用卡不能冻结或解冻")
        target = CardStatus.FROZEN if freeze else CardStatus.ACTIVE
        if card.status == target:
            return False
        Card.objects.filter(pk=card.pk).update(status=target)
        audit_record(action=FREEZE_ACTION if freeze else UNFREEZE_ACTION, actor=staff,
                     customer_id=card.customer_id, object_ref=f"creditcard.card:{card.pk}",
                     channel="admin", detail={"card": card.medium.masked_number,
                                              "from": card.status, "to": target})
    return True


def card_simulated_purchase(*, staff, card: Card, amount: Decimal, merchant: str,
                            mcc: str) -> AcquirerOutcome:
    """A purchase on ``card`` sent through the acquirer (the simulator only), audited with the
    issuer's answer."""
    adapter = acquirer_adapter()
    if not adapter.simulated:
        raise BusinessError("收单机构不是模拟器，不能模拟消费")
    if not staff_may_act_on(staff=staff, customer=card.customer):
        raise PermissionDenied("只能办理本行社客户的业务")
    outcome = adapter.purchase(card_number=card.medium.number, amount=amount, merchant=merchant,
                               mcc=mcc)
    audit_record(action=SIMULATE_ACTION, actor=staff, customer_id=card.customer_id,
                 outcome=AuditOutcome.SUCCESS if outcome.approved else AuditOutcome.FAILURE,
                 object_ref=f"creditcard.card:{card.pk}", channel="admin",
                 detail={"card": card.medium.masked_number, "amount": str(outcome.amount),
                         "merchant": outcome.merchant, "reference": outcome.reference,
                         "reason": outcome.reason})
    return outcome
