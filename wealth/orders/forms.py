"""理财产品认购's query and buy forms, 赎回's form: what is wrong is said in Chinese and what was
typed is kept (the form re-renders its bound data)."""

import re
from decimal import Decimal

from django import forms

from accounts.payers import account_option_label
from ebank.core.errors import BusinessError
from ebank.core.money import parse_amount

from ..models import RiskLevel
from .selectors import TYPE_OPEN, TYPE_RAISING

_SHARES = re.compile(r"[0-9]{1,14}(\.[0-9]+)?")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")


class ProductQueryForm(forms.Form):
    product_type = forms.ChoiceField(
        label="产品类型", required=False,
        choices=[("", "全部"), (TYPE_RAISING, "认购期产品"), (TYPE_OPEN, "开放式产品")])
    risk_level = forms.ChoiceField(label="风险等级", required=False,
                                   choices=[("", "全部"), *RiskLevel.choices])
    keyword = forms.CharField(label="产品名称/代码", required=False, max_length=30,
                              error_messages={"max_length": "产品名称/代码最多30个字"})


def _payer_choices(accounts):
    return [(str(account.pk), account_option_label(account)) for account in accounts]


class _AccountChoiceForm(forms.Form):
    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = {str(account.pk): account for account in accounts}
        self.fields[self.account_field].choices = _payer_choices(accounts)

    def chosen_account(self):
        return self.accounts[self.cleaned_data[self.account_field]]


class BuyForm(_AccountChoiceForm):
    account_field = "payer"
    payer = forms.ChoiceField(label="资金账户", error_messages={
        "required": "请选择资金账户", "invalid_choice": "请选择您的关联账户"})
    amount = forms.CharField(label="购买金额（元）", required=False, max_length=30,
                             widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                           "autocomplete": "off"}),
                             error_messages={"max_length": "请输入正确的金额"})

    def clean_amount(self):
        typed = self.cleaned_data.get("amount", "")
        if not typed.strip():
            raise forms.ValidationError("请输入购买金额")
        try:
            return parse_amount(typed)
        except BusinessError as exc:
            raise forms.ValidationError(exc.message) from exc


def parse_shares(typed: str) -> Decimal:
    text = (typed or "").translate(_FULL_WIDTH).strip().removesuffix("份").strip()
    if not text:
        raise forms.ValidationError("请输入赎回份额")
    text = text.replace(",", "")
    if not _SHARES.fullmatch(text):
        raise forms.ValidationError("请输入正确的份额")
    if "." in text and len(text.split(".")[1]) > 4:
        raise forms.ValidationError("份额最多四位小数")
    shares = Decimal(text)
    if shares <= 0:
        raise forms.ValidationError("赎回份额必须大于零")
    return shares.quantize(Decimal("0.0001"))


class RedeemForm(_AccountChoiceForm):
    account_field = "payee"
    redeem_all = forms.BooleanField(label="全部赎回", required=False)
    shares = forms.CharField(label="赎回份额（份）", required=False, max_length=30,
                             widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                           "autocomplete": "off"}),
                             error_messages={"max_length": "请输入正确的份额"})
    payee = forms.ChoiceField(label="到账账户", error_messages={
        "required": "请选择到账账户", "invalid_choice": "请选择您的关联账户"})

    def __init__(self, *args, available: Decimal, **kwargs):
        super().__init__(*args, **kwargs)
        self.available = available

    def clean(self):
        data = super().clean()
        if data.get("redeem_all"):
            data["shares"] = self.available
            self.errors.pop("shares", None)
            return data
        try:
            data["shares"] = parse_shares(self.data.get(self.add_prefix("shares"), ""))
        except forms.ValidationError as exc:
            self.add_error("shares", exc)
            return data
        if data["shares"] > self.available:
            self.add_error("shares", f"赎回份额超过可用份额{self.available:,.4f}份")
        return data
