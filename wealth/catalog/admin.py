"""The shelf in the staff admin (imported from WealthConfig.ready()).

* 理财产品 (Product) and 产品净值 (Nav): 柜员 read, 总行管理员 add and change. A product is added
  through ``wealth.products.product_create`` (its cash book ``WLT:<code>``); its code and kind
  never change afterwards. A 净值 that a confirmed order or a day of 薪加利 income used is
  history: neither changed nor deleted. Every write is audited by the services.
* 理财交易 (Order), 份额账户 (ShareAccount, with its 份额明细) and 薪加利收益 (Income): read-only,
  scoped to the teller's branch.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet

from ebank.core.admin_mixins import ReadOnlyAdminMixin, money_column
from ebank.core.errors import BusinessError
from ebank.core.money import format_cny
from ebank.ledger.business_types import business_type_label
from security.staff.scoping import BranchScopedAdminMixin

from ..models import Income, Nav, Order, Product, ShareAccount, SharePosting
from ..templatetags.wealth_format import shares as format_shares
from .rules import nav_rules_check, nav_used, product_change_check, product_rules_check
from .services import (
    NAV_USED,
    nav_delete,
    nav_save,
    product_add,
    product_change,
    raise_fail,
)

# --- 理财产品 ------------------------------------------------------------------------------------


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["code", "name", "issuer", "kind", "risk_level", "private", "cooling_hours",
                  "benchmark", "on_sale", "raise_start", "raise_end", "start_date", "end_date",
                  "min_amount", "step_amount", "min_redeem_shares", "min_hold_shares",
                  "subscribe_fee_rate", "purchase_fee_rate", "redeem_fee_rate"]

    def clean(self):
        cleaned = super().clean()
        values = dict(cleaned)
        if self.instance.pk is not None:  # the fixed fields are shown, not posted
            values.setdefault("code", self.instance.code)
            values.setdefault("kind", self.instance.kind)
        errors = product_rules_check(values)
        if self.instance.pk is not None:
            stored = Product.objects.get(pk=self.instance.pk)
            for field, message in product_change_check(stored, values).items():
                errors.setdefault(field, message)
        for field, message in errors.items():
            if field in self.fields:
                self.add_error(field, message)
            else:
                raise ValidationError(message)
        return cleaned


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductForm
    list_display = ("code", "name", "kind", "risk_level", "private", "start_date", "end_date",
                    "min_amount_cny", "step_amount_cny", "on_sale")
    list_filter = ("kind", "risk_level", "on_sale")
    search_fields = ("code", "name")
    fieldsets = (
        ("产品", {"fields": ("code", "name", "issuer", "kind", "risk_level", "private",
                           "cooling_hours", "benchmark", "on_sale")}),
        ("期限", {"fields": ("raise_start", "raise_end", "start_date", "end_date")}),
        ("金额与份额", {"fields": ("min_amount", "step_amount", "min_redeem_shares",
                                "min_hold_shares")}),
        ("费率", {"fields": ("subscribe_fee_rate", "purchase_fee_rate", "redeem_fee_rate")}),
    )

    min_amount_cny = money_column("min_amount", "起购金额", ordering="min_amount")
    step_amount_cny = money_column("step_amount", "递增金额")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("code", "kind", "cash_book", "created_at")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets
        return (*self.fieldsets, ("资金", {"fields": ("cash_book", "created_at")}))

    @admin.display(description="产品资金账户")
    def cash_book(self, obj):
        return obj.ledger_account.code

    def has_delete_permission(self, request, obj=None):
        return False  # orders and the cash book keep it: a product leaves the shelf by 网银销售

    actions = ("raise_fail_action",)

    @admin.action(description="募集失败（认购资金解冻，停止销售）", permissions=("change",))
    def raise_fail_action(self, request, queryset):
        for product in queryset.order_by("pk"):
            try:
                outcome = raise_fail(staff=request.user, product=product)
            except BusinessError as exc:
                self.message_user(request, f"{product.code} {product.name}：{exc.message}",
                                  messages.ERROR)
                continue
            self.message_user(
                request, f"{product.code} {product.name}：募集失败，{outcome.orders}笔认购已失败，"
                f"解冻{format_cny(outcome.released)}", messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        if change:
            product_change(staff=request.user, product=obj, changed=form.changed_data)
            return
        fields = {name: form.cleaned_data[name] for name in form.fields}
        product = product_add(staff=request.user, fields=fields)
        obj.pk, obj.ledger_account_id = product.pk, product.ledger_account_id
        obj.created_at = product.created_at
        obj._state.adding = False


# --- 产品净值 ------------------------------------------------------------------------------------


class NavForm(forms.ModelForm):
    class Meta:
        model = Nav
        fields = ["product", "date", "nav", "income_per_10k", "seven_day_yield"]

    def clean(self):
        cleaned = super().clean()
        product = cleaned.get("product") or (self.instance.product
                                             if self.instance.pk is not None else None)
        day = cleaned.get("date") or (self.instance.date if self.instance.pk else None)
        if product is None or day is None:
            return cleaned
        if self.instance.pk is None and Nav.objects.filter(product=product, date=day).exists():
            raise ValidationError("该产品该日的净值已发布，请修改原记录")
        if self.instance.pk is not None and nav_used(product, day):
            raise ValidationError(NAV_USED)
        errors = nav_rules_check(product=product, day=day, nav=cleaned.get("nav"),
                                 income_per_10k=cleaned.get("income_per_10k"),
                                 seven_day_yield=cleaned.get("seven_day_yield"))
        for field, message in errors.items():
            if field in self.fields:
                self.add_error(field, message)
            else:
                raise ValidationError(message)
        return cleaned

    def validate_unique(self):
        pass  # clean() says it in the bank's words; nav_save locks and checks again


@admin.register(Nav)
class NavAdmin(admin.ModelAdmin):
    form = NavForm
    list_display = ("product", "date", "nav", "income_per_10k", "seven_day_yield",
                    "published_by", "published_at")
    list_select_related = ("product",)
    list_filter = ("product__kind", "product")
    search_fields = ("product__code", "product__name")
    date_hierarchy = "date"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("product", "date", "published_by", "published_at")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one row at a time, each checked and audited
        return actions

    def has_change_permission(self, request, obj=None):
        if obj is not None and nav_used(obj.product, obj.date):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and nav_used(obj.product, obj.date):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            row = nav_save(staff=request.user, product=obj.product, day=obj.date,
                           nav=data["nav"], income_per_10k=data.get("income_per_10k"),
                           seven_day_yield=data.get("seven_day_yield"))
        except BusinessError as exc:  # used between the form's check and the row lock
            raise PermissionDenied(exc.message) from None
        obj.pk, obj.published_at, obj.published_by = row.pk, row.published_at, row.published_by
        obj._state.adding = False

    def delete_model(self, request, obj):
        nav_delete(staff=request.user, nav=obj)


# --- orders, shares and income (read-only) -------------------------------------------------------


class StaffReadOnlyAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    def audit_customer_id(self, obj):
        return obj.customer_id


@admin.register(Order)
class OrderAdmin(StaffReadOnlyAdmin):
    list_display = ("number", "customer", "product_code", "kind", "status", "asked",
                    "trade_date", "nav", "confirmed", "fee_cny")
    list_select_related = ("customer", "product")
    list_filter = ("status", "kind", "product")
    search_fields = ("=number", "customer__name", "=customer__cif_no")
    date_hierarchy = "trade_date"
    fields = ("number", "customer", "medium", "product", "kind", "status", "amount_cny",
              "shares", "placed_at", "trade_date", "cancel_until", "nav", "confirmed_shares",
              "confirmed_amount_cny", "fee_cny", "confirmed_on", "pay_on", "closed_at",
              "failure_reason")
    readonly_fields = fields

    amount_cny = money_column("amount", "申请金额")
    confirmed_amount_cny = money_column("confirmed_amount", "确认金额")
    fee_cny = money_column("fee", "手续费", ordering="fee")

    @admin.display(description="产品", ordering="product__code")
    def product_code(self, obj):
        return obj.product.code

    @admin.display(description="申请金额/份额")
    def asked(self, obj):
        return format_cny(obj.amount) if obj.amount is not None else f"{format_shares(obj.shares)}份"

    @admin.display(description="确认金额/份额")
    def confirmed(self, obj):
        parts = []
        if obj.confirmed_amount is not None:
            parts.append(format_cny(obj.confirmed_amount))
        if obj.confirmed_shares is not None:
            parts.append(f"{format_shares(obj.confirmed_shares)}份")
        return " / ".join(parts) or "-"


POSTINGS_SHOWN = 50


class LatestPostingsFormSet(BaseInlineFormSet):
    """Only the latest ``POSTINGS_SHOWN`` postings: a 薪加利 account gains one every night and a
    product's issuance account one per order, so the whole history would grow without bound
    (交易明细查询 and the 份额分录 keep it all)."""

    def get_queryset(self):
        if not hasattr(self, "_latest"):
            self._latest = super().get_queryset()[:POSTINGS_SHOWN]
        return self._latest


class SharePostingInline(admin.TabularInline):
    model = SharePosting
    formset = LatestPostingsFormSet
    verbose_name_plural = f"份额明细（最近{POSTINGS_SHOWN}笔）"
    fields = ("posted_at", "business", "reference", "shares", "balance_after")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-id",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("entry")

    @admin.display(description="业务类型")
    def business(self, obj):
        return business_type_label(obj.entry.business_type)

    @admin.display(description="业务编号")
    def reference(self, obj):
        return obj.entry.reference

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ShareAccount)
class ShareAccountAdmin(StaffReadOnlyAdmin):
    list_display = ("product", "holder", "shares", "frozen", "available_shares", "opened_at")
    list_select_related = ("product", "customer")
    list_filter = ("product",)
    search_fields = ("product__code", "customer__name", "=customer__cif_no")
    fields = ("product", "customer", "shares", "frozen", "available_shares", "opened_at")
    readonly_fields = fields
    inlines = [SharePostingInline]

    @admin.display(description="客户", ordering="customer__name")
    def holder(self, obj):
        return obj.customer.name if obj.customer_id else "（产品发行账户）"

    @admin.display(description="可用份额")
    def available_shares(self, obj):
        return obj.available


@admin.register(Income)
class IncomeAdmin(StaffReadOnlyAdmin):
    list_display = ("date", "customer", "product", "shares_base", "income_per_10k",
                    "amount_cny")
    list_select_related = ("customer", "product")
    list_filter = ("product",)
    search_fields = ("customer__name", "=customer__cif_no")
    date_hierarchy = "date"
    fields = ("date", "customer", "product", "shares_base", "income_per_10k", "amount_cny")
    readonly_fields = fields

    amount_cny = money_column("amount", "收益金额", ordering="amount")
