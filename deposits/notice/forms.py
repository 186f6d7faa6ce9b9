"""Forms of 通知存款开户, 支取通知 and 通知存款支取: shape only; the services check the manual's
notes and answer in its words, so a crafted POST meets the same rules."""

from django import forms

from ebank.core.money import format_cny

from ..forms import (
    AmountField,
    FixedWithdrawForm,
    IdChoiceField,
    source_label,
    withdraw_mode_field,
)
from ..models import Product

PRODUCTS = [(Product.NOTICE_1D.value, Product.NOTICE_1D.label),
            (Product.NOTICE_7D.value, Product.NOTICE_7D.label)]


class NoticeOpenForm(forms.Form):
    from_sub_account = IdChoiceField(label="转出账户", error_messages={
        "required": "请选择转出账户"}, help_text="借记卡的活期主账户")
    product = forms.ChoiceField(label="储种", choices=PRODUCTS, initial=Product.NOTICE_7D,
                                widget=forms.RadioSelect,
                                error_messages={"required": "请选择通知存款品种",
                                                "invalid_choice": "请选择通知存款品种"})
    amount = AmountField(label="存入金额", error_messages={"required": "请输入存入金额"},
                         help_text="通知存款起存金额5万元")

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_sub_account"].choices = [("", "请选择")] + [
            (str(s.pk), source_label(s)) for s in sources]


class NoticeGiveForm(forms.Form):
    amount = AmountField(label="通知支取金额", error_messages={"required": "请输入通知支取金额"},
                         help_text="全部或部分（通知支取后的余额不得小于5万元）")
    withdraw_on = forms.DateField(
        label="预约支取日", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="一天通知存款至少提前1天、七天通知存款至少提前7天通知",
        error_messages={"required": "请输入预约支取日", "invalid": "请按年-月-日输入预约支取日"})


class NoticeWithdrawForm(FixedWithdrawForm):
    """定期支取's form (its check that a partial one names an amount) with 通知存款's labels."""

    MODES = (("full", "全部支取（销户）"), ("partial", "部分支取"))

    deposit = IdChoiceField(label="通知存款账户", error_messages={"required": "请选择通知存款账户"})
    mode = withdraw_mode_field(MODES)
    amount = AmountField(label="支取金额", required=False,
                         help_text="部分支取时填写；全部支取无需填写")

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, deposits=(), **kwargs)
        self.fields["deposit"].choices = [("", "请选择")] + [
            (str(row["deposit"].pk), f"{row['number']} {row['deposit'].get_product_display()} "
                                     f"{format_cny(row['balance'])}") for row in rows]
