"""账户管理's forms: the card to show, 已出账单查询's month range, 信用卡信息维护."""

import re
from datetime import date

from django import forms
from django.core.validators import validate_email

from ..models import BillDelivery
from .selectors import card_label

# 已出账单查询: by default the last 12 months (this month and the 11 before it), at most 24.
# A card select as wide as its longest option (the whole masked number), full width on a phone.
CARD_SELECT = forms.Select(attrs={"class": "account-select"})
DEFAULT_MONTHS = 12
MAX_MONTHS = 24
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
POSTCODE = re.compile(r"^\d{6}$")
# 单位电话: a fixed line with an optional area code and extension (0551-62220000-801), or a mobile.
PHONE = re.compile(r"^(?:0\d{2,3}-?)?[2-9]\d{6,7}(?:-\d{1,6})?$|^1[3-9]\d{9}$")


def month_shift(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(first: date) -> date:
    return date.fromordinal(month_shift(first, 1).toordinal() - 1)


class CardChoiceForm(forms.Form):
    """选择信用卡: the customer's cards (selectors.cards_of), the first by default."""

    card = forms.TypedChoiceField(label="信用卡卡号", coerce=int, required=False,
                                  empty_value=None, widget=CARD_SELECT,
                                  error_messages={"invalid_choice": "请选择您本人的信用卡"})

    def __init__(self, *args, cards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.cards = {card.pk: card for card in cards}
        self.fields["card"].choices = [(pk, card_label(card)) for pk, card in self.cards.items()]
        if self.cards:
            self.fields["card"].initial = next(iter(self.cards))

    def chosen(self):
        """The chosen card: the first when none was asked for, None when the choice is wrong."""
        first = next(iter(self.cards.values()), None)
        if not self.is_bound:
            return first
        self.is_valid()
        if "card" in self.errors:
            return None
        pk = self.cleaned_data.get("card")
        return self.cards[pk] if pk is not None else first


class StatementQueryForm(CardChoiceForm):
    month_from = forms.CharField(label="起始月份", required=False, max_length=7,
                                 widget=forms.TextInput(attrs={"type": "month",
                                                               "placeholder": "YYYY-MM"}))
    month_to = forms.CharField(label="终止月份", required=False, max_length=7,
                               widget=forms.TextInput(attrs={"type": "month",
                                                             "placeholder": "YYYY-MM"}))

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        start, _end = self.default_range()
        self.fields["month_from"].initial = f"{start:%Y-%m}"
        self.fields["month_to"].initial = f"{today:%Y-%m}"

    def default_range(self) -> tuple[date, date]:
        return (month_shift(self.today, -(DEFAULT_MONTHS - 1)),
                month_end(month_shift(self.today, 0)))

    def _month(self, name: str, label: str) -> date | None:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        match = _MONTH.match(text)
        if not match or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 2099:
            raise forms.ValidationError(f"请输入正确的{label}，格式如2026-01")
        return date(int(match[1]), int(match[2]), 1)

    def clean_month_from(self):
        return self._month("month_from", "起始月份")

    def clean_month_to(self):
        return self._month("month_to", "终止月份")

    def clean(self):
        data = super().clean()
        if "month_from" in self.errors or "month_to" in self.errors:
            return data
        end = data.get("month_to") or month_shift(self.today, 0)
        start = data.get("month_from") or month_shift(end, -(DEFAULT_MONTHS - 1))
        if start > end:
            raise forms.ValidationError("起始月份不能晚于终止月份")
        if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
            raise forms.ValidationError(f"查询区间最长为{MAX_MONTHS}个月，请缩小查询区间")
        data["date_from"], data["date_to"] = start, month_end(end)
        return data


INFO_FIELDS = ("bill_delivery", "bill_email", "mailing_address", "postcode", "employer",
               "employer_phone")


class CardInfoForm(forms.Form):
    """信用卡信息维护: the Card's details; validated here and again by the executor."""

    card = forms.IntegerField(widget=forms.HiddenInput)
    bill_delivery = forms.ChoiceField(label="账单寄送方式", choices=BillDelivery.choices,
                                      error_messages={"required": "请选择账单寄送方式",
                                                      "invalid_choice": "请选择账单寄送方式"})
    bill_email = forms.CharField(label="账单邮箱", required=False, max_length=254,
                                 error_messages={"max_length": "电子邮箱过长"})
    mailing_address = forms.CharField(label="通讯地址", required=False, max_length=120,
                                      error_messages={"max_length": "通讯地址最多120个字"})
    postcode = forms.CharField(label="邮政编码", required=False, max_length=6,
                               error_messages={"max_length": "邮政编码应为6位数字"},
                               widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    employer = forms.CharField(label="单位名称", required=False, max_length=60,
                               error_messages={"max_length": "单位名称最多60个字"})
    employer_phone = forms.CharField(label="单位电话", required=False, max_length=20,
                                     error_messages={"max_length": "单位电话格式不正确"},
                                     widget=forms.TextInput(attrs={"inputmode": "tel"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bill_email"].widget.attrs.update({"inputmode": "email",
                                                       "autocomplete": "email"})
        self.fields["employer_phone"].help_text = "如 0551-62220000 或手机号码"

    def clean_bill_email(self):
        email = self.cleaned_data["bill_email"].strip()
        if email:
            try:
                validate_email(email)
            except forms.ValidationError:
                raise forms.ValidationError("请输入正确的电子邮箱") from None
        return email

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip()
        if postcode and not (POSTCODE.match(postcode) and postcode.isascii()):
            raise forms.ValidationError("邮政编码应为6位数字")
        return postcode

    def clean_employer_phone(self):
        phone = self.cleaned_data["employer_phone"].strip()
        if phone and not (PHONE.match(phone) and phone.isascii()):
            raise forms.ValidationError("单位电话格式不正确，如 0551-62220000 或手机号码")
        return phone

    def clean_mailing_address(self):
        return self.cleaned_data["mailing_address"].strip()

    def clean_employer(self):
        return self.cleaned_data["employer"].strip()

    def clean(self):
        data = super().clean()
        delivery = data.get("bill_delivery")
        if delivery == BillDelivery.EMAIL and "bill_email" not in self.errors \
                and not data.get("bill_email"):
            self.add_error("bill_email", "账单寄送方式为电子邮件时，请填写账单邮箱")
        if delivery == BillDelivery.PAPER:
            if "mailing_address" not in self.errors and not data.get("mailing_address"):
                self.add_error("mailing_address", "账单寄送方式为纸质账单时，请填写通讯地址")
            if "postcode" not in self.errors and not data.get("postcode"):
                self.add_error("postcode", "账单寄送方式为纸质账单时，请填写邮政编码")
        return data

    def values(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in INFO_FIELDS}
