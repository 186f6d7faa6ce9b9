"""个人贷款申请's form: what is wrong is said in Chinese beside its field and what was typed is
kept. The rules themselves are the service's (``apply_check``), so the page and the executor
refuse the same things in the same words."""

from django import forms

from accounts.payers import account_option_label
from ebank.core.errors import BusinessError
from ebank.core.money import parse_amount

from ..models import MethodChoices
from .services import apply_check

FIELDS = ("product", "amount", "months", "purpose", "method", "repayment_day", "account")


class ApplyForm(forms.Form):
    product = forms.ChoiceField(label="贷款产品", error_messages={
        "required": "请选择贷款产品", "invalid_choice": "请选择贷款产品"})
    amount = forms.CharField(label="申请金额（元）", required=False, max_length=30,
                             widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                           "autocomplete": "off"}),
                             error_messages={"max_length": "请输入正确的金额"})
    months = forms.ChoiceField(label="申请期限", error_messages={
        "required": "请选择申请期限", "invalid_choice": "请选择申请期限"})
    purpose = forms.ChoiceField(label="贷款用途", error_messages={
        "required": "请选择贷款用途", "invalid_choice": "请选择贷款用途"})
    method = forms.ChoiceField(label="还款方式", choices=MethodChoices.choices,
                               widget=forms.RadioSelect, error_messages={
                                   "required": "请选择还款方式", "invalid_choice": "请选择还款方式"})
    repayment_day = forms.ChoiceField(
        label="每月还款日", choices=[("", "请选择")] + [(str(d), f"{d}日") for d in range(1, 32)],
        help_text="29日至31日在当月没有该日时，于当月最后一日还款",
        error_messages={"required": "请选择每月还款日", "invalid_choice": "请选择每月还款日"})
    account = forms.ChoiceField(label="还款账户", error_messages={
        "required": "请选择还款账户", "invalid_choice": "请选择您的关联账户"})

    def __init__(self, *args, customer, products, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.terms = None
        self.fields["product"].choices = [("", "请选择")] + [
            (str(p.pk), f"{p.name}（{p.code}）") for p in products]
        months = sorted({m for p in products for m in p.term_list})
        self.fields["months"].choices = [("", "请选择")] + [(str(m), f"{m}个月") for m in months]
        purposes = list(dict.fromkeys(purpose for p in products for purpose in p.purpose_list))
        self.fields["purpose"].choices = [("", "请选择")] + [(p, p) for p in purposes]
        self.fields["account"].choices = [(str(a.pk), account_option_label(a)) for a in accounts]

    def clean_amount(self):
        typed = self.cleaned_data.get("amount", "")
        if not typed.strip():
            raise forms.ValidationError("请输入申请金额")
        try:
            return parse_amount(typed)
        except BusinessError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.terms = apply_check(
                customer=self.customer, product_id=data["product"], amount=data["amount"],
                months=data["months"], purpose=data["purpose"], method=data["method"],
                repayment_day=data["repayment_day"], account_id=data["account"])
        except BusinessError as exc:
            self.add_error(exc.code if exc.code in FIELDS else None, exc.message)
        return data
