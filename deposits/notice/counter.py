"""活期宝签约 at the counter (the manual offers only 解约 and 查询 online): a counter action
(security.staff.counter.actions) registered when this module is imported (DepositsConfig.ready()).

The teller checks the customer's ID (``counter_begin``: scope, customer row lock, ID), picks one
of the customer's debit cards in 正常 state and types the 留存金额; the agreement starts that
day (the night's 活期宝归集 sweeps it) and the 业务受理单 is printed.
"""

from django.db import transaction

from accounts.models import Customer, Medium, MediumKind, MediumStatus
from deposits.business_types import DepositCounterAction
from ebank.core.clock import business_day
from ebank.core.money import format_cny
from security.models import CounterReceipt, User
from security.staff.counter.actions import CounterActionSpec, counter_action
from security.staff.counter.common import counter_record, staff_branch
from security.staff.counter.forms import IdentityForm, MediumChoiceField
from security.staff.counter.services import counter_begin

from ..forms import AmountField
from ..models import SweepAgreement, SweepStatus
from .sweep import SWEEP_MINIMUM, agreement_sign_post


@transaction.atomic(durable=True)
def counter_hqb_sign(*, acting_user: User, customer: Customer, id_type: str, id_number: str,
                     id_copy_received: bool, medium: Medium, threshold) -> CounterReceipt:
    customer = counter_begin(acting_user=acting_user, customer=customer, id_type=id_type,
                             id_number=id_number, id_copy_received=id_copy_received)
    on = business_day()
    agreement = agreement_sign_post(staff=acting_user, customer=customer, medium=medium,
                                    threshold=threshold, on=on)
    return counter_record(action=DepositCounterAction.HQB_SIGN, customer=customer, staff=acting_user,
                          branch=staff_branch(staff=acting_user), card_number=medium.number,
                          items=[["业务内容", "活期宝签约"],
                                 ["签约借记卡", f"借记卡 {agreement.medium.masked_number}"],
                                 ["留存金额", format_cny(agreement.threshold)],
                                 ["签约日", f"{on:%Y-%m-%d}"],
                                 ["归集规则", f"日终超出留存金额部分按千元整数、满"
                                              f"{format_cny(SWEEP_MINIMUM)}转入七天通知存款"]],
                          audit_detail={"medium": agreement.medium.masked_number,
                                        "threshold": str(agreement.threshold),
                                        "agreement": agreement.pk})


def _signable_cards(customer: Customer):
    active = SweepAgreement.objects.filter(status=SweepStatus.ACTIVE).values("medium_id")
    return (Medium.objects.filter(customer=customer, kind=MediumKind.DEBIT_CARD,
                                  status=MediumStatus.NORMAL)
            .exclude(pk__in=active).order_by("number"))


class HqbSignForm(IdentityForm):
    medium = MediumChoiceField(label="签约借记卡", queryset=Medium.objects.none(),
                               empty_label=None)
    threshold = AmountField(label="留存金额", error_messages={"required": "请输入留存金额"},
                            help_text="活期主账户保留的金额，超出部分日终转入七天通知存款")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["medium"].queryset = _signable_cards(self.customer)


def _applies(state) -> bool:
    """A debit card in 正常 state (a card already signed is left out of the form and refused
    by the service: the menu reads no more than the snapshot)."""
    return any(m.kind == MediumKind.DEBIT_CARD and m.status == MediumStatus.NORMAL
               for m in state.media)


counter_action(DepositCounterAction.HQB_SIGN, CounterActionSpec(
    HqbSignForm,
    lambda staff, customer, d: counter_hqb_sign(
        acting_user=staff, customer=customer, id_type=d["id_type"], id_number=d["id_number"],
        id_copy_received=d["id_copy_received"], medium=d["medium"], threshold=d["threshold"]),
    applies=_applies,
    unavailable="该客户没有正常状态的借记卡，不能签约活期宝",
    note="签约后每日日终超出留存金额的部分（按千元整数、满5万元）转入七天通知存款；"
         "客户可在网上银行查询和解约。"))
