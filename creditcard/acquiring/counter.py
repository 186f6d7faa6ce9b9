"""信用卡发卡 at the counter (the teller workstation): a counter action
(security.staff.counter.actions) registered when this module is imported
(CreditcardConfig.ready()).

The teller checks the customer's ID (``counter_begin``: scope, customer row lock, ID), types the
信用额度, the 取现额度 (optional: the setting's share of the credit limit, 50%, at most), the
账单日 (1–28) and 自动还款 (none, full or minimum, from one of the customer's own 借记卡); the
customer keys the 交易密码 twice on the PIN pad. ``card_issue`` opens the card; when the customer
has e-banking the card's medium is linked to it at once (last in the list of 网银关联账户), so
信用卡业务 shows it; the 业务受理单 is printed; the audit row is the registry's.
"""

from django import forms
from django.db import models, transaction
from django.db.models import Max

from accounts.models import Customer, LinkedMedium, Medium, MediumKind, MediumStatus
from accounts.services import pin_validate_format
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.money import format_cny, parse_amount
from security.models import CounterReceipt, User, UserStatus
from security.staff.counter.actions import CounterActionSpec, counter_action
from security.staff.counter.common import counter_record, staff_branch
from security.staff.counter.forms import IdentityForm, MediumChoiceField
from security.staff.counter.services import counter_begin

from ..cards import card_issue
from ..models import AutoRepayMode, Card
from ..settings import card_setting_on


class CardCounterAction(models.TextChoices):
    """信用卡业务's counter actions: the code each 业务受理单 carries and the action's title."""

    ISSUE = "card_issue", "信用卡发卡"


def _ebanking_link(*, customer: Customer, medium: Medium) -> bool:
    """Link ``medium`` to the customer's e-banking (last in the list) when they have it; the
    customer row is locked (``counter_begin``). Returns whether it was linked."""
    has_ebanking = User.objects.filter(customer=customer).exclude(
        status=UserStatus.CANCELLED).exists()
    if not has_ebanking:
        return False
    last = (LinkedMedium.objects.filter(customer=customer).aggregate(p=Max("position"))["p"]
            or 0)
    LinkedMedium.objects.create(customer=customer, medium=medium, position=last + 1)
    return True


def _autorepay_text(card: Card) -> str:
    if card.autorepay_mode == AutoRepayMode.NONE:
        return "未设置"
    return f"{card.get_autorepay_mode_display()}（借记卡 {card.autorepay_medium.masked_number}）"


@transaction.atomic(durable=True)
def counter_card_issue(*, acting_user: User, customer: Customer, id_type: str, id_number: str,
                       id_copy_received: bool, credit_limit, cash_limit, statement_day: int,
                       pin: str, autorepay_mode: str = AutoRepayMode.NONE,
                       autorepay_medium: Medium | None = None) -> CounterReceipt:
    customer = counter_begin(acting_user=acting_user, customer=customer, id_type=id_type,
                             id_number=id_number, id_copy_received=id_copy_received)
    on = business_day()
    if autorepay_medium is not None and autorepay_mode != AutoRepayMode.NONE:
        autorepay_medium = Medium.objects.get(pk=autorepay_medium.pk)
        if autorepay_medium.status != MediumStatus.NORMAL:
            raise BusinessError("自动还款借记卡状态不正常")
    card = card_issue(customer=customer, credit_limit=credit_limit, statement_day=statement_day,
                      issued_on=on, pin=pin, cash_limit=cash_limit, teller_id=acting_user.pk,
                      autorepay_mode=autorepay_mode, autorepay_medium=autorepay_medium)
    linked = _ebanking_link(customer=customer, medium=card.medium)
    due_days = card_setting_on(on).due_days
    return counter_record(
        action=CardCounterAction.ISSUE, customer=customer, staff=acting_user,
        branch=staff_branch(staff=acting_user), card_number=card.medium.number,
        items=[["业务内容", "信用卡发卡"],
               ["信用卡", f"{card.product} {card.medium.masked_number}"],
               ["有效期", card.expires],
               ["信用额度", format_cny(card.credit_limit)],
               ["取现额度", format_cny(card.cash_limit)],
               ["账单日", f"每月{card.statement_day}日"],
               ["到期还款日", f"账单日后{due_days}天"],
               ["自动还款", _autorepay_text(card)],
               ["网上银行", "已关联网上银行，可在信用卡业务中查询和还款" if linked
                else "客户未开通网上银行"],
               ["发卡日期", f"{on:%Y-%m-%d}"]],
        audit_detail={"card": card.medium.masked_number, "card_id": card.pk,
                      "credit_limit": str(card.credit_limit),
                      "cash_limit": str(card.cash_limit),
                      "statement_day": card.statement_day, "linked": linked})


class _AmountField(forms.CharField):
    """An amount as typed at the counter (¥, 元 and thousands separators accepted)."""

    def __init__(self, *, required: bool = True, error_messages=None, **kwargs):
        super().__init__(required=required, max_length=32, widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "data-capitals": ""}),
            error_messages={"max_length": "请输入正确的金额", **(error_messages or {})}, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_amount(text)
        except BusinessError as exc:
            raise forms.ValidationError(exc.message) from exc


def _pin_field(label: str) -> forms.CharField:
    return forms.CharField(label=label, max_length=6, strip=False,
                           error_messages={"required": "请客户在密码键盘输入交易密码"},
                           widget=forms.PasswordInput(render_value=False, attrs={
                               "autocomplete": "new-password", "inputmode": "numeric"}))


class CardIssueForm(IdentityForm):
    credit_limit = _AmountField(label="信用额度", help_text="100元的整数倍",
                                error_messages={"required": "请输入信用额度"})
    cash_limit = _AmountField(label="取现额度", required=False,
                              help_text="可不填：默认为信用额度的50%，且不得超过")
    statement_day = forms.IntegerField(
        label="账单日", min_value=1, max_value=28, help_text="每月1日至28日",
        error_messages={"required": "请输入账单日", "invalid": "账单日须为每月1日至28日",
                        "min_value": "账单日须为每月1日至28日",
                        "max_value": "账单日须为每月1日至28日"})
    pin = _pin_field("交易密码（客户输入）")
    pin_again = _pin_field("再次输入交易密码")
    autorepay_mode = forms.ChoiceField(label="自动还款", choices=AutoRepayMode.choices,
                                       initial=AutoRepayMode.NONE,
                                       help_text="到期还款日从客户本人借记卡自动扣款")
    autorepay_medium = MediumChoiceField(label="自动还款借记卡", required=False,
                                         queryset=Medium.objects.none(), empty_label="（不设置）")

    field_order = ["id_type", "id_number", "id_copy_received", "credit_limit", "cash_limit",
                   "statement_day", "pin", "pin_again", "autorepay_mode", "autorepay_medium"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["autorepay_medium"].queryset = Medium.objects.filter(
            customer=self.customer, kind=MediumKind.DEBIT_CARD,
            status=MediumStatus.NORMAL).order_by("number")

    def clean(self):
        cleaned = super().clean()
        credit, cash = cleaned.get("credit_limit"), cleaned.get("cash_limit")
        if credit is not None and credit % 100:
            self.add_error("credit_limit", "信用额度须为100元的整数倍")
        elif credit is not None and cash is not None:
            ratio = card_setting_on(business_day()).cash_limit_ratio
            if cash > credit * ratio:
                self.add_error("cash_limit", f"取现额度不能超过信用额度的{ratio:.0%}")
        pin, again = cleaned.get("pin"), cleaned.get("pin_again")
        if pin:
            try:
                pin_validate_format(pin)
            except BusinessError as exc:
                self.add_error("pin", exc.message)
            else:
                if again and again != pin:
                    self.add_error("pin_again", "两次输入的交易密码不一致")
        mode = cleaned.get("autorepay_mode")
        if mode and mode != AutoRepayMode.NONE and not cleaned.get("autorepay_medium"):
            self.add_error("autorepay_medium", "设置自动还款须选择客户本人的借记卡")
        return cleaned


counter_action(CardCounterAction.ISSUE, CounterActionSpec(
    CardIssueForm,
    lambda staff, customer, d: counter_card_issue(
        acting_user=staff, customer=customer, id_type=d["id_type"], id_number=d["id_number"],
        id_copy_received=d["id_copy_received"], credit_limit=d["credit_limit"],
        cash_limit=d["cash_limit"], statement_day=d["statement_day"], pin=d["pin"],
        autorepay_mode=d["autorepay_mode"],
        autorepay_medium=d["autorepay_medium"] if d["autorepay_mode"] != AutoRepayMode.NONE
        else None),
    applies=lambda state: True, unavailable="该客户当前不能办理信用卡发卡",
    note="发卡后客户凭交易密码使用信用卡；客户已开通网上银行的，新卡自动关联网银。"))
