"""积分管理's forms: the date ranges of 积分查询 and the two 兑换查询s, and the 兑换 form."""

import re
import unicodedata
from datetime import date

from django import forms

from ..models import Gift
from .services import QUANTITY_MAX

_DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_FIXED_LINE = re.compile(r"0[1-9][0-9]{8,10}")
_POSTCODE = re.compile(r"[0-9]{6}")


class DateRangeForm(forms.Form):
    """起始日期/终止日期 inside a window [``earliest``, ``latest``]; both empty: the default range
    (``default_from`` to ``latest``). What is wrong is said in Chinese, the dates kept."""

    date_from = forms.DateField(label="起始日期", required=False, input_formats=["%Y-%m-%d"],
                                error_messages={"invalid": "请输入正确的起始日期"},
                                widget=_DATE_WIDGET)
    date_to = forms.DateField(label="终止日期", required=False, input_formats=["%Y-%m-%d"],
                              error_messages={"invalid": "请输入正确的终止日期"},
                              widget=_DATE_WIDGET)

    def __init__(self, *args, earliest: date, latest: date, default_from: date | None = None,
                 window_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.earliest, self.latest = earliest, latest
        self.default_from = default_from or earliest
        self.window_text = window_text
        self.fields["date_from"].initial = self.default_from
        self.fields["date_to"].initial = latest

    def range(self) -> tuple[date, date] | None:
        """The range to show: the default when nothing was asked, None when the query is wrong."""
        if not self.is_bound:
            return self.default_from, self.latest
        if self.is_valid():
            return self.cleaned_data["date_from"], self.cleaned_data["date_to"]
        return None

    def clean(self):
        data = super().clean()
        if "date_from" in self.errors or "date_to" in self.errors:
            return data
        start = data.get("date_from") or self.earliest
        end = data.get("date_to") or self.latest
        if start > end:
            raise forms.ValidationError("起始日期不能晚于终止日期")
        if start < self.earliest or end > self.latest:
            raise forms.ValidationError(
                f"查询日期须在{self.earliest:%Y-%m-%d}至{self.latest:%Y-%m-%d}之间"
                f"{self.window_text}")
        data["date_from"], data["date_to"] = start, end
        return data


def _text(value: str) -> str:
    return re.sub(r"[\s\u3000]+", " ", unicodedata.normalize("NFKC", value or "")).strip()


class RedeemForm(forms.Form):
    """选定礼品, 兑换数量 and the recipient (收件人, 联系电话, 收件地址, 邮政编码)."""

    gift = forms.ModelChoiceField(label="礼品", queryset=Gift.objects.none(),
                                  widget=forms.RadioSelect, empty_label=None,
                                  error_messages={"required": "请选择礼品",
                                                  "invalid_choice": "该礼品已下架或无库存，请重新选择"})
    quantity = forms.IntegerField(label="兑换数量", min_value=1, max_value=QUANTITY_MAX,
                                  initial=1,
                                  error_messages={"required": "请输入兑换数量",
                                                  "invalid": "兑换数量应为整数",
                                                  "min_value": "兑换数量至少为1",
                                                  "max_value": f"兑换数量最多为{QUANTITY_MAX}"})
    recipient = forms.CharField(label="收件人", max_length=30,
                                error_messages={"required": "请输入收件人",
                                                "max_length": "收件人最多30个字"})
    phone = forms.CharField(label="联系电话", max_length=20,
                            error_messages={"required": "请输入联系电话"})
    address = forms.CharField(label="收件地址", max_length=120,
                              error_messages={"required": "请输入收件地址",
                                              "max_length": "收件地址最多120个字"})
    postcode = forms.CharField(label="邮政编码", max_length=6,
                               error_messages={"required": "请输入邮政编码",
                                               "max_length": "邮政编码应为6位数字"})

    def __init__(self, *args, gifts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gift"].queryset = gifts
        self.fields["gift"].label_from_instance = (
            lambda gift: f"{gift.name}（{gift.points}分，库存{gift.stock}）")

    def clean_recipient(self):
        value = _text(self.cleaned_data["recipient"])
        if not value:
            raise forms.ValidationError("请输入收件人")
        return value

    def clean_address(self):
        value = _text(self.cleaned_data["address"])
        if len(value) < 5:
            raise forms.ValidationError("请输入详细的收件地址")
        return value

    def clean_phone(self):
        value = re.sub(r"[\s\u3000-]", "", unicodedata.normalize("NFKC", self.cleaned_data["phone"]))
        if not (_MOBILE.fullmatch(value) or _FIXED_LINE.fullmatch(value)):
            raise forms.ValidationError("联系电话应为11位手机号码，或区号加电话号码（如0551-62881234）")
        return value

    def clean_postcode(self):
        value = unicodedata.normalize("NFKC", self.cleaned_data["postcode"]).strip()
        if not _POSTCODE.fullmatch(value):
            raise forms.ValidationError("邮政编码应为6位数字")
        return value
