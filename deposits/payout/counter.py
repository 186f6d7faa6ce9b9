"""存本取息开户 at the counter (柜面业务, security.staff.counter): the manual offers only 支取 and
利息账户变更/查询 online, so the deposit is opened by a teller, with the ID check and the
业务受理单 like every counter action. Registered from DepositsConfig.ready()."""

from django import forms
from django.db import transaction

from accounts.models import (
    Customer,
    Medium,
    MediumKind,
    MediumStatus,
    SubAccount,
    SubAccountKind,
    SubAccountStatus,
)
from deposits.business_types import DepositCounterAction
from ebank.core.clock import business_day
from ebank.core.money import format_cny
from security.models import CounterReceipt, User
from security.staff.counter.actions import CounterActionSpec, counter_action
from security.staff.counter.common import counter_record, staff_branch
from security.staff.counter.forms import IdentityForm, LimitAmountField, MediumChoiceField
from security.staff.counter.numbers import receipt_number_next
from security.staff.counter.services import counter_begin

from ..fixed import masked_number
from ..models import PayoutFrequency
from ..rates import term_text
from . import services


def _cards(customer: Customer):
    return Medium.objects.filter(customer=customer, kind=MediumKind.DEBIT_CARD,
                                 status=MediumStatus.NORMAL).order_by("number")


class InterestAccountField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SubAccount) -> str:
        return f"{obj.medium.get_kind_display()} {obj.medium.masked_number} 活期主账户"


class PayoutOpenForm(IdentityForm):
    medium = MediumChoiceField(label="借记卡", queryset=Medium.objects.none(), empty_label=None,
                               help_text="从该卡活期主账户转出，存本取息开立在本卡内")
    amount = LimitAmountField(label="存入金额", help_text="起存金额5000元")
    term_months = forms.TypedChoiceField(
        label="存期", coerce=int, choices=[(m, term_text(m)) for m in services.TERMS],
        error_messages={"invalid_choice": services.TERM_UNKNOWN})
    frequency = forms.ChoiceField(label="取息频率", choices=PayoutFrequency.choices,
                                  widget=forms.RadioSelect,
                                  error_messages={"required": services.FREQUENCY_UNKNOWN})
    interest_account = InterestAccountField(
        label="利息账户", queryset=SubAccount.objects.none(), required=False,
        empty_label="本卡活期主账户", help_text="每期利息转入的账户，客户本人的活期账户")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["medium"].queryset = _cards(self.customer)
        self.fields["interest_account"].queryset = SubAccount.objects.filter(
            medium__customer=self.customer, kind=SubAccountKind.CURRENT_MAIN,
            status=SubAccountStatus.OPEN, medium__status=MediumStatus.NORMAL,
        ).select_related("medium").order_by("medium__number")

    def clean(self):
        data = super().clean()
        if "amount" in data and data["amount"] is None:
            self.add_error("amount", "请输入存入金额")
        return data


@transaction.atomic(durable=True)
def counter_payout_open(*, acting_user: User, customer: Customer, id_type: str, id_number: str,
                        id_copy_received: bool, medium: Medium, amount, term_months, frequency,
                        interest_account: SubAccount | None) -> CounterReceipt:
    customer = counter_begin(acting_user=acting_user, customer=customer, id_type=id_type,
                             id_number=id_number, id_copy_received=id_copy_received)
    on = business_day()
    source = (SubAccount.objects.select_for_update(of=("self",))
              .select_related("medium__customer", "medium__branch", "ledger_account")
              .filter(medium_id=medium.pk, kind=SubAccountKind.CURRENT_MAIN).first())
    to = (SubAccount.objects.select_related("medium__customer", "medium__branch")
          .get(pk=interest_account.pk) if interest_account is not None else None)
    plan = services.payout_open_check(customer=customer, source=source, interest_account=to,
                                      term_months=term_months, frequency=frequency,
                                      amount=amount, on=on)
    number = receipt_number_next()
    deposit = services.payout_open_post(actor=acting_user, plan=plan,
                                        idempotency_key=f"counter_payout_open:{number}", on=on)
    return counter_record(
        action=DepositCounterAction.PAYOUT_OPEN, customer=customer, staff=acting_user,
        branch=staff_branch(staff=acting_user), number=number, card_number=medium.number,
        items=[["业务内容", "存本取息开户"],
               ["存本取息账号", masked_number(deposit.sub_account)],
               ["存入金额", format_cny(deposit.principal)],
               ["存期", term_text(deposit.term_months)],
               ["年利率", f"{deposit.annual_rate:.2f}%"],
               ["取息频率", deposit.get_payout_frequency_display()],
               ["每期利息", format_cny(services.schedule_of(deposit)[0])],
               ["首次付息日", f"{services.payout_day(deposit, 1):%Y-%m-%d}"],
               ["到期日", f"{deposit.matures_on:%Y-%m-%d}"],
               ["利息账户", f"{deposit.interest_account.medium.masked_number} 活期主账户"]],
        audit_detail={"deposit": deposit.pk, "amount": str(deposit.principal)})


def _identity(data: dict) -> dict:
    return {key: data[key] for key in ("id_type", "id_number", "id_copy_received")}


counter_action(DepositCounterAction.PAYOUT_OPEN, CounterActionSpec(
    PayoutOpenForm,
    lambda staff, customer, d: counter_payout_open(
        acting_user=staff, customer=customer, **_identity(d), medium=d["medium"],
        amount=d["amount"], term_months=d["term_months"], frequency=d["frequency"],
        interest_account=d.get("interest_account")),
    applies=lambda s: any(m.kind == MediumKind.DEBIT_CARD and m.status == MediumStatus.NORMAL
                          for m in s.media),
    unavailable="该客户没有正常状态的借记卡",
    note="从借记卡活期主账户转出，起存金额5000元，存期一年、三年或五年，按月或按季付息；"
         "每期利息=本金×年利率×存期（年）÷付息次数，末期含尾差。"))
