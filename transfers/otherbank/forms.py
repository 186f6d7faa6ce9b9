"""Forms of 他行账户管理. Choices are the customer's own agreements and accounts, so another
customer's id is "not a valid choice"; dates are checked for order and span."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from accounts.payers import account_option_label
from transfers.models import OtherBankLogKind

from .services import agreement_label

QUERY_MAX_DAYS = 366


class DateRangeForm(forms.Form):
    date_from = forms.DateField(label="起始日期", required=False,
                                error_messages={"invalid": "请输入正确的起始日期"},
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False,
                              error_messages={"invalid": "请输入正确的截止日期"},
                              widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        if self.errors:
            return data
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to - timedelta(days=29)
        if date_from > date_to:
            raise forms.ValidationError("起始日期不能晚于截止日期")
        if (date_to - date_from).days >= QUERY_MAX_DAYS:
            raise forms.ValidationError(f"查询时间跨度不能超过{QUERY_MAX_DAYS}天")
        data["date_from"], data["date_to"] = date_from, date_to
        return data


class LogQueryForm(DateRangeForm):
    kind = forms.ChoiceField(label="操作类型", required=False,
                             choices=[("", "全部")] + list(OtherBankLogKind.choices),
                             error_messages={"invalid_choice": "请选择操作类型"})


class BalanceQueryForm(DateRangeForm):
    agreement = forms.TypedChoiceField(label="他行账户", coerce=int,
                                       error_messages={"required": "请选择他行账户",
                                                       "invalid_choice": "请选择他行账户"})

    def __init__(self, *args, agreements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].choices = [("", "请选择")] + [
            (str(a.pk), agreement_label(a)) for a in agreements]
        self.order_fields(["agreement", "date_from", "date_to"])


class PaySigningForm(forms.Form):
    bank = forms.ChoiceField(label="他行名称", widget=forms.RadioSelect,
                             error_messages={"required": "请选择他行名称",
                                             "invalid_choice": "请选择他行名称"})
    account = forms.TypedChoiceField(label="我行验密账户", coerce=int,
                                     error_messages={"required": "请选择我行账户",
                                                     "invalid_choice": "请选择我行账户"})

    def __init__(self, *args, banks, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank"].choices = [(b.code, b.name) for b in banks]
        self.fields["account"].choices = [("", "请选择")] + [
            (str(a.pk), account_option_label(a)) for a in accounts]
