"""The staff admin's index as a workstation: the 柜面业务 panel first, the models in the sections
of ``admin_sections`` (ordered for the work, 审计日志 last), unknown models in their app's own
section; amounts as ¥1,234.56."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from accounts.models import SubAccount
from ebank.core.admin_mixins import money_column
from ebank.duework.registry import due_kind_label, registered_kinds
from security.models import CustomerMessage
from security.staff import admin_sections
from security.staff.admin_sections import (
    APP_SECTION_ORDER,
    PLACEMENTS,
    SECTIONS,
    admin_section_place,
    sections_arrange,
)

from . import test_counter_fixtures as fx
from .test_counter_fixtures import otp_login, register

bank = fx.bank
hq = fx.hq
teller_hf = fx.teller_hf
teller_wh = fx.teller_wh
tools = fx.tools


def _model(app_label: str, model_name: str, name: str) -> dict:
    meta = SimpleNamespace(app_label=app_label, model_name=model_name)
    return {"model": SimpleNamespace(_meta=meta), "name": name, "object_name": model_name,
            "admin_url": f"/admin/{app_label}/{model_name}/"}


def _app(app_label: str, name: str, *models: tuple[str, str]) -> dict:
    return {"app_label": app_label, "name": name,
            "models": [_model(app_label, model, label) for model, label in models]}


def _django_app_list() -> list[dict]:
    # As Django gives it: apps by name, models by name.
    return [
        _app("core", "核心", ("auditevent", "审计日志")),
        _app("deposits", "定期存款与智能存款", ("notice", "通知存款"), ("fixed", "整存整取")),
        _app("ledger", "总账", ("posting", "记账明细"), ("ledgeraccount", "总账账户")),
        _app("security", "安全与客户服务", ("customermessage", "客户留言"), ("user", "用户"),
             ("counterreceipt", "业务受理单")),
        _app("accounts", "账户管理", ("medium", "介质"), ("customer", "客户")),
        _app("transfers", "转账汇款", ("transfer", "网银转账")),
    ]


def test_sections_follow_the_work_and_the_audit_log_comes_last():
    sections = sections_arrange(_django_app_list(), index_url="/admin/")
    assert [s["name"] for s in sections] == [
        "客户与账户", "网银用户与安全工具", "业务受理与留言", "交易", "定期存款与智能存款", "账务",
        "审计日志"]
    # 总行管理's areas: head office's heading on the index.
    by_name = {s["name"]: [m["name"] for m in s["models"]] for s in sections}
    assert by_name["客户与账户"] == ["客户", "介质"]  # the customer before what they hold
    assert by_name["业务受理与留言"] == ["业务受理单", "客户留言"]
    assert by_name["账务"] == ["总账账户", "记账明细"]
    assert sections[0]["app_url"] == "/admin/#accounts"
    assert [s["head_office_area"] for s in sections][-2:] == [True, False]


def test_a_model_no_row_places_goes_to_its_apps_section_before_head_offices():
    sections = sections_arrange(_django_app_list(), index_url="/admin/")
    deposits = next(s for s in sections if s["name"] == "定期存款与智能存款")
    assert deposits["order"] == APP_SECTION_ORDER
    assert [m["name"] for m in deposits["models"]] == ["整存整取", "通知存款"]  # by name
    assert deposits["app_label"] == "section-app-deposits"


def test_an_app_places_its_model_from_ready(monkeypatch):
    monkeypatch.setattr(admin_sections, "PLACEMENTS", dict(PLACEMENTS))
    admin_section_place("deposits", "Fixed", section="accounts", order=50)
    admin_section_place("deposits", "fixed", section="accounts", order=50)  # ready() twice
    sections = sections_arrange(_django_app_list(), index_url="/admin/")
    assert [m["name"] for m in sections[0]["models"]] == ["客户", "介质", "整存整取"]
    with pytest.raises(ImproperlyConfigured):
        admin_section_place("deposits", "fixed", section="limits")
    with pytest.raises(ImproperlyConfigured):
        admin_section_place("deposits", "notice", section="no_such_section")


def test_every_placement_names_a_section():
    assert {p.section for p in PLACEMENTS.values()} <= set(SECTIONS)


@pytest.mark.django_db
def test_the_index_opens_with_the_counter_panel_for_a_teller(client, teller_hf, teller_wh):
    with time_machine.travel("2026-11-23 10:00 +0800", tick=False):
        li = register("李娜", teller_hf)
        wang = register("王芳", teller_wh)
        for user, due in ((li, -1), (li, 1), (wang, -3)):
            CustomerMessage.objects.create(
                user=user, subject="咨询", content="请问", due_date=timezone_today(due))
        otp_login(client, teller_hf)
        page = client.get(reverse("admin:index")).content.decode()
    panel = page.index('class="workstation-panel"')
    assert panel < page.index('class="workstation-sections"')
    assert reverse("admin:counter_find") in page
    # The branch's own 留言 only: one overdue of two open (王芳's is another branch's).
    assert "逾期未回复 1 条，待回复共 2 条" in page
    assert "?state=overdue" in page
    assert "日终批处理" not in page  # head office's
    assert "总行管理" not in page and "记账明细" not in page  # no permission, no section
    assert page.index("客户与账户") < page.index("审计日志")


@pytest.mark.django_db
def test_head_office_sees_the_nightly_batch_and_its_areas(client, hq):
    hq.user_permissions.add(*Permission.objects.filter(
        content_type__app_label__in=("duework", "ledger"), codename__startswith="view_"))
    otp_login(client, hq)
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:duework_batchsteprun_changelist") in page
    assert "没有待回复的留言" in page
    captions = [page.index(f"<caption>{name}</caption>") for name in ("账务", "批处理", "审计日志")]
    assert page.index("总行管理") < captions[0] < captions[1] < captions[2]
    assert "员工管理" in page and "员工动态口令" in page and "TOTP" not in page


@pytest.mark.django_db
def test_amount_columns_read_as_yuan(bank):
    column = money_column("ledger_account.balance", "余额")
    sub_account = SubAccount.objects.select_related("ledger_account").filter(
        ledger_account__balance__gt=0).first()
    shown = column(None, sub_account)
    assert shown.startswith('<span class="cny">¥') and "," in shown
    assert money_column("missing", "x", empty="未设置")(None, SimpleNamespace(missing=None)) \
        == "未设置"
    assert money_column("a", "x")(None, SimpleNamespace(a=Decimal("-1234.5"))) == \
        '<span class="cny">-¥1,234.50</span>'


def test_every_due_work_kind_has_a_chinese_name():
    # The apps' kinds ("<app>.<verb>"; tests register kinds of their own).
    installed = {config.label for config in apps.get_app_configs()}
    kinds = [kind for kind in registered_kinds() if kind.split(".")[0] in installed]
    assert "transfers.execute" in kinds
    assert [kind for kind in kinds if due_kind_label(kind) == kind] == []


def timezone_today(days: int):
    from django.utils import timezone

    return timezone.localdate() + timedelta(days=days)


# --- every admin string of ours in Chinese ------------------------------------------------------

# Names of things, not untranslated words.
LATIN_ALLOWED = {"USBKey", "PDF", "IP", "OTP", "TOTP", "CIF", "SMS", "CNAPS", "LPR"}
# django-otp's own TOTPDevice admin is unregistered: staff devices are 员工动态口令 (a proxy in
# the security app, in Chinese), so every registered admin is ours.
NOT_OURS: set[str] = set()


def _latin(text) -> list[str]:
    import re

    return [word for word in re.findall(r"[A-Za-z]{2,}", str(text)) if word not in LATIN_ALLOWED]


def _filter_title(model, model_admin, spec) -> str:
    from django.contrib.admin.utils import get_fields_from_path

    if isinstance(spec, tuple | list):
        spec = spec[0]
    if isinstance(spec, str):
        return str(get_fields_from_path(model, spec)[-1].verbose_name)
    return str(spec.title)


def test_every_column_field_filter_and_action_of_our_admins_reads_in_chinese():
    from django.contrib import admin
    from django.contrib.admin.utils import label_for_field

    found = []
    for model in apps.get_models():
        if not admin.site.is_registered(model) or model._meta.app_label in NOT_OURS:
            continue
        model_admin = admin.site.get_model_admin(model)
        where = model._meta.label
        # A detail page without its own ``fields`` (or ``get_fields``) shows the model's.
        shown = model_admin.fields or []
        if not shown and type(model_admin).get_fields is admin.ModelAdmin.get_fields:
            shown = [field.name for field in model._meta.fields if not field.auto_created]
        names = [*model_admin.list_display, *shown, *(model_admin.readonly_fields or ())]
        # An editable field reads with its form label (an admin may relabel a third-party
        # model's field, as 员工动态口令 does django-otp's ``name``).
        relabelled = {}
        for field in model._meta.fields:
            if field.is_relation or field.name not in shown:
                continue
            formfield = model_admin.formfield_for_dbfield(field, request=None)
            if formfield is not None and formfield.label:
                relabelled[field.name] = formfield.label
        for name in names:
            if name == "__str__":
                continue
            label = relabelled.get(name) or label_for_field(name, model, model_admin)
            if _latin(label):
                found.append(f"{where} column/field {name}: {label}")
        filters = [*model_admin.list_filter]
        branch_path = getattr(model_admin, "branch_path", None)
        if branch_path:
            filters.append(branch_path)  # head office's 开户行社 filter
        for spec in filters:
            title = _filter_title(model, model_admin, spec)
            if _latin(title):
                found.append(f"{where} filter {spec}: {title}")
        for action in model_admin.actions or ():
            description = getattr(getattr(model_admin, action), "short_description", action)
            if _latin(description):
                found.append(f"{where} action {action}: {description}")
        if _latin(model._meta.verbose_name) or _latin(model._meta.verbose_name_plural):
            found.append(f"{where} verbose name: {model._meta.verbose_name}")
        if _latin(model._meta.app_config.verbose_name):
            found.append(f"{where} app: {model._meta.app_config.verbose_name}")
    assert not found, "\n".join(found)


def test_later_work_adds_its_entry_to_the_panel(monkeypatch, rf):
    from security.staff import admin_index
    from security.staff.admin_index import WorkstationLink, workstation_entry, workstation_panel

    monkeypatch.setattr(admin_index, "_entries", dict(admin_index._entries))

    def approvals(request):
        return WorkstationLink("待复核", "/admin/approvals/", "待复核 2 笔", alert=2)

    workstation_entry(95)(approvals)
    workstation_entry(95)(approvals)  # ready() twice: harmless
    with pytest.raises(ImproperlyConfigured, match="已由"):
        workstation_entry(95)(lambda request: None)
    workstation_entry(96)(lambda request: None)  # not for this member of staff: left out
    request = rf.get("/admin/")
    request.user = SimpleNamespace(has_perm=lambda perm: False, is_staff=True,
                                   is_head_office=False)
    assert [link.label for link in workstation_panel(request)] == ["客户查询", "待复核"]


# --- amounts and names as a teller reads them ---------------------------------------------------


@pytest.mark.django_db
def test_a_teller_reads_balances_limits_and_the_outbox_in_chinese(client, teller_hf):
    from ebank.limits.models import LimitLevel, LimitPolicy
    from security.models import SmsMessage

    li = register("李娜", teller_hf)
    SmsMessage.objects.create(phone=li.customer.phone, purpose="transfers.intra",
                              backend="outbox", text="【安徽农金】您正在转账，验证码******")
    otp_login(client, teller_hf)
    sub_accounts = client.get(reverse("admin:accounts_subaccount_changelist")).content.decode()
    assert 'class="field-balance_cny"><span class="cny">¥' in sub_accounts
    policy = LimitPolicy.objects.filter(level=LimitLevel.BANK, single_limit__isnull=False).first()
    page = client.get(reverse("admin:limits_limitpolicy_change", args=[policy.pk]))
    assert page.status_code == 200
    figures = f"{policy.single_limit:,.2f}"
    assert f"¥{figures}" in page.content.decode()  # read only for a teller: as an amount
    outbox = client.get(reverse("admin:security_smsmessage_changelist")).content.decode()
    assert "交易确认：行内转账" in outbox and "开发环境发件箱" in outbox
    rows = outbox[outbox.index('id="result_list"'):]
    assert "transfers.intra" not in rows.split("</table>")[0]  # the code only in filter links
    assert li.customer.phone not in outbox  # masked in the list
    filtered = client.get(reverse("admin:security_smsmessage_changelist"),
                          {"purpose_code": "transfers.intra"}).content.decode()
    assert "交易确认：行内转账" in filtered
    other = client.get(reverse("admin:security_smsmessage_changelist"),
                       {"purpose_code": "register"}).content.decode()
    assert "您正在转账" not in other
