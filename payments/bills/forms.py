"""Forms of 自助缴费 (shape only; the services check the biller's answer, the account and the
amount with the manual's words) and of 缴费记录查询."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from accounts.payers import account_option_label
from payments.numbers import customer_no_label

from ..models import BillKind, BillPaymentStatus

QUERY_MAX_DAYS = 366


class NumberForm(forms.Form):
    """Step 1: the 缴费号码 (户号 / 手机号码 / 缴税凭证号)."""

    customer_no = forms.CharField(max_length=40)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        label = customer_no_label(kind)
        field = self.fields["customer_no"]
        field.label = label
        field.error_messages = {"required": f"请输入{label}",
                                "max_length": f"请输入正确的{label}"}
        field.widget.attrs.update({"autocomplete": "off", "inputmode": "text"})


class PayForm(forms.Form):
    """Step 2: the 缴费账户 and, unless the biller fixed it, the 缴费金额 (checked by the
    service: > 0, two places, a maximum)."""

    account = forms.TypedChoiceField(label="缴费账户", coerce=int,
                                     error_messages={"required": "请选择缴费账户",
                                                     "invalid_choice": "请选择缴费账户"})
    amount = forms.CharField(label="缴费金额", max_length=32, required=False,
                             widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                           "autocomplete": "off",
                                                           "data-capitals": ""}))

    def __init__(self, *args, accounts, fixed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", "请选择")] + [
            (str(a.pk), account_option_label(a)) for a in accounts]
        if fixed:
            del self.fields["amount"]


class RecordQueryForm(forms.Form):
    """缴费记录查询: a date range (default the last month, at most one year), kind, status."""

    date_from = forms.DateField(label="起始日期", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"invalid": "请输入正确的起始日期"})
    date_to = forms.DateField(label="终止日期", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"invalid": "请输入正确的终止日期"})
    kind = forms.ChoiceField(label="缴费类型", required=False,
                             choices=[("", "全部")] + list(BillKind.choices))
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部")] + list(BillPaymentStatus.choices))

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        end = data.get("date_to") or today
        start = data.get("date_from") or (end - timedelta(days=30))
        if start > end:
            raise forms.ValidationError("起始日期不能晚于终止日期")
        if start > today:
            raise forms.ValidationError("起始日期不能晚于今天")
        if end - start > timedelta(days=QUERY_MAX_DAYS - 1):
            raise forms.ValidationError("查询区间不能超过一年")
        data["date_from"], data["date_to"] = start, end
        return data
