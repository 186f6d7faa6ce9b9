"""Forms of 大额存单开户 / 支取 and 利息账户变更: shape only; the services check the rules."""

from django import forms

from ebank.core.money import format_cny

from ..forms import AmountField, IdChoiceField, PartialNeedsAmount, withdraw_mode_field
from ..models import LargeCDProduct
from ..rates import term_text


def _account_label(sub) -> str:
    ledger = sub.ledger_account
    return (f"{sub.medium.get_kind_display()} {sub.medium.masked_number}"
            f"（可用余额{format_cny(ledger.balance - ledger.held)}）")


class CDOpenForm(forms.Form):
    product = IdChoiceField(label="大额存单产品", error_messages={"required": "请选择大额存单产品"})
    from_sub_account = IdChoiceField(label="转出账户（借记卡活期主账户）",
                                     error_messages={"required": "请选择转出账户"})
    amount = AmountField(label="存入金额", error_messages={"required": "请输入存入金额"},
                         help_text="个人起存金额20万元")

    def __init__(self, *args, products: list[LargeCDProduct], sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", "请选择")] + [
            (str(p.pk), f"{p.code} {p.name} {term_text(p.term_months)} {p.annual_rate:.2f}%")
            for p in products]
        self.fields["from_sub_account"].choices = [("", "请选择")] + [
            (str(s.pk), _account_label(s)) for s in sources]


class CDWithdrawForm(PartialNeedsAmount, forms.Form):
    MODES = (("full", "全部支取（销户或到期支取）"), ("partial", "部分提前支取"))

    mode = withdraw_mode_field(MODES)
    amount = AmountField(label="支取金额", required=False,
                         help_text="部分提前支取时填写，支取后余额不能小于20万元")


class InterestAccountForm(forms.Form):
    to = IdChoiceField(label="新利息账户", error_messages={"required": "请选择新利息账户"})

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [("", "请选择")] + [
            (str(s.pk), f"{s.medium.get_kind_display()} {s.medium.masked_number} 活期主账户")
            for s in targets]
