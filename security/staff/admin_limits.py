"""限额策略 in the staff admin: ebank.limits' admin, with a branch's limits changed by 复核.

A save of a 行社 level policy does not change it: it files a 行社限额调整 request
(``approvals.limits.branch_limit_request``) and shows it; a different 主管 or head office
approves it in 复核申请. Bank-wide, tool-less and product limits stay head office's own edits.
Registered here because ebank.limits may not import security (dependency rule).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect

from accounts.models import Branch
from ebank.core.errors import BusinessError
from ebank.limits.admin import LimitPolicyAdmin, LimitPolicyForm
from ebank.limits.models import LimitLevel, LimitPolicy

from .approvals.limits import branch_limit_request


class StaffLimitPolicyForm(LimitPolicyForm):
    def clean(self):
        cleaned = super().clean()
        level = cleaned.get("level", self.instance.level)
        scope = (cleaned.get("scope", self.instance.scope) or "").strip()
        if not self.errors and level == LimitLevel.BRANCH \
                and not Branch.objects.filter(code=scope).exists():
            raise ValidationError(f"行社代码{scope}不存在")
        return cleaned


class StaffLimitPolicyAdmin(LimitPolicyAdmin):
    form = StaffLimitPolicyForm

    def save_model(self, request, obj, form, change):
        if obj.level != LimitLevel.BRANCH:
            return super().save_model(request, obj, form, change)
        try:
            request._limit_approval = branch_limit_request(
                maker=request.user, branch_code=obj.scope, channel=obj.channel,
                single_limit=obj.single_limit, daily_limit=obj.daily_limit)
        except BusinessError as exc:  # the form checked the same rules: a race, said plainly
            raise PermissionDenied(exc.message) from exc
        return None

    def _pending(self, request):
        return getattr(request, "_limit_approval", None)

    def log_addition(self, request, obj, message):
        if self._pending(request) is None:
            super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        if self._pending(request) is None:
            super().log_change(request, obj, message)

    def _to_approval(self, request):
        item = self._pending(request)
        self.message_user(request, "行社限额调整已提交复核，复核通过后生效", messages.SUCCESS)
        return redirect("admin:security_approvalrequest_change", item.pk)

    def response_add(self, request, obj, post_url_continue=None):
        if self._pending(request) is not None:
            return self._to_approval(request)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if self._pending(request) is not None:
            return self._to_approval(request)
        return super().response_change(request, obj)


admin.site.unregister(LimitPolicy)
admin.site.register(LimitPolicy, StaffLimitPolicyAdmin)
