"""Forms of 跨行转账, 联行号查询 and 预约交易管理. Messages in Chinese; typed values are re-shown.

The 转出账号 choices are the customer's own 活期主账户s, so another customer's id is simply "not
a valid choice". The 收款行 is one text box taking a bank name or a 12-digit 联行号: the page's
script fills the hidden code from the search; without the script the server searches and, when
several banks match, lists them to pick from (``bank_candidates``).
"""

import re
from datetime import date

from django import forms

from accounts.models import Customer
from accounts.payers import account_option_label, payer_accounts
from ebank.clearing.models import BankCode
from ebank.clearing.routing import ArrivalMode
from ebank.clearing.selectors import bank_code_get, bank_code_search
from ebank.core.errors import BusinessError
from ebank.core.money import parse_amount

from ..services.inter import InterRequest, inter_payee_check

ACCOUNT_RE = re.compile(r"^\d{6,32}$")
BANK_CODE_RE = re.compile(r"^\d{12}$")
QUERY_MAX_DAYS = 366
# Control characters would break the clearing message and the receipt.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def _text(label: str, max_length: int, *, required: bool = True, **attrs) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, required=required,
        error_messages={"required": f"请输入{label}",
                        "max_length": f"{label}不能超过{max_length}个字符"},
        widget=forms.TextInput(attrs={"autocomplete": "off", **attrs}))


def _clean_text(value: str, label: str) -> str:
    value = " ".join(value.split())  # inner runs of spaces (full-width too) to one
    if CONTROL_RE.search(value):
        raise forms.ValidationError(f"{label}含有不允许的字符")
    return value


class InterTransferForm(forms.Form):
    from_account = forms.TypedChoiceField(label="转出账号", coerce=int,
                                          widget=forms.Select(attrs={"class": "account-select"}),
                                          error_messages={"required": "请选择转出账号",
                                                          "invalid_choice": "请选择转出账号"})
    mode = forms.ChoiceField(label="到账方式", choices=ArrivalMode.choices,
                             initial=ArrivalMode.REAL_TIME, widget=forms.RadioSelect,
                             error_messages={"required": "请选择到账方式",
                                             "invalid_choice": "请选择到账方式"})
    payee_account = _text("收款人账号", 40, inputmode="numeric")
    payee_name = _text("收款人名称", 64)
    bank_query = _text("收款行", 64, required=False, placeholder="输入行名关键字或12位联行号")
    bank_code = forms.CharField(required=False, max_length=12, widget=forms.HiddenInput)
    fill_branch = forms.BooleanField(label="填写收款网点", required=False)
    branch_code = _text("收款网点行号", 12, required=False, inputmode="numeric")
    amount = _text("转账金额", 32, inputmode="decimal", **{"data-capitals": ""})
    purpose = _text("付款用途", 60, required=False)
    save_payee = forms.BooleanField(label="加入收款人登记簿", required=False)

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.payers = {sub.pk: sub for sub in payer_accounts(customer=customer)}
        self.fields["from_account"].choices = [("", "请选择")] + [
            (pk, account_option_label(sub))
            for pk, sub in self.payers.items()
        ]
        self.fields["bank_query"].help_text = "可按行名关键字（如“工商 合肥”）或12位联行号查询"
        self.fields["branch_code"].help_text = "网银互联系统维护（清算行已退出）时，填写收款行网点的12位行号"
        self.bank_candidates: list[BankCode] = []

    def clean_payee_account(self):
        value = "".join(self.cleaned_data["payee_account"].split())
        if not ACCOUNT_RE.fullmatch(value):
            raise forms.ValidationError("收款人账号应为6至32位数字，请填写正确、完整")
        # Note 1: 跨行转账 goes to other banks; our own accounts go by 行内转账.
        try:
            inter_payee_check(account_number=value)
        except BusinessError as exc:
            raise forms.ValidationError(exc.message) from exc
        return value

    def clean_payee_name(self):
        return _clean_text(self.cleaned_data["payee_name"], "收款人名称")

    def clean_purpose(self):
        return _clean_text(self.cleaned_data.get("purpose", ""), "付款用途")

    def clean_amount(self):
        try:
            return parse_amount(self.cleaned_data["amount"])
        except BusinessError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_branch_code(self):
        value = self.cleaned_data.get("branch_code", "").strip()
        if value and not BANK_CODE_RE.fullmatch(value):
            raise forms.ValidationError("收款网点行号应为12位数字")
        return value

    def _bank(self) -> BankCode | None:
        code = (self.cleaned_data.get("bank_code") or "").strip()
        query = (self.cleaned_data.get("bank_query") or "").strip()
        if not code and BANK_CODE_RE.fullmatch(query):
            code = query
        if code:
            try:
                return inter_payee_check(bank_code=code)
            except BusinessError as exc:
                self.add_error("bank_query", exc.message)
                return None
        if not query:
            self.add_error("bank_query", "请输入收款行，可按行名或联行号查询")
            return None
        found = bank_code_search(query)
        if len(found) == 1:
            return found[0]
        if not found:
            self.add_error("bank_query", "未找到该收款行，请检查行名或联行号")
        else:
            self.bank_candidates = found
            self.add_error("bank_query", "找到多家银行网点，请从下方列表中选择收款行")
        return None

    def clean(self):
        cleaned = super().clean()
        bank = self._bank()
        if bank is not None:
            try:
                inter_payee_check(bank=bank)
            except BusinessError as exc:
                self.add_error("bank_query", exc.message)
                bank = None
            else:
                cleaned["bank_query"] = bank.name
        cleaned["bank"] = bank
        branch = None
        if cleaned.get("fill_branch"):
            code = cleaned.get("branch_code", "")
            if not code:
                if "branch_code" not in self.errors:
                    self.add_error("branch_code", "已勾选“填写收款网点”，请填写收款网点行号")
            else:
                branch = bank_code_get(code)
                if branch is None:
                    self.add_error("branch_code", "收款网点行号不存在，请通过“联行号查询”核对")
                elif bank is not None and branch.bank_name != bank.bank_name:
                    self.add_error("branch_code", "收款网点不属于所选收款行")
                    branch = None
        cleaned["branch"] = branch
        return cleaned

    def inter_request(self) -> InterRequest:
        data = self.cleaned_data
        return InterRequest(
            payer=self.payers[data["from_account"]], mode=ArrivalMode(data["mode"]),
            payee_account=data["payee_account"], payee_name=data["payee_name"],
            bank=data["bank"], branch=data["branch"], amount=data["amount"],
            purpose=data.get("purpose", ""), save_payee=bool(data.get("save_payee")))


class BankCodeSearchForm(forms.Form):
    q = _text("行名或联行号", 64, placeholder="如：工商 合肥，或 102361")

    def clean_q(self):
        value = _clean_text(self.cleaned_data["q"], "查询条件")
        if not value:
            raise forms.ValidationError("请输入行名关键字或联行号")
        return value


class ReservedQueryForm(forms.Form):
    date_from = forms.DateField(label="起始日期", required=False,
                                error_messages={"invalid": "请输入正确的日期，如2026-11-30"},
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="终止日期", required=False,
                              error_messages={"invalid": "请输入正确的日期，如2026-11-30"},
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start is None and "date_from" not in self.errors:
            cleaned["date_from"] = start = self.today  # default: from today on
        if start and end:
            if end < start:
                raise forms.ValidationError("终止日期不能早于起始日期")
            if (end - start).days > QUERY_MAX_DAYS:
                raise forms.ValidationError("查询区间不能超过一年")
        return cleaned
