"""Forms of the 账户管理 pages. Every message is Chinese and shown on the page with what was typed
kept; the services check the business rules again (a form is not the only guard)."""

import calendar
from datetime import date, timedelta

from django import forms

from ebank.core.clock import business_day

from .services import ALIAS_MAX_LENGTH, NOTE_4_ONE_AT_A_TIME

DATE_FORMATS = ["%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"]
DATE_ERROR = "请输入正确的日期，格式如 2025-01-31"
PIN_ERROR = "交易密码应为6位数字"
MAX_RANGE_DAYS = 366  # one year, a leap day included


def months_back(day: date, months: int) -> date:
    """The same day ``months`` months earlier (clamped to the month's last day)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Period:
    TODAY = "today"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    CHOICES = [(TODAY, "当天"), (WEEK, "近一周"), (MONTH, "近一月"), (QUARTER, "近三月")]

    @staticmethod
    def bounds(period: str, today: date) -> tuple[date, date]:
        if period == Period.TODAY:
            return today, today
        if period == Period.WEEK:
            return today - timedelta(days=6), today
        if period == Period.MONTH:
            return months_back(today, 1) + timedelta(days=1), today
        return months_back(today, 3) + timedelta(days=1), today


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(label=label, required=False, input_formats=DATE_FORMATS,
                           error_messages={"invalid": DATE_ERROR},
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class HistoryQueryForm(forms.Form):
    """交易明细查询: an account, and a preset period or 起始日期/终止日期 (at most one year)."""

    account = forms.TypedChoiceField(label="查询账户", coerce=int,
                                     error_messages={"required": "请选择查询账户",
                                                     "invalid_choice": "请选择查询账户"})
    period = forms.ChoiceField(label="查询区间", required=False, choices=Period.CHOICES,
                               widget=forms.RadioSelect,
                               error_messages={"invalid_choice": "请选择查询区间"})
    start_date = _date_field("起始日期")
    end_date = _date_field("终止日期")

    def __init__(self, *args, accounts, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or business_day()
        self.fields["account"].choices = [(a.pk, a.label) for a in accounts]

    # What history.html writes into its inputs. The page is the busiest of the site and
    # rendering these widgets through their templates cost more than the query of the page.

    def account_options(self) -> list[tuple[int, str, bool]]:
        """(value, label, selected) of each 查询账户 option."""
        chosen = self["account"].value()
        chosen = "" if chosen is None else str(chosen)
        return [(pk, label, str(pk) == chosen) for pk, label in self.fields["account"].choices]

    def period_options(self) -> list[tuple[str, str, bool]]:
        """(value, label, checked) of each 查询区间 radio button."""
        chosen = self["period"].value()
        return [(value, label, value == chosen) for value, label in Period.CHOICES]

    def date_fields(self) -> list[forms.BoundField]:
        return [self["start_date"], self["end_date"]]

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if self.errors:
            return data
        if start or end:
            if not (start and end):
                raise forms.ValidationError("请同时输入起始日期和终止日期")
            if start > end:
                raise forms.ValidationError("起始日期不能晚于终止日期")
            if end > self.today:
                raise forms.ValidationError("终止日期不能晚于今天")
            if (end - start).days > MAX_RANGE_DAYS:
                raise forms.ValidationError("查询区间最长为一年，请缩小查询区间")
        else:
            start, end = Period.bounds(data.get("period") or Period.WEEK, self.today)
        data["start"], data["end"] = start, end
        return data


class PinField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(label="交易密码", min_length=6, max_length=6, strip=False,
                         widget=forms.PasswordInput(attrs={"autocomplete": "off",
                                                           "inputmode": "numeric",
                                                           "maxlength": "6"}),
                         error_messages={"required": "请输入交易密码", "min_length": PIN_ERROR,
                                         "max_length": PIN_ERROR}, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not (value.isascii() and value.isdigit()):
            raise forms.ValidationError(PIN_ERROR)
        return value


def _alias_field() -> forms.CharField:
    return forms.CharField(label="账户别名", required=False, max_length=ALIAS_MAX_LENGTH,
                           help_text=f"最多{ALIAS_MAX_LENGTH}个字符；不设置则默认显示账户名称",
                           error_messages={"max_length": f"账户别名最多{ALIAS_MAX_LENGTH}个字符"})


class LinkAddForm(forms.Form):
    number = forms.CharField(label="卡号/账号", max_length=40,
                             widget=forms.TextInput(attrs={"autocomplete": "off",
                                                           "inputmode": "numeric"}),
                             error_messages={"required": "请输入卡号/账号",
                                             "max_length": "卡号/账号格式不正确"})
    pin = PinField()
    alias = _alias_field()

    def clean_number(self):
        number = "".join(self.cleaned_data["number"].split())
        if not (number.isascii() and number.isdigit() and 10 <= len(number) <= 19):
            raise forms.ValidationError("卡号/账号应为10至19位数字")
        return number


class AliasForm(forms.Form):
    alias = _alias_field()


class MoveForm(forms.Form):
    """上移/下移: exactly one account (note 4)."""

    link = forms.IntegerField(error_messages={"required": "请勾选要移动的账户",
                                              "invalid": "请勾选要移动的账户"})
    direction = forms.ChoiceField(choices=[("up", "上移"), ("down", "下移")],
                                  error_messages={"required": "请选择上移或下移",
                                                  "invalid_choice": "请选择上移或下移"})

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.chosen = len(data.getlist("link")) if data is not None and hasattr(data, "getlist") else 0

    def clean(self):
        if self.chosen > 1:
            raise forms.ValidationError(NOTE_4_ONE_AT_A_TIME)
        return super().clean()


class LossChooseForm(forms.Form):
    link = forms.IntegerField(error_messages={"required": "请选择要挂失的账户",
                                              "invalid": "请选择要挂失的账户"})


class LossConfirmForm(LossChooseForm):
    pin = PinField()
