"""Limits in the admin (STF-LIMITS): staff set bank-wide, branch, tool-less and product limits.

Every save goes through ``limit_policy_set``, so the hierarchy (a branch may not exceed the
bank …) is checked once, in the service; the form runs the same validation in ``clean()`` so a
refusal shows on the form instead of as a server error. Usage rows are read-only: only the
engine moves them, inside the posting transaction.

Branch scoping: head office (``user.is_head_office``) sets every level. A branch's staff see
the bank-wide limits (read-only: the ceiling they work under) and their own branch's limits,
and add or change only their own branch's. The staff user is read by attribute
(``is_head_office``, ``branch``): ebank.limits may not import the security app's User.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q

from ebank.core.admin_mixins import ReadOnlyAdminMixin, money_column
from ebank.core.errors import BusinessError

from .models import DailyLimitUsage, LimitLevel, LimitPolicy
from .services import limit_policy_set, limit_policy_validate


class LimitPolicyForm(forms.ModelForm):
    branch_code = forms.CharField(
        label="客户开户行社代码", required=False, max_length=32,
        help_text="仅客户自设限额需要：客户限额不得超过其开户行社的限额",
    )

    class Meta:
        model = LimitPolicy
        fields = ["level", "scope", "channel", "single_limit", "daily_limit"]

    # The staff branch code a branch user is confined to; None for head office (set by the admin).
    staff_branch_code: str | None = None

    def clean(self):
        cleaned = super().clean()
        # On change the key fields are read-only and absent from the form: take the instance's.
        level = cleaned.get("level", self.instance.level)
        channel = cleaned.get("channel", self.instance.channel)
        scope = cleaned.get("scope", self.instance.scope) or ""
        if self.errors or not level or not channel:
            return cleaned
        if self.staff_branch_code is not None and (
                level != LimitLevel.BRANCH or scope.strip() != self.staff_branch_code):
            raise ValidationError(f"行社工作人员只能设置本行社（{self.staff_branch_code}）的行社限额")
        try:
            scope = limit_policy_validate(
                level=level, scope=scope, channel=channel,
                single_limit=cleaned.get("single_limit"), daily_limit=cleaned.get("daily_limit"),
                branch_code=cleaned.get("branch_code") or "",
            )
        except BusinessError as exc:
            raise ValidationError(exc.message) from exc
        if "scope" in self.fields:
            # The model's own constraint checks run after clean(): give them the normalised
            # scope (a channel limit's scope is its channel).
            cleaned["scope"] = scope
        return cleaned


@admin.register(LimitPolicy)
class LimitPolicyAdmin(admin.ModelAdmin):
    form = LimitPolicyForm
    list_display = ("level", "scope", "channel", "single_limit_cny", "daily_limit_cny",
                    "updated_at")
    list_filter = ("level", "channel")
    search_fields = ("scope",)
    readonly_fields = ("updated_at", "updated_by")

    single_limit_cny = money_column("single_limit", "单笔限额", ordering="single_limit",
                                    empty="未设置")
    daily_limit_cny = money_column("daily_limit", "日累计限额", ordering="daily_limit",
                                   empty="未设置")

    @admin.display(description="修改人")
    def updated_by(self, policy: LimitPolicy) -> str:
        # A plain id on the row (ebank.limits may not import the security app's User).
        if policy.updated_by_id is None:
            return "-"
        user = get_user_model().objects.filter(pk=policy.updated_by_id).first()
        if user is None:
            return str(policy.updated_by_id)
        return user.get_full_name() or user.get_username()

    @staticmethod
    def _staff_branch_code(request) -> str | None:
        """None for head office; the branch code (or "" without a branch) for branch staff."""
        user = request.user
        if getattr(user, "is_head_office", False):
            return None
        branch = getattr(user, "branch", None)
        return branch.code if branch is not None else ""

    def get_queryset(self, request):
        policies = super().get_queryset(request)
        code = self._staff_branch_code(request)
        if code is None:
            return policies
        visible = Q(level=LimitLevel.BANK)
        if code:
            visible |= Q(level=LimitLevel.BRANCH, scope=code)
        return policies.filter(visible)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        code = self._staff_branch_code(request)
        if code is None or obj is None:
            return True
        return bool(code) and obj.level == LimitLevel.BRANCH and obj.scope == code

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.staff_branch_code = self._staff_branch_code(request)
        return form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        code = self._staff_branch_code(request)
        if code:
            initial.setdefault("level", LimitLevel.BRANCH)
            initial.setdefault("scope", code)
        return initial

    def get_readonly_fields(self, request, obj=None):
        # (level, scope, channel) is the policy's identity: change a figure, or add a new policy.
        if obj is not None:
            return ("level", "scope", "channel", *self.readonly_fields)
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        fields = ["level", "scope", "channel", "single_limit", "daily_limit"]
        if obj is None or obj.level == LimitLevel.CUSTOMER:
            fields.append("branch_code")
        if obj is not None and not self.has_change_permission(request, obj):
            # Read only (a teller, another branch's policy): the figures as amounts.
            fields = [f"{name}_cny" if name in ("single_limit", "daily_limit") else name
                      for name in fields if name != "branch_code"]
        return [*fields, "updated_at", "updated_by"]

    def save_model(self, request, obj, form, change):
        saved = limit_policy_set(
            level=obj.level, scope=obj.scope, channel=obj.channel,
            single_limit=obj.single_limit, daily_limit=obj.daily_limit,
            acting_user_id=request.user.pk, branch_code=form.cleaned_data.get("branch_code") or "",
        )
        # The admin logs and redirects with the object it handed us: make it the saved row.
        obj.pk = saved.pk
        obj.scope = saved.scope
        obj.updated_at = saved.updated_at
        obj.updated_by_id = saved.updated_by_id
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        # Deleting would bypass the service and its audit row; set both figures empty instead.
        return False


@admin.register(DailyLimitUsage)
class DailyLimitUsageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("customer_number", "day", "channel", "used_cny", "count")
    list_filter = ("channel",)
    search_fields = ("=customer_id",)
    date_hierarchy = "day"
    fields = ("customer_number", "day", "channel", "used_cny", "count")
    readonly_fields = fields

    used_cny = money_column("used", "当日累计已用", ordering="used")

    @admin.display(description="客户编号", ordering="customer_id")
    def customer_number(self, usage: DailyLimitUsage) -> int:
        return usage.customer_id

    # Usage rows name customers by id only: head office reads them, branches do not.
    def has_module_permission(self, request):
        return getattr(request.user, "is_head_office", False) and super().has_module_permission(
            request)

    def has_view_permission(self, request, obj=None):
        return getattr(request.user, "is_head_office", False) and super().has_view_permission(
            request, obj)
