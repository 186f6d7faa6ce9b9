"""悠悦宝网银业务设置 in the staff admin (manual note 3): head office adds a row — the online
minimum and the 开通机构 — in force from its 生效日期 (tomorrow at the earliest, so a customer's
two pages never see it change); a row in force is history and stays as it is. Every staff role
reads them; every write is audited (StaffAuditMixin)."""

from django import forms
from django.contrib import admin

from ebank.core.admin_mixins import money_column
from ebank.core.clock import business_day
from security.staff.scoping import StaffAuditMixin, head_office

from ..models import YouyuebaoSetting


class YouyuebaoSettingForm(forms.ModelForm):
    class Meta:
        model = YouyuebaoSetting
        fields = ["minimum", "effective_from", "branches"]

    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        if day is not None and day <= business_day():
            raise forms.ValidationError("生效日期最早为明天")
        return day


@admin.register(YouyuebaoSetting)
class YouyuebaoSettingAdmin(StaffAuditMixin, admin.ModelAdmin):
    form = YouyuebaoSettingForm
    list_display = ("effective_from", "minimum_cny", "branches_text")
    filter_horizontal = ("branches",)
    minimum_cny = money_column("minimum", "网银最低起存金额", ordering="minimum")

    @admin.display(description="开通机构")
    def branches_text(self, row):
        names = [branch.name for branch in row.branches.all()]
        return "、".join(names) if names else "全部机构"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("branches")  # 开通机构, one read

    def _future(self, obj) -> bool:
        return obj is None or obj.effective_from > business_day()

    def has_add_permission(self, request):
        return super().has_add_permission(request) and head_office(request.user)

    def has_change_permission(self, request, obj=None):
        return (super().has_change_permission(request, obj) and head_office(request.user)
                and self._future(obj))

    def has_delete_permission(self, request, obj=None):
        return (super().has_delete_permission(request, obj) and head_office(request.user)
                and self._future(obj))
