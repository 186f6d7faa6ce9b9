"""零存宝设置 in the staff admin (a DOMAIN-RULES **setting**): 每月续存累计限额 with its 生效日期.

Every member of staff reads the rows; only 总行管理员 at head office add them, in force from
tomorrow at the earliest (a customer's cap never changes between two pages of one day), and
change or delete a row only while it is not yet in force — a row in force is history, a change
is a new row. Every write is audited (零存宝限额设置录入/修改/删除).
"""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils import timezone

from ebank.core.admin_mixins import money_column
from ebank.core.audit import audit_record
from security.staff.scoping import head_office

from ..models import LingcunbaoSetting


def setting_editable(row: LingcunbaoSetting | None) -> bool:
    return row is None or row.pk is None or row.effective_from > timezone.localdate()


class LingcunbaoSettingForm(forms.ModelForm):
    class Meta:
        model = LingcunbaoSetting
        fields = ["monthly_cap", "effective_from"]
        help_texts = {"monthly_cap": "每个零存宝账户每月存入（含开户）的累计限额，元",
                      "effective_from": "最早为明天：已生效的设置不能更改，调整请录入新的生效日期"}

    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        if day <= timezone.localdate():
            raise forms.ValidationError("生效日期须晚于今天")
        return day

    def clean_monthly_cap(self):
        cap = self.cleaned_data["monthly_cap"]
        if cap is not None and cap < 1:
            raise forms.ValidationError("每月累计限额须不低于1元")
        return cap


def _audit(*, action: str, row: LingcunbaoSetting, request) -> None:
    audit_record(action=action, actor=request.user, channel="admin",
                 object_ref=f"lcb_setting:{row.pk}",
                 detail={"monthly_cap": str(row.monthly_cap),
                         "effective_from": row.effective_from.isoformat()})


@admin.register(LingcunbaoSetting)
class LingcunbaoSettingAdmin(admin.ModelAdmin):
    form = LingcunbaoSettingForm
    list_display = ("effective_from", "monthly_cap_cny", "state", "created_at")
    fields = ("monthly_cap", "effective_from")
    monthly_cap_cny = money_column("monthly_cap", "每月累计限额", ordering="monthly_cap")

    @admin.display(description="状态")
    def state(self, row: LingcunbaoSetting) -> str:
        return "未生效" if row.effective_from > timezone.localdate() else "已生效"

    def has_add_permission(self, request):
        return super().has_add_permission(request) and head_office(request.user)

    def has_change_permission(self, request, obj=None):
        return (super().has_change_permission(request, obj) and head_office(request.user)
                and setting_editable(obj))

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by_id = request.user.pk
        super().save_model(request, obj, form, change)
        _audit(action="deposits.lcb_setting_change" if change else "deposits.lcb_setting_add",
               row=obj, request=request)

    @transaction.atomic
    def delete_model(self, request, obj):
        _audit(action="deposits.lcb_setting_delete", row=obj, request=request)
        super().delete_model(request, obj)
