"""Forms of 关联账户互转, 行内转账, 收款人管理 and 网银转账查询.

Forms check shape only (an account picked, an amount typed); the services check the manual's
notes and show them with the manual's wording, so a crafted POST meets the same rules as the
page. Amounts are parsed from the typed text with ``parse_amount`` (¥, 元, thousands separators,
full-width digits).
"""

import functools
from datetime import timedelta

from django import forms
from django.utils import timezone

from accounts.payers import account_option_label
from ebank.clearing.routing import ArrivalMode
from ebank.core.errors import BusinessError
from ebank.core.money import parse_amount
from transfers.models import PayeeKind, TransferStatus

QUERY_MAX_DAYS = 366


class AmountField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "转账金额")
        kwargs.setdefault("max_length", 32)
        # data-capitals: static/js/amount-capitals.js shows the 大写 as it is typed.
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal",
                                                           "autocomplete": "off",
                                                           "data-capitals": ""}))
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        try:
            return parse_amount(text)
        except BusinessError as exc:
            raise forms.ValidationError(exc.message) from None


def _account_choices(accounts) -> list[tuple[str, str]]:
    return [("", "请选择")] + [(str(a.pk), account_option_label(a)) for a in accounts]


class AccountChoiceField(forms.TypedChoiceField):
    """A sub-account id among those offered; the service checks it belongs to the customer.

    ``accounts``: the sub-accounts offered, or a function that reads them, called (once) only
    when the field is rendered: a valid 提交 that redirects never needs the list.
    """

    def __init__(self, *, accounts, **kwargs):
        if callable(accounts):
            choices = functools.cache(lambda: _account_choices(accounts()))
        else:
            choices = _account_choices(accounts)
        # Wide enough for the whole label with its balance (site.css: never cut off).
        kwargs.setdefault("widget", forms.Select(attrs={"class": "account-select"}))
        super().__init__(choices=choices, coerce=int, **kwargs)

    def valid_value(self, value):
        # Any id is let through to the service, which answers with the manual's wording
        # (e.g. 关联账户互转 note 1) instead of Django's "选择一个有效的选项".
        return str(value).isascii() and str(value).isdigit() and len(str(value)) <= 18


class OwnTransferForm(forms.Form):
    from_sub_account = AccountChoiceField(accounts=[], label="转出账户")
    to_sub_account = AccountChoiceField(accounts=[], label="转入账户")
    amount = AmountField()
    purpose = forms.CharField(label="付款用途", max_length=60, required=False)

    def __init__(self, *args, payers, payees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_sub_account"] = AccountChoiceField(accounts=payers, label="转出账户")
        self.fields["to_sub_account"] = AccountChoiceField(accounts=payees, label="转入账户")


class IntraTransferForm(forms.Form):
    from_sub_account = AccountChoiceField(accounts=[], label="转出账号")
    mode = forms.ChoiceField(label="到账方式", choices=ArrivalMode.choices,
                             initial=ArrivalMode.REAL_TIME, widget=forms.RadioSelect)
    amount = AmountField()
    payee_account = forms.CharField(label="收款人账号", max_length=40,
                                    widget=forms.TextInput(attrs={"autocomplete": "off"}))
    payee_name = forms.CharField(label="收款人名称", max_length=64)
    purpose = forms.CharField(label="付款用途", max_length=60, required=False)
    save_payee = forms.BooleanField(label="加入收款人登记簿", required=False)

    def __init__(self, *args, payers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_sub_account"] = AccountChoiceField(accounts=payers, label="转出账号")


class PayeeForm(forms.Form):
    kind = forms.ChoiceField(label="收款人类型", choices=PayeeKind.choices,
                             initial=PayeeKind.INTRA, widget=forms.RadioSelect)
    account_number = forms.CharField(label="收款人账号", max_length=40)
    name = forms.CharField(label="收款人名称", max_length=64)
    bank_query = forms.CharField(label="收款行（行名或联行号）", max_length=64, required=False,
                                 help_text="跨行收款人必填：输入行名关键字或12位联行号")
    bank_code = forms.CharField(required=False, max_length=12, widget=forms.HiddenInput)


class PayeeSearchForm(forms.Form):
    q = forms.CharField(label="收款人名称或账号", max_length=40, required=False)


class TransferQueryForm(forms.Form):
    date_from = forms.DateField(label="起始日期", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="终止日期", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label="交易状态", required=False,
                               choices=[("", "全部")] + list(TransferStatus.choices))

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("起始日期不能晚于终止日期")
        if start and end and end - start > timedelta(days=QUERY_MAX_DAYS):
            raise forms.ValidationError("查询区间不能超过一年")
        today = timezone.localdate()
        if start and start > today:
            raise forms.ValidationError("起始日期不能晚于今天")
        return data
