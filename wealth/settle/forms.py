"""Query forms of 理财交易撤单 and 交易明细查询: a date range of placing (default the last 30
days, at most a year) and a product; 交易明细 also 交易类型 and 状态."""

from datetime import date, timedelta

from django import forms

from ..models import OrderStatus
from .selectors import SETTLED_KINDS

DEFAULT_DAYS = 30
MAX_DAYS = 366  # 一年 (a leap year's too), both days included
_DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class OrderQueryForm(forms.Form):
    date_from = forms.DateField(label="起始日期", required=False, input_formats=["%Y-%m-%d"],
                                error_messages={"invalid": "请输入正确的起始日期"},
                                widget=_DATE_WIDGET)
    date_to = forms.DateField(label="终止日期", required=False, input_formats=["%Y-%m-%d"],
                              error_messages={"invalid": "请输入正确的终止日期"},
                              widget=_DATE_WIDGET)
    product = forms.TypedChoiceField(label="产品", required=False, coerce=int, empty_value=None,
                                     error_messages={"invalid_choice": "请选择产品"})

    def __init__(self, data=None, *, products, today: date):
        self.today = today
        initial = {"date_from": today - timedelta(days=DEFAULT_DAYS - 1), "date_to": today}
        super().__init__(data, initial=initial)
        self.products = {product.pk: product for product in products}
        self.fields["product"].choices = [("", "全部产品")] + [
            (product.pk, f"{product.name}（{product.code}）") for product in products]

    def clean(self):
        cleaned = super().clean()
        if "date_from" in self.errors or "date_to" in self.errors:
            return cleaned
        start = cleaned.get("date_from") or self.initial["date_from"]
        end = cleaned.get("date_to") or self.initial["date_to"]
        if start > end:
            raise forms.ValidationError("起始日期不能晚于终止日期")
        if (end - start).days >= MAX_DAYS:
            raise forms.ValidationError("查询区间最长为一年")
        cleaned["date_from"], cleaned["date_to"] = start, end
        return cleaned

    def conditions(self) -> dict:
        """The query's conditions: the typed ones once valid, else the defaults."""
        if self.is_bound and self.is_valid():
            data = self.cleaned_data
            return {"date_from": data["date_from"], "date_to": data["date_to"],
                    "product": self.products.get(data.get("product"))}
        return {"date_from": self.initial["date_from"], "date_to": self.initial["date_to"],
                "product": None}


class HistoryQueryForm(OrderQueryForm):
    kind = forms.ChoiceField(label="交易类型", required=False,
                             choices=[("", "全部")] + [(k.value, k.label) for k in SETTLED_KINDS],
                             error_messages={"invalid_choice": "请选择交易类型"})
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部")] + list(OrderStatus.choices),
                               error_messages={"invalid_choice": "请选择状态"})

    def conditions(self) -> dict:
        conditions = super().conditions()
        valid = self.is_bound and self.is_valid()
        conditions["kind"] = self.cleaned_data.get("kind", "") if valid else ""
        conditions["status"] = self.cleaned_data.get("status", "") if valid else ""
        return conditions
