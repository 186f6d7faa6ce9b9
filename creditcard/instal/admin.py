"""分期手续费率 in the staff admin: every staff role reads the table, head office adds a rate for
a number of periods from a 生效日期 (today or later) and may change or delete only a row not yet
in force — a rate in force has priced plans, so a change is a new row with a later date."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from security.staff.scoping import StaffAuditMixin, head_office

from ..models import InstalmentRate


class InstalmentRateForm(forms.ModelForm):
    class Meta:
        model = InstalmentRate
        fields = ["periods", "rate", "effective_from"]
        help_texts = {"rate": "每期手续费率，小数表示，如 0.006 即每期 0.60%",
                      "effective_from": "最早为今天：已生效的费率不能更改，调整费率请录入新的生效日期"}

    def clean_rate(self):
        rate = self.cleaned_data["rate"]
        if not 0 <= rate < 1:
            raise ValidationError("每期手续费率须不小于0且小于1（如 0.006 即 0.60%）")
        return rate

    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        if day < timezone.localdate():
            raise ValidationError("生效日期不能早于今天")
        return day


@admin.register(InstalmentRate)
class InstalmentRateAdmin(StaffAuditMixin, admin.ModelAdmin):
    form = InstalmentRateForm
    list_display = ("periods_shown", "rate_shown", "effective_from", "state", "created_at")
    list_filter = ("periods",)
    ordering = ("periods", "-effective_from")

    @admin.display(description="期数", ordering="periods")
    def periods_shown(self, row: InstalmentRate) -> str:
        return f"{row.periods}期"

    @admin.display(description="每期手续费率", ordering="rate")
    def rate_shown(self, row: InstalmentRate) -> str:
        return f"{row.rate * 100:.2f}%"

    def get_queryset(self, request):
        # Whether a later row of the same periods is in force today, for the whole page at once.
        newer = InstalmentRate.objects.filter(periods=OuterRef("periods"),
                                              effective_from__gt=OuterRef("effective_from"),
                                              effective_from__lte=timezone.localdate())
        return super().get_queryset(request).annotate(superseded=Exists(newer))

    @admin.display(description="状态")
    def state(self, row: InstalmentRate) -> str:
        if row.effective_from > timezone.localdate():
            return "未生效"
        return "已调整" if row.superseded else "执行中"

    def _future(self, obj) -> bool:
        return obj is None or obj.effective_from > timezone.localdate()

    def has_add_permission(self, request):
        return super().has_add_permission(request) and head_office(request.user)

    def has_change_permission(self, request, obj=None):
        return (super().has_change_permission(request, obj) and head_office(request.user)
                and self._future(obj))

    def has_delete_permission(self, request, obj=None):
        return (super().has_delete_permission(request, obj) and head_office(request.user)
                and self._future(obj))
