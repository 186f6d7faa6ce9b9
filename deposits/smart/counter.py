"""利先得开户 at the counter (DEP-LXD): a counter action (security.staff.counter.actions) with
the ID check and a 业务受理单, registered when DepositsConfig.ready() imports this module.

The teller picks one of the customer's debit cards in 正常 state and types the amount; the
principal moves from the card's 活期主账户 into a new 利先得 sub-account on the card and the
full-term interest is paid at once from 利息支出 to that 活期 (deposits.smart.lixiande), each
with its 电子回单 (channel 柜面). The slip names the deposit, the rate, the maturity and the
interest paid. All in one durable transaction: a refusal (balance, minimum, no rate) moves
nothing and is recorded by the action page (counter_refusal_record).
"""

from django.db import transaction

from accounts.models import Customer, Medium, MediumKind, MediumStatus, SubAccountKind
from deposits.business_types import DepositCounterAction
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from security.models import CounterReceipt, User
from security.staff.counter.actions import CounterActionSpec, counter_action
from security.staff.counter.common import amount_text, counter_record, staff_branch
from security.staff.counter.forms import IdentityForm, MediumChoiceField
from security.staff.counter.numbers import receipt_number_next
from security.staff.counter.services import counter_begin

from ..fixed import masked_number
from ..forms import AmountField
from ..rates import term_text
from . import lixiande


@transaction.atomic(durable=True)
def counter_lixiande_open(*, acting_user: User, customer: Customer, id_type: str, id_number: str,
                          id_copy_received: bool, medium: Medium, amount) -> CounterReceipt:
    customer = counter_begin(acting_user=acting_user, customer=customer, id_type=id_type,
                             id_number=id_number, id_copy_received=id_copy_received)
    card = Medium.objects.select_for_update().select_related("branch", "customer").get(
        pk=medium.pk)
    if card.customer_id != customer.pk:
        raise BusinessError("该卡（账户）不属于该客户")
    main = card.sub_accounts.select_related("medium__customer", "medium__branch",
                                            "ledger_account").filter(
        kind=SubAccountKind.CURRENT_MAIN).first()
    if main is None:
        raise BusinessError(lixiande.CARD_ONLY)
    number = receipt_number_next()
    opened = lixiande.lixiande_open_post(customer=customer, main=main, amount=amount,
                                         on=business_day(),
                                         idempotency_key=f"counter:lixiande:{number}")
    deposit = opened.deposit
    return counter_record(
        action=DepositCounterAction.LIXIANDE_OPEN, customer=customer, staff=acting_user,
        branch=staff_branch(staff=acting_user), number=number, card_number=card.number, items=[
            ["业务内容", "利先得开户"],
            ["转出账户", f"借记卡 {card.masked_number}（活期主账户）"],
            ["利先得账号", masked_number(deposit.sub_account)],
            ["存入金额", amount_text(deposit.principal)],
            ["存期", term_text(deposit.term_months)],
            ["年利率", f"{deposit.annual_rate:.2f}%"],
            ["起息日", f"{deposit.value_date:%Y-%m-%d}"],
            ["到期日", f"{deposit.matures_on:%Y-%m-%d}"],
            ["预付利息（已转入活期）", amount_text(opened.interest)],
            ["提前支取", lixiande.EARLY_NOTE],
        ], audit_detail={"deposit": deposit.pk, "amount": str(deposit.principal),
                         "interest": str(opened.interest)})


def _cards(customer: Customer):
    return Medium.objects.filter(customer=customer, kind=MediumKind.DEBIT_CARD,
                                 status=MediumStatus.NORMAL).order_by("number")


class LixiandeOpenForm(IdentityForm):
    medium = MediumChoiceField(label="转出借记卡", queryset=Medium.objects.none(),
                               empty_label=None)
    amount = AmountField(label="存入金额",
                         help_text=f"存期一年，起存金额{lixiande.MINIMUM}元；"
                                   "开户时即将整个存期的利息转入该卡活期",
                         error_messages={"required": "请输入存入金额"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["medium"].queryset = _cards(self.customer)


counter_action(DepositCounterAction.LIXIANDE_OPEN, CounterActionSpec(
    LixiandeOpenForm,
    lambda staff, customer, d: counter_lixiande_open(
        acting_user=staff, customer=customer, **{k: d[k] for k in (
            "id_type", "id_number", "id_copy_received")}, medium=d["medium"],
        amount=d["amount"]),
    applies=lambda s: any(m.kind == MediumKind.DEBIT_CARD and m.status == MediumStatus.NORMAL
                          for m in s.media),
    unavailable="该客户没有正常状态的借记卡",
    note="利先得存期一年，开户时即支付整个存期的利息；到期前支取将扣回已付利息与活期利息的差额。"))
