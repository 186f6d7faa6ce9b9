"""The form of 缴费登记簿管理: 缴费类型, 缴费号码 and 备注名 (add and 修改 alike)."""

from django import forms

from ebank.core.errors import BusinessError
from payments.models import BOOK_ALIAS_MAX, BillKind
from payments.numbers import customer_no_normalise


class BookEntryForm(forms.Form):
    kind = forms.ChoiceField(label="缴费类型", choices=[("", "请选择"), *BillKind.choices],
                             error_messages={"required": "请选择缴费类型",
                                             "invalid_choice": "请选择缴费类型"})
    customer_no = forms.CharField(
        label="缴费号码", max_length=40,
        help_text="水费、电费、煤气、供暖填户号；移动填手机号码，铁通、联通、电信填手机号码或"
                  "固定电话（如0551-62881234）；"
                  "申报扣税填缴税凭证号",
        error_messages={"required": "请输入缴费号码", "max_length": "缴费号码格式不正确"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    alias = forms.CharField(
        label="备注名", required=False, max_length=BOOK_ALIAS_MAX,
        help_text=f"选填，最多{BOOK_ALIAS_MAX}个字，如“家里电费”",
        error_messages={"max_length": f"备注名最多{BOOK_ALIAS_MAX}个字"})

    def clean(self):
        data = super().clean()
        kind, number = data.get("kind"), data.get("customer_no")
        if kind and number:
            try:
                data["customer_no"] = customer_no_normalise(kind, number)
            except BusinessError as exc:
                self.add_error("customer_no", exc.message)
        return data
