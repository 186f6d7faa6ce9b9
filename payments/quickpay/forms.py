from datetime import date, timedelta
from decimal import Decimal

from django import forms

from ..models import QuickPayAgreementStatus
from .services import quickpay_caps


class QuickPayQueryForm(forms.Form):
    account = forms.TypedChoiceField(label="关联账户", required=False, coerce=int,
                                     empty_value=None)
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部"), *QuickPayAgreementStatus.choices])

    def __init__(self, *args, links=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", "全部关联账户")] + [
            (link.medium_id, f"{link.medium.get_kind_display()} {link.medium.masked_number}")
            for link in links]


class QuickPayLimitForm(forms.Form):
    single_limit = forms.DecimalField(label="单笔限额（元）", max_digits=18, decimal_places=2,
                                      min_value=Decimal("0.01"))
    daily_limit = forms.DecimalField(label="日累计限额（元）", max_digits=18, decimal_places=2,
                                     min_value=Decimal("0.01"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        single_cap, daily_cap = quickpay_caps()
        self.fields["single_limit"].help_text = f"不超过{single_cap:,.2f}元"
        self.fields["daily_limit"].help_text = f"不超过{daily_cap:,.2f}元，且不小于单笔限额"
        for field in self.fields.values():
            field.error_messages.update({"required": "请输入限额", "invalid": "请输入正确的金额",
                                         "min_value": "限额必须大于0",
                                         "max_decimal_places": "金额最多两位小数"})
            field.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self):
        data = super().clean()
        single, daily = data.get("single_limit"), data.get("daily_limit")
        single_cap, daily_cap = quickpay_caps()
        if single is not None and single > single_cap:
            self.add_error("single_limit", f"单笔限额不得超过我行设定的最高限额{single_cap:,.2f}元")
        if daily is not None and daily > daily_cap:
            self.add_error("daily_limit", f"日累计限额不得超过我行设定的最高限额{daily_cap:,.2f}元")
        if single is not None and daily is not None and single > daily:
            self.add_error("single_limit", "单笔限额不得大于日累计限额")
        return data


class QuickPayRevokeForm(forms.Form):
    pin = forms.CharField(label="交易密码", min_length=6, max_length=6,
                          widget=forms.PasswordInput(attrs={"inputmode": "numeric",
                                                            "autocomplete": "off"}),
                          error_messages={"required": "请输入交易密码",
                                          "min_length": "交易密码应为6位数字",
                                          "max_length": "交易密码应为6位数字"})

    def clean_pin(self):
        pin = self.cleaned_data["pin"]
        if not (pin.isdigit() and pin.isascii()):
            raise forms.ValidationError("交易密码应为6位数字")
        return pin


# 支付记录: a date range like the other queries — by default the last month (30 days to today),
# at most one year (a leap day included).
QUERY_DEFAULT_DAYS = 30
QUERY_MAX_DAYS = 366
_DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class QuickPayDebitQueryForm(forms.Form):
    date_from = forms.DateField(label="起始日期", required=False, input_formats=["%Y-%m-%d"],
                                error_messages={"invalid": "请输入正确的起始日期"},
                                widget=_DATE_WIDGET)
    date_to = forms.DateField(label="终止日期", required=False, input_formats=["%Y-%m-%d"],
                              error_messages={"invalid": "请输入正确的终止日期"},
                              widget=_DATE_WIDGET)

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["date_from"].initial = self.default_range()[0]
        self.fields["date_to"].initial = today

    def default_range(self) -> tuple[date, date]:
        return self.today - timedelta(days=QUERY_DEFAULT_DAYS - 1), self.today

    def clean(self):
        data = super().clean()
        if "date_from" in self.errors or "date_to" in self.errors:
            return data
        end = data.get("date_to") or self.today
        # A 终止日期 alone: the month up to it (not today's month, which would start after it).
        start = data.get("date_from") or end - timedelta(days=QUERY_DEFAULT_DAYS - 1)
        if start > end:
            raise forms.ValidationError("起始日期不能晚于终止日期")
        if (end - start).days >= QUERY_MAX_DAYS:
            raise forms.ValidationError("查询区间最长为一年，请缩小查询区间")
        data["date_from"], data["date_to"] = start, end
        return data
