"""贷款业务 in the staff admin (imported from LoansConfig.ready()).

* 个人贷款申请 — read-only, scoped to the teller's branch, opening on 待审批 (the queue, oldest
  first); each waiting application has its 审批 page: 批准 (批准金额, 批准期限, 加点; the
  执行利率 shown from today's LPR) or 拒绝 with a reason. Above the setting's 双人审批起点 the
  批准 goes to 复核 (待复核), decided in 复核申请 by a 主管 or head office.
* 贷款产品, LPR利率表, 贷款参数 — head office adds and changes them (audited); an LPR row or a
  parameter row already in force is history and not changed (add a new row).
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from ebank.core.admin_mixins import ReadOnlyAdminMixin, money_column
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.money import parse_amount
from ebank.core.proxy import client_ip
from security.staff.admin_index import WorkstationLink, workstation_entry
from security.staff.scoping import (
    BranchScopedAdminMixin,
    StaffAuditMixin,
    head_office,
    scope_queryset,
)

from ..models import ApplicationStatus, LoanApplication, LoanProduct, LoanSetting, LprRate
from .services import (
    MAX_SPREAD,
    REVIEW_PERMISSION,
    SPREAD_RANGE,
    application_approve,
    application_reject,
    checking_lapsed,
    checking_lapsed_q,
    pricing,
    reviewer_refusal,
    waiting_q,
)

WAITING = "waiting"
MAX_VALID_DAYS = 365   # 贷款参数's 批复有效期: at most a year


class StatusFilter(admin.SimpleListFilter):
    """Opens on 待审批: the queue is what a teller comes for (a 待复核 whose 复核 ended without
    批准 is waiting again)."""

    title = "状态"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(WAITING, "待审批"), *[(value, label) for value, label in ApplicationStatus.choices
                                       if value != ApplicationStatus.SUBMITTED],
                ("all", "全部")]

    def queryset(self, request, queryset):
        value = self.value() or WAITING
        if value == WAITING:
            return queryset.filter(waiting_q())
        if value == ApplicationStatus.CHECKING:
            return queryset.filter(status=value).exclude(checking_lapsed_q())
        return queryset if value == "all" else queryset.filter(status=value)

    def choices(self, changelist):
        current = self.value() or WAITING
        for value, label in self.lookup_choices:
            yield {"selected": current == value, "display": label,
                   "query_string": changelist.get_query_string({self.parameter_name: value})}


class ApproveForm(forms.Form):
    amount = forms.CharField(label="批准金额（元）", max_length=30,
                             error_messages={"required": "请输入批准金额"})
    months = forms.TypedChoiceField(label="批准期限", coerce=int, error_messages={
        "required": "请选择批准期限", "invalid_choice": "请选择产品的可选期限"})
    spread = forms.CharField(label="加点（%）", max_length=10,
                             help_text="执行年利率 = LPR + 加点，默认为产品加点",
                             error_messages={"required": "请输入加点"})

    def __init__(self, *args, product: LoanProduct, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["months"].choices = [(m, f"{m}个月") for m in product.term_list]

    def clean_amount(self):
        try:
            return parse_amount(self.cleaned_data["amount"])
        except BusinessError as exc:
            raise ValidationError(exc.message) from exc

    def clean_spread(self):
        text = self.cleaned_data["spread"].strip().removesuffix("%").strip()
        try:
            value = Decimal(text)
        except InvalidOperation as exc:
            raise ValidationError("请输入正确的加点，如 0.60") from exc
        if not value.is_finite():
            raise ValidationError("请输入正确的加点，如 0.60")
        if value.as_tuple().exponent < -4:
            raise ValidationError("加点最多四位小数")
        return value


class RejectForm(forms.Form):
    reason = forms.CharField(label="拒绝原因", max_length=200,
                             widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
                             error_messages={"required": "请填写拒绝原因",
                                             "max_length": "拒绝原因最多200个字"})


@admin.register(LoanApplication)
class LoanApplicationAdmin(ReadOnlyAdminMixin, BranchScopedAdminMixin, admin.ModelAdmin):
    list_display = ("number", "customer", "product", "amount_cny", "months", "applied_at",
                    "status_display", "approved_amount_cny", "annual_rate", "valid_until",
                    "review_link")
    list_select_related = ("customer", "product", "approval_request")
    list_filter = (StatusFilter, "product")
    search_fields = ("=number", "=customer__cif_no", "customer__name")
    date_hierarchy = "applied_at"
    fields = ("number", "customer", "user", "product", "amount_cny", "months", "purpose",
              "method", "repayment_day", "repayment_account", "status_display", "applied_at",
              "approved_amount_cny", "approved_months", "lpr_term", "lpr", "spread",
              "annual_rate", "reviewed_by", "reviewed_at", "approval_request", "checked_by",
              "checked_at", "reject_reason", "valid_until", "drawn_amount_cny")
    readonly_fields = fields

    amount_cny = money_column("amount", "申请金额", ordering="amount")
    approved_amount_cny = money_column("approved_amount", "批准金额", ordering="approved_amount")
    drawn_amount_cny = money_column("drawn_amount", "已发放金额")

    def audit_customer_id(self, obj):
        return obj.customer_id

    def get_queryset(self, request):
        # 待审批 first, then 待复核, then the decided ones; a queue oldest first.
        # (Built here rather than on super()'s: ModelAdmin orders by get_ordering() before
        # the annotation would exist.)
        queryset = LoanApplication.objects.annotate(queue_rank=Case(
            When(waiting_q(), then=Value(0)),
            When(status=ApplicationStatus.CHECKING, then=Value(1)),
            default=Value(2), output_field=IntegerField())).order_by(*self.get_ordering(request))
        return scope_queryset(queryset, staff=request.user, branch_path=self.branch_path)

    def get_ordering(self, request):
        return ("queue_rank", "applied_at")

    @admin.display(description="状态", ordering="status")
    def status_display(self, obj):
        if checking_lapsed(obj):
            return "待审批（复核未通过）"
        return obj.get_status_display()

    @admin.display(description="审批")
    def review_link(self, obj):
        if not (obj.status == ApplicationStatus.SUBMITTED or checking_lapsed(obj)):
            return ""
        url = reverse("admin:loans_loanapplication_review", args=[obj.pk])
        return format_html('<a href="{}">审批</a>', url)

    # Empty for every application waiting for a decision: left out of the 待审批 queue, which
    # then fits a 1366 px screen with its 审批 link in view.
    DECIDED_COLUMNS = ("approved_amount_cny", "annual_rate", "valid_until")

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if not request.user.has_perm(REVIEW_PERMISSION):
            shown = tuple(name for name in shown if name != "review_link")
        if request.GET.get(StatusFilter.parameter_name, WAITING) == WAITING:
            shown = tuple(name for name in shown if name not in self.DECIDED_COLUMNS)
        return shown

    def get_urls(self):
        return [path("<int:application_id>/review/", self.admin_site.admin_view(self.review_view),
                     name="loans_loanapplication_review"), *super().get_urls()]

    def review_view(self, request, application_id):
        if not request.user.has_perm(REVIEW_PERMISSION):
            raise PermissionDenied
        application = self.get_object(request, str(application_id))
        if application is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(application_id))
        product = application.product
        action = request.POST.get("action", "") if request.method == "POST" else ""
        approve_form = ApproveForm(request.POST if action == "approve" else None, product=product,
                                   initial={"amount": f"{application.amount:.2f}",
                                            "months": application.months,
                                            "spread": f"{product.spread:.2f}"})
        reject_form = RejectForm(request.POST if action == "reject" else None)
        ip = client_ip(request)
        try:
            if action == "approve" and approve_form.is_valid():
                data = approve_form.cleaned_data
                done = application_approve(staff=request.user, application_id=application.pk,
                                           amount=data["amount"], months=data["months"],
                                           spread=data["spread"], ip=ip)
                return self._done(request, done)
            if action == "reject" and reject_form.is_valid():
                done = application_reject(staff=request.user, application_id=application.pk,
                                          reason=reject_form.cleaned_data["reason"], ip=ip)
                return self._done(request, done)
        except (BusinessError, PermissionDenied) as exc:
            form = reject_form if action == "reject" else approve_form
            message = getattr(exc, "message", None) or str(exc)
            field = getattr(exc, "code", None)
            form.add_error(field if field in form.fields else None, message)
        return TemplateResponse(request, "admin/loans/loanapplication/review.html", {
            **self.admin_site.each_context(request), "opts": self.opts,
            "title": f"个人贷款审批：{application.number}", "application": application,
            "status_label": self.status_display(application),
            "open": application.status == ApplicationStatus.SUBMITTED
            or checking_lapsed(application),
            "refusal": reviewer_refusal(request.user, application),
            "approve_form": approve_form, "reject_form": reject_form,
            "rates": self._rates(approve_form, product),
        })

    @staticmethod
    def _rates(form, product):
        """执行利率 of each term at the typed 加点 (the product's until one is typed)."""
        spread = product.spread
        if form.is_bound and not form.errors.get("spread"):
            spread = form.cleaned_data.get("spread", spread)
        today = business_day()
        rows = []
        for months in product.term_list:
            try:
                rows.append(pricing(months=months, spread=spread, day=today))
            except BusinessError as exc:
                rows.append(exc.message)
        return rows

    @staticmethod
    def _done(request, application):
        if application.status == ApplicationStatus.CHECKING:
            messages.success(request, f"贷款申请{application.number}：批准金额超过双人审批起点，"
                                      f"已提交主管复核")
        elif application.status == ApplicationStatus.APPROVED:
            messages.success(request, f"贷款申请{application.number}已批准，执行年利率"
                                      f"{application.annual_rate:.2f}%，已短信通知客户")
        else:
            messages.success(request, f"贷款申请{application.number}已拒绝，已短信通知客户")
        return redirect("admin:loans_loanapplication_changelist")


@workstation_entry(40)
def loan_applications_entry(request):
    """贷款申请待审批 on the 柜面业务 panel: the branch's applications waiting for a decision."""
    staff = request.user
    if not staff.has_perm(REVIEW_PERMISSION):
        return None
    waiting = scope_queryset(LoanApplication.objects.filter(waiting_q(timezone.now())),
                             staff=staff, branch_path="customer__branch").count()
    return WorkstationLink("贷款申请待审批", reverse("admin:loans_loanapplication_changelist"),
                           f"待审批 {waiting} 笔" if waiting else "没有待审批的贷款申请",
                           alert=waiting)


# --- head office: the shelf, the LPR table, the settings ---------------------------------------


class LoanProductForm(forms.ModelForm):
    """A product's terms, limits and spread may change at any time: what an application was
    approved with is copied onto it (批准期限, 执行利率; the 借据 copies them again) and the draw
    never reads the product's terms, so an approval keeps a term the product no longer offers.
    A 待审批 application whose term was withdrawn gets one the product still offers (the 审批
    page lists only those); a 复核 in flight fails its re-check and goes back to the teller.
    The default 加点 is at most what a teller may approve (``MAX_SPREAD``)."""

    class Meta:
        model = LoanProduct
        fields = ["code", "name", "min_amount", "max_amount", "terms", "spread", "purposes",
                  "on_sale", "description"]

    def clean_terms(self):
        parts = [part.strip() for part in self.cleaned_data["terms"].replace("，", ",").split(",")]
        if not parts or not all(part.isdigit() and 0 < int(part) <= 360 for part in parts):
            raise ValidationError("可选期限须为以逗号分隔的月数，如 6,12,24,36")
        return ",".join(str(m) for m in sorted({int(part) for part in parts}))

    def clean_purposes(self):
        parts = [part.strip() for part in self.cleaned_data["purposes"].split("、")]
        if not all(parts) or any(len(part) > 32 for part in parts):
            raise ValidationError("贷款用途以顿号（、）分隔，每项不超过32个字")
        return "、".join(parts)

    def clean(self):
        data = super().clean()
        low, high = data.get("min_amount"), data.get("max_amount")
        if low is not None and low <= 0:
            self.add_error("min_amount", "最低金额须大于零")
        elif low is not None and high is not None and high < low:
            self.add_error("max_amount", "最高金额不能低于最低金额")
        spread = data.get("spread")
        if spread is not None and not 0 <= spread <= MAX_SPREAD:
            self.add_error("spread", SPREAD_RANGE)
        return data


class HeadOfficeAdminMixin(StaffAuditMixin):
    def has_add_permission(self, request):
        return super().has_add_permission(request) and head_office(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and head_office(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LoanProduct)
class LoanProductAdmin(HeadOfficeAdminMixin, admin.ModelAdmin):
    form = LoanProductForm
    list_display = ("code", "name", "min_amount_cny", "max_amount_cny", "terms", "spread",
                    "purposes", "on_sale")
    list_filter = ("on_sale",)
    search_fields = ("=code", "name")
    min_amount_cny = money_column("min_amount", "最低金额", ordering="min_amount")
    max_amount_cny = money_column("max_amount", "最高金额", ordering="max_amount")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()


class InForceFromForm(forms.ModelForm):
    """A row takes effect on its 生效日期; one already in force is never rewritten."""

    earliest_offset = 1  # days after today

    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        if (day - business_day()).days < self.earliest_offset:
            raise ValidationError(self.too_early)
        return day


class LprRateForm(InForceFromForm):
    earliest_offset = 0
    too_early = "生效日期不能早于今天：已生效的利率不能修改，请新增一行"

    class Meta:
        model = LprRate
        fields = ["term", "effective_from", "rate"]

    def clean_rate(self):
        rate = self.cleaned_data["rate"]
        if rate <= 0:
            raise ValidationError("利率须大于零")
        return rate


class LoanSettingForm(InForceFromForm):
    too_early = "生效日期须晚于今天：已生效的参数不能修改，请新增一行"

    class Meta:
        model = LoanSetting
        fields = ["effective_from", "dual_approval_above", "penalty_multiplier",
                  "approval_valid_days"]

    def clean(self):
        data = super().clean()
        if data.get("dual_approval_above") is not None and data["dual_approval_above"] <= 0:
            self.add_error("dual_approval_above", "双人审批起点金额须大于零")
        if data.get("penalty_multiplier") is not None and data["penalty_multiplier"] < 1:
            self.add_error("penalty_multiplier", "罚息利率倍数不能小于1")
        days = data.get("approval_valid_days")
        if days == 0:
            self.add_error("approval_valid_days", "批复有效期须至少1天")
        elif days is not None and days > MAX_VALID_DAYS:
            # 发放截止日 = the approval day + this: a typo of many digits would overflow the
            # date and make every 批准 fail.
            self.add_error("approval_valid_days", f"批复有效期最长{MAX_VALID_DAYS}天")
        return data


class InForceAdminMixin(HeadOfficeAdminMixin):
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.effective_from <= business_day():
            return False   # in force (or past): history
        return super().has_change_permission(request, obj)


@admin.register(LprRate)
class LprRateAdmin(InForceAdminMixin, admin.ModelAdmin):
    form = LprRateForm
    list_display = ("term", "effective_from", "rate")
    list_filter = ("term",)


@admin.register(LoanSetting)
class LoanSettingAdmin(InForceAdminMixin, admin.ModelAdmin):
    form = LoanSettingForm
    list_display = ("effective_from", "dual_approval_above_cny", "penalty_multiplier",
                    "approval_valid_days")
    dual_approval_above_cny = money_column("dual_approval_above", "双人审批起点金额",
                                           ordering="dual_approval_above")

