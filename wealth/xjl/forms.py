"""Forms of 薪加利 (shape only: the services check accounts, amounts, shares and the quota)."""

from datetime import timedelta

from django import forms

from accounts.payers import account_option_label

from .services import OutMode

AMOUNT_WIDGET = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                       "data-capitals": ""})
DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
MAX_RANGE_DAYS = 366


def _account_field(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, coerce=int,
                                  error_messages={"required": f"请选择{label}",
                                                  "invalid_choice": f"请选择{label}"})


class _AccountsForm(forms.Form):
    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", "请选择")] + [
            (str(a.pk), account_option_label(a)) for a in accounts]


class XjlInForm(_AccountsForm):
    account = _account_field("转出账户")
    amount = forms.CharField(label="转入金额", max_length=32, widget=AMOUNT_WIDGET,
                             error_messages={"required": "请输入转入金额"})


class XjlOutForm(_AccountsForm):
    mode = forms.ChoiceField(label="转出方式", choices=OutMode.CHOICES, widget=forms.RadioSelect,
                             error_messages={"required": "请选择转出方式",
                                             "invalid_choice": "请选择转出方式"})
    amount = forms.CharField(label="转出金额", max_length=32, widget=AMOUNT_WIDGET,
                             help_text="1份薪加利 = 1元",
                             error_messages={"required": "请输入转出金额"})
    account = _account_field("到账账户")


class PeriodForm(forms.Form):
    """起始日期/终止日期 (default: the last 30 days), at most a year apart."""

    date_from = forms.DateField(label="起始日期", required=False, input_formats=["%Y-%m-%d"],
                                widget=DATE_WIDGET, error_messages={"invalid": "起始日期格式不正确"})
    date_to = forms.DateField(label="终止日期", required=False, input_formats=["%Y-%m-%d"],
                              widget=DATE_WIDGET, error_messages={"invalid": "终止日期格式不正确"})

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        end = data.get("date_to") or self.today
        start = data.get("date_from") or end - timedelta(days=29)
        if start > end:
            raise forms.ValidationError("起始日期不能晚于终止日期")
        if (end - start).days >= MAX_RANGE_DAYS:
            raise forms.ValidationError("查询期间不能超过一年")
        data["date_from"], data["date_to"] = start, end
        return data


class HistoryKind:
    IN = "in"
    OUT = "out"
    INCOME = "income"
    CHOICES = [("", "全部"), (IN, "转入"), (OUT, "转出"), (INCOME, "收益")]


class HistoryForm(PeriodForm):
    kind = forms.ChoiceField(label="交易类型", choices=HistoryKind.CHOICES, required=False,
                             error_messages={"invalid_choice": "请选择交易类型"})
