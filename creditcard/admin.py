"""信用卡业务 in the staff admin.

--- acquiring (the card and its activity: creditcard/acquiring) ---
* 信用卡 (Card): read-only, scoped to the teller's branch; actions 模拟消费 (the acquirer
  simulator only: amount, merchant and MCC typed beside the action) and 冻结/解冻 (主管 and
  总行管理员, audited: creditcard.acquiring.staff).
* 信用卡交易（借方/贷方）and 信用卡账单: read-only lists with their money.
* 信用卡业务参数 (CardSetting): head office adds a row with a future 生效日期 (and may correct one
  not yet in force); a row in force is never edited.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError

from ebank.core.admin_mixins import ReadOnlyAdminMixin, money_column
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.money import parse_amount
from security.staff.scoping import BranchScopedAdminMixin, StaffAuditMixin, head_office

from .acquiring import staff as acquiring_staff
from .models import AutoRepayRun, Card, CardCredit, CardItem, CardSetting, Statement


class SimulateActionForm(ActionForm):
    amount = forms.CharField(label="消费金额", max_length=20, required=False)
    merchant = forms.CharField(label="商户名称", max_length=60, required=False)
    mcc = forms.CharField(label="商户类别码", max_length=4, required=False, initial="5411")


@admin.register(Card)
class CardAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    list_display = ("card_number", "customer", "credit_limit_cny", "cash_limit_cny",
                    "statement_day", "status", "issued_on")
    list_select_related = ("medium", "customer")
    list_filter = ("status", "statement_day")
    search_fields = ("=medium__number", "=customer__cif_no", "customer__name")
    action_form = SimulateActionForm
    actions = ["simulate_purchase", "freeze", "unfreeze"]
    fields = ("card_number", "customer", "product", "credit_limit_cny", "cash_limit_cny",
              "statement_day", "status", "issued_on", "expires", "issued_by_id",
              "autorepay_mode", "autorepay_medium", "bill_delivery", "last_statement_on")
    readonly_fields = fields

    credit_limit_cny = money_column("credit_limit", "信用额度", ordering="credit_limit")
    cash_limit_cny = money_column("cash_limit", "取现额度", ordering="cash_limit")

    @admin.display(description="卡号", ordering="medium__number")
    def card_number(self, obj):
        return obj.medium.masked_number

    def audit_customer_id(self, obj):
        return obj.customer_id

    # Actions need "change" (or their own permission); the change form itself stays read-only.
    def has_change_permission(self, request, obj=None):
        return obj is None and request.user.has_perm("creditcard.change_card")

    def has_status_permission(self, request):
        return acquiring_staff.may_change_status(request.user) and request.user.has_perm(
            "creditcard.change_card")

    def has_simulate_permission(self, request):
        from ebank.acquirer.adapter import acquirer_adapter
        return acquirer_adapter().simulated and request.user.has_perm("creditcard.view_card")

    @admin.action(description="模拟消费", permissions=["simulate"])
    def simulate_purchase(self, request, queryset):
        cards = list(queryset.select_related("medium", "customer")[:2])
        if len(cards) != 1:
            self.message_user(request, "模拟消费请只选择一张信用卡", messages.ERROR)
            return
        try:
            amount = parse_amount(request.POST.get("amount", ""))
            outcome = acquiring_staff.card_simulated_purchase(
                staff=request.user, card=cards[0], amount=amount,
                merchant=request.POST.get("merchant", ""),
                mcc=request.POST.get("mcc", "") or "5411")
        except BusinessError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        if outcome.approved:
            self.message_user(request, f"模拟消费成功：{outcome.merchant} ¥{outcome.amount:,.2f}，"
                                       f"收单流水号 {outcome.reference}", messages.SUCCESS)
        else:
            self.message_user(request, f"模拟消费被拒绝：{outcome.reason}", messages.WARNING)

    @admin.action(description="冻结", permissions=["status"])
    def freeze(self, request, queryset):
        self._status(request, queryset, freeze=True)

    @admin.action(description="解冻", permissions=["status"])
    def unfreeze(self, request, queryset):
        self._status(request, queryset, freeze=False)

    def _status(self, request, queryset, *, freeze: bool) -> None:
        changed = []
        for pk, number in queryset.order_by("pk").values_list("pk", "medium__number"):
            try:
                if acquiring_staff.card_status_change(staff=request.user, card_id=pk,
                                                      freeze=freeze):
                    changed.append(number[-4:])
            except (BusinessError, PermissionDenied) as exc:
                self.message_user(request, getattr(exc, "message", str(exc)), messages.ERROR)
                return
        verb = "冻结" if freeze else "解冻"
        if changed:
            self.message_user(request, f"已{verb}：尾号{'、'.join(changed)}", messages.SUCCESS)
        else:
            self.message_user(request, f"所选信用卡无需{verb}", messages.WARNING)


class CardRowsAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    branch_path = "card__customer__branch"
    list_select_related = ("card__medium", "card__customer")
    search_fields = ("=card__medium__number", "=reference", "card__customer__name")

    @admin.display(description="信用卡", ordering="card__medium__number")
    def card_number(self, obj):
        return obj.card.medium.masked_number

    def audit_customer_id(self, obj):
        return obj.card.customer_id


@admin.register(CardItem)
class CardItemAdmin(CardRowsAdmin):
    list_display = ("card_number", "kind", "txn_date", "posted_on", "merchant", "amount_cny",
                    "outstanding_cny", "refunded_cny", "points")
    list_filter = ("kind",)
    date_hierarchy = "posted_on"
    amount_cny = money_column("amount", "金额", ordering="amount")
    outstanding_cny = money_column("outstanding", "未还金额", ordering="outstanding")
    refunded_cny = money_column("refunded", "已退货", ordering="refunded")


@admin.register(CardCredit)
class CardCreditAdmin(CardRowsAdmin):
    list_display = ("card_number", "kind", "txn_date", "posted_on", "description", "amount_cny",
                    "unapplied_cny")
    list_filter = ("kind",)
    date_hierarchy = "posted_on"
    amount_cny = money_column("amount", "金额", ordering="amount")
    unapplied_cny = money_column("unapplied", "未冲抵", ordering="unapplied")


@admin.register(AutoRepayRun)
class AutoRepayRunAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    """自动还款记录: one row per statement the due-date run (nightly 310) handled."""

    branch_path = "statement__card__customer__branch"
    list_display = ("card_number", "statement_date", "run_on", "mode", "debit_number",
                    "wanted_cny", "paid_cny", "status", "note")
    list_filter = ("status", "mode")
    list_select_related = ("statement__card__medium", "statement__card__customer", "medium")
    search_fields = ("=statement__card__medium__number", "statement__card__customer__name")
    date_hierarchy = "run_on"
    wanted_cny = money_column("wanted", "应扣金额", ordering="wanted")
    paid_cny = money_column("paid", "实扣金额", ordering="paid")

    @admin.display(description="信用卡", ordering="statement__card__medium__number")
    def card_number(self, obj):
        return obj.statement.card.medium.masked_number

    @admin.display(description="账单日", ordering="statement__statement_date")
    def statement_date(self, obj):
        return obj.statement.statement_date

    @admin.display(description="扣款账户")
    def debit_number(self, obj):
        return obj.medium.masked_number

    def audit_customer_id(self, obj):
        return obj.statement.card.customer_id


@admin.register(Statement)
class StatementAdmin(CardRowsAdmin):
    list_display = ("card_number", "statement_date", "due_date", "balance_cny",
                    "minimum_payment_cny", "new_debits_cny", "new_credits_cny")
    date_hierarchy = "statement_date"
    search_fields = ("=card__medium__number", "card__customer__name")
    balance_cny = money_column("balance", "本期应还", ordering="balance")
    minimum_payment_cny = money_column("minimum_payment", "最低还款额")
    new_debits_cny = money_column("new_debits", "本期新增")
    new_credits_cny = money_column("new_credits", "还款/退货")


class CardSettingForm(forms.ModelForm):
    class Meta:
        model = CardSetting
        fields = ["effective_from", "due_days", "grace_days", "tolerance", "interest_method",
                  "daily_rate", "purchase_minimum_rate", "cash_minimum_rate", "late_fee_rate",
                  "late_fee_minimum", "cash_limit_ratio", "cash_fee_rate", "cash_fee_minimum",
                  "points_per_yuan", "points_per_thousand_transfers", "points_valid_months"]

    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        if day <= business_day():
            raise ValidationError("生效日期须晚于今天：已生效的参数不能修改，请新增一行")
        return day


@admin.register(CardSetting)
class CardSettingAdmin(StaffAuditMixin, admin.ModelAdmin):
    form = CardSettingForm
    list_display = ("effective_from", "due_days", "grace_days", "tolerance_cny",
                    "interest_method", "daily_rate", "cash_limit_ratio", "points_per_yuan")
    tolerance_cny = money_column("tolerance", "容差", ordering="tolerance")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and head_office(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.effective_from <= business_day():
            return False   # in force (or past): history, never rewritten
        return super().has_change_permission(request, obj) and head_office(request.user)

    def has_delete_permission(self, request, obj=None):
        return False
