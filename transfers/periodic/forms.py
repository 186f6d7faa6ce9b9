"""Forms of 定时转账设置 and 定时转账执行查询 (shape only; the services check the rules).

Bad input comes back on the same page with what was typed kept and a Chinese message.
"""

from datetime import timedelta

from django import forms

from transfers.models import PayeeKind, PeriodicFrequency
from transfers.own_intra.forms import AccountChoiceField, AmountField

from .services import WEEKDAYS

QUERY_MAX_DAYS = 366

_DATE = {"type": "date"}


def _date_field(label: str, *, required: bool = False) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs=_DATE),
                           error_messages={"required": f"请输入{label}",
                                           "invalid": f"{label}格式不正确（例如2026-12-31）"})


class PeriodicForm(forms.Form):
    from_sub_account = AccountChoiceField(accounts=[], label="转出账号")
    payee_kind = forms.ChoiceField(label="收款人类型", choices=PayeeKind.choices,
                                   initial=PayeeKind.INTRA, widget=forms.RadioSelect,
                                   error_messages={"required": "请选择收款人类型",
                                                   "invalid_choice": "请选择收款人类型"})
    payee_account = forms.CharField(label="收款人账号", max_length=40,
                                    widget=forms.TextInput(attrs={"autocomplete": "off",
                                                                  "inputmode": "numeric"}),
                                    error_messages={"required": "请输入收款人账号"})
    payee_name = forms.CharField(label="收款人名称", max_length=64,
                                 error_messages={"required": "请输入收款人名称"})
    bank_code = forms.CharField(label="收款行联行号", max_length=12, required=False,
                                help_text="跨行收款人必填：12位联行号，可在“联行号查询”中查找",
                                widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                              "autocomplete": "off"}))
    amount = AmountField(error_messages={"required": "请输入转账金额"})
    purpose = forms.CharField(label="付款用途", max_length=60, required=False)
    frequency = forms.ChoiceField(label="定时周期", choices=PeriodicFrequency.choices,
                                  initial=PeriodicFrequency.MONTHLY, widget=forms.RadioSelect,
                                  error_messages={"required": "请选择定时周期",
                                                  "invalid_choice": "请选择定时周期"})
    weekday = forms.TypedChoiceField(
        label="每周执行日", required=False, coerce=int, empty_value=None,
        choices=[("", "请选择")] + [(str(i), name) for i, name in enumerate(WEEKDAYS)],
        error_messages={"invalid_choice": "请选择每周的执行日（周一至周日）"})
    day_of_month = forms.TypedChoiceField(
        label="每月执行日", required=False, coerce=int, empty_value=None,
        choices=[("", "请选择")] + [(str(i), f"{i}日") for i in range(1, 32)],
        help_text="29日、30日、31日在没有该日的月份于当月最后一天执行",
        error_messages={"invalid_choice": "请选择每月的执行日（1日至31日）"})
    start_date = _date_field("起始日期", required=True)
    end_date = _date_field("终止日期")
    run_count = forms.IntegerField(label="执行次数", required=False, min_value=1, max_value=120,
                                   error_messages={"invalid": "执行次数须为1至120次",
                                                   "min_value": "执行次数须为1至120次",
                                                   "max_value": "执行次数须为1至120次"})

    def __init__(self, *args, payers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_sub_account"] = AccountChoiceField(
            accounts=payers, label="转出账号", error_messages={"required": "请选择转出账号"})


class PeriodicRunQueryForm(forms.Form):
    date_from = _date_field("起始日期")
    date_to = _date_field("终止日期")
    # One plan's runs (the link under 定时详情); the customer's scope is the service's.
    number = forms.CharField(required=False, max_length=24, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("起始日期不能晚于终止日期")
        if start and end and end - start > timedelta(days=QUERY_MAX_DAYS):
            raise forms.ValidationError("查询区间不能超过一年")
        return data
