"""大额存单产品 in the staff admin: head office publishes an issue (code, term, rate, 额度, sale
window); every member of staff reads the issues with what is sold and left. An issue's 额度 can
be raised but never set below what is sold (the form says so; a database check stands behind
it), and ``sold`` itself only moves through ``deposits.cd`` when customers buy."""

from django import forms
from django.contrib import admin

from ebank.core.admin_mixins import money_column
from security.staff.scoping import head_office

from .models import LargeCDProduct


class LargeCDProductForm(forms.ModelForm):
    class Meta:
        model = LargeCDProduct
        fields = ["code", "name", "term_months", "annual_rate", "minimum", "quota", "sale_from",
                  "sale_to"]

    def clean(self):
        cleaned = super().clean()
        quota, sold = cleaned.get("quota"), self.instance.sold or 0
        if quota is not None and quota < sold:
            self.add_error("quota", f"发行额度不得低于已售额度（{sold}）")
        start, end = cleaned.get("sale_from"), cleaned.get("sale_to")
        if start and end and end < start:
            self.add_error("sale_to", "发售截止日不得早于发售起始日")
        return cleaned


@admin.register(LargeCDProduct)
class LargeCDProductAdmin(admin.ModelAdmin):
    form = LargeCDProductForm
    list_display = ("code", "name", "term_months", "rate_display", "quota_cny", "sold_cny",
                    "remaining_cny", "sale_from", "sale_to")
    search_fields = ("code", "name")
    date_hierarchy = "sale_from"
    readonly_fields = ("sold_cny",)

    quota_cny = money_column("quota", "发行额度", ordering="quota")
    sold_cny = money_column("sold", "已售额度", ordering="sold")
    remaining_cny = money_column("remaining", "剩余额度")

    @admin.display(description="年利率", ordering="annual_rate")
    def rate_display(self, product):
        return f"{product.annual_rate.normalize():f}%"

    # The roles' permissions (总行管理员 writes, every role reads), at head office.
    def has_add_permission(self, request):
        return super().has_add_permission(request) and head_office(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and head_office(request.user)

    def has_delete_permission(self, request, obj=None):
        return (super().has_delete_permission(request, obj) and head_office(request.user)
                and (obj is None or not obj.sold))
