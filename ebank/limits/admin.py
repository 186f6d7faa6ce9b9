"""Limits in the admin (STF-LIMITS): staff set bank-wide, branch, tool-less and product limits.

Every save goes through ``limit_policy_set``, so the hierarchy (a branch may not exceed the
bank …) is checked once, in the service; the form runs the same validation in ``clean()`` so a
refusal shows on the form instead of as a server error. Usage rows are read-only: only the
engine moves them, inside the posting transaction.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

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

    def clean(self):
        cleaned = super().clean()
        # On change the key fields are read-only and absent from the form: take the instance's.
        level = cleaned.get("level", self.instance.level)
        channel = cleaned.get("channel", self.instance.channel)
        scope = cleaned.get("scope", self.instance.scope) or ""
        if self.errors or not level or not channel:
            return cleaned
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
    list_display = ("level", "scope", "channel", "single_limit", "daily_limit", "updated_at",
                    "updated_by_id")
    list_filter = ("level", "channel")
    search_fields = ("scope",)
    readonly_fields = ("updated_at", "updated_by_id")

    def get_readonly_fields(self, request, obj=None):
        # (level, scope, channel) is the policy's identity: change a figure, or add a new policy.
        if obj is not None:
            return ("level", "scope", "channel", *self.readonly_fields)
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        fields = ["level", "scope", "channel", "single_limit", "daily_limit"]
        if obj is None or obj.level == LimitLevel.CUSTOMER:
            fields.append("branch_code")
        return [*fields, "updated_at", "updated_by_id"]

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
class DailyLimitUsageAdmin(admin.ModelAdmin):
    list_display = ("customer_id", "day", "channel", "used", "count")
    list_filter = ("channel", "day")
    search_fields = ("=customer_id",)
    date_hierarchy = "day"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
