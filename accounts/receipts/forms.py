"""Forms of 电子回单查询 and 电子回单校验. Every refusal is a Chinese message next to its field."""

from datetime import date, datetime

from django import forms

from accounts.models import SubAccount
from ebank.core.errors import BusinessError
from ebank.core.money import parse_amount

from .selectors import QUERY_MAX_DAYS, Period, period_range, receipt_account_label
from .services import CODE_LENGTH, normalize_code

_DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class ReceiptQueryForm(forms.Form):
    """查询期间 (a preset or 自定义 dates) and 账户 (one of the customer's, or all of them)."""

    period = forms.ChoiceField(label="查询期间", choices=Period.CHOICES, initial=Period.DEFAULT,
                               error_messages={"invalid_choice": "请选择查询期间"})
    # ISO format: what <input type="date"> shows and sends, whatever the locale's format.
    date_from = forms.DateField(label="起始日期", required=False, input_formats=["%Y-%m-%d"],
                                error_messages={"invalid": "请输入正确的起始日期"},
                                widget=_DATE_WIDGET)
    date_to = forms.DateField(label="终止日期", required=False, input_formats=["%Y-%m-%d"],
                              error_messages={"invalid": "请输入正确的终止日期"},
                              widget=_DATE_WIDGET)
    account = forms.ChoiceField(label="账户", required=False,
                                error_messages={"invalid_choice": "请选择您的网银账户"})

    def __init__(self, *args, accounts: list[SubAccount], today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = accounts
        self.today = today
        self.fields["account"].choices = [("", "全部账户")] + [
            (str(sub.pk), receipt_account_label(sub)) for sub in accounts]

    def clean(self):
        cleaned = super().clean()
        period = cleaned.get("period")
        if period is None:
            return cleaned
        if period != Period.CUSTOM:
            cleaned["date_from"], cleaned["date_to"] = period_range(period=period, today=self.today)
            return cleaned
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if "date_from" in self.errors or "date_to" in self.errors:
            return cleaned
        if start is None or end is None:
            raise forms.ValidationError("自定义期间请输入起始日期和终止日期")
        if start > end:
            raise forms.ValidationError("起始日期不能晚于终止日期")
        if (end - start).days >= QUERY_MAX_DAYS:
            raise forms.ValidationError("查询区间最长为一年")
        return cleaned

    def sub_account_ids(self) -> list[int]:
        """The accounts asked for: the chosen one, else all of the customer's."""
        chosen = self.cleaned_data.get("account")
        return [int(chosen)] if chosen else [sub.pk for sub in self.accounts]


def _text_field(label: str, max_length: int, *, required: bool = True, **attrs) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, required=required,
        error_messages={"required": f"请输入{label}",
                        "max_length": f"{label}最多 {max_length} 个字符",
                        "null_characters_not_allowed": f"{label}含有无效字符"},
        widget=forms.TextInput(attrs={"autocomplete": "off", **attrs}),
    )


TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d %H:%M:%S")


class ReceiptVerifyForm(forms.Form):
    """The elements printed on a receipt, as the reader types them."""

    number = _text_field("回单编号", 32, placeholder="HD…")
    posted_at = _text_field("交易时间", 32, placeholder="2026-01-31 14:05:09")
    payer_account = _text_field("付款人账号", 40, inputmode="numeric")
    payer_name = _text_field("付款人户名", 64)
    payee_account = _text_field("收款人账号", 40, required=False, inputmode="numeric")
    payee_name = _text_field("收款人户名", 64)
    amount = _text_field("金额", 32, placeholder="1234.56", inputmode="decimal",
                         **{"data-capitals": ""})  # the 大写 as typed (amount-capitals.js)
    purpose = _text_field("用途", 60, required=False)
    verification_code = _text_field("验证码", 40, placeholder="XXXX-XXXX-XXXX-XXXX-XXXX")

    field_order = ["number", "posted_at", "payer_account", "payer_name", "payee_account",
                   "payee_name", "amount", "purpose", "verification_code"]

    def clean_posted_at(self) -> datetime:
        typed = " ".join(self.cleaned_data["posted_at"].split())
        for pattern in TIME_FORMATS:
            try:
                return datetime.strptime(typed, pattern)  # noqa: DTZ007 - Asia/Shanghai, see services
            except ValueError:
                continue
        raise forms.ValidationError("请按 年-月-日 时:分:秒 输入交易时间，如 2026-01-31 14:05:09")

    def clean_amount(self):
        try:
            return parse_amount(self.cleaned_data["amount"])
        except BusinessError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_verification_code(self) -> str:
        code = self.cleaned_data["verification_code"]
        if len(normalize_code(code)) != CODE_LENGTH:
            raise forms.ValidationError(f"验证码为 {CODE_LENGTH} 位字母和数字")
        return code
