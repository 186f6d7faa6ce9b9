"""The 柜面业务 workstation: finding a customer (scoped, masked, POST only), the customer page,
the counter form's layout, the fee shown before 提交, and the limits set at signing."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Branch, IdType, Medium, MediumStatus
from accounts.services import customer_open
from ebank.core.audit import audit_record
from ebank.limits.models import LimitChannel, LimitLevel, LimitPolicy
from ebank.limits.services import limit_policy_set
from security.models import CounterReceipt, SecurityTool, ToolKind, ToolStatus, User

from . import test_counter_fixtures as fx
from .test_counter_fixtures import PASSWORD, card_of, ident, otp_login, register

bank = fx.bank
hq = fx.hq
teller_hf = fx.teller_hf
teller_wh = fx.teller_wh
tools = fx.tools

pytestmark = pytest.mark.django_db

FIND = "/admin/counter/"


def _find(client, query, id_type=IdType.RESIDENT_ID):
    return client.post(reverse("admin:counter_find"), {"id_type": id_type, "query": query})


def _menu(customer) -> str:
    return reverse("admin:counter_menu", kwargs={"customer_id": customer.pk})


def _action_url(customer, action):
    return reverse("admin:counter_action", kwargs={"customer_id": customer.pk, "action": action})


# --- find -----------------------------------------------------------------------------------------


def test_find_is_at_the_counter_url():
    assert reverse("admin:counter_find") == FIND


@pytest.mark.parametrize("how", ["id", "card", "card_spaced", "sub_account", "name", "phone",
                                 "phone_86"])
def test_a_teller_finds_her_branch_customer_every_way(client, bank, teller_hf, how):
    li = bank["李娜"]
    card = card_of("李娜").number
    query = {
        "id": ident("李娜")["id_number"].lower(),  # an X check digit may be typed in lower case
        "card": card,
        "card_spaced": " ".join(card[i:i + 4] for i in range(0, len(card), 4)),
        "sub_account": f"{card}-0001",
        "name": "李娜",
        "phone": li.phone,
        "phone_86": f"+86 {li.phone}",
    }[how]
    otp_login(client, teller_hf)
    found = _find(client, query)
    assert found.status_code == 302 and found["Location"] == _menu(li)


@pytest.mark.parametrize("how", ["id", "name", "phone", "card"])
def test_another_branchs_teller_never_finds_her(client, bank, teller_wh, how):
    li = bank["李娜"]
    query = {"id": ident("李娜")["id_number"], "name": "李娜", "phone": li.phone,
             "card": card_of("李娜").number}[how]
    otp_login(client, teller_wh)
    response = _find(client, query)
    page = response.content.decode()
    assert response.status_code == 200
    assert "未找到符合条件的客户" in page
    assert f'value="{query}"' in page  # what was typed is kept
    assert _menu(li) not in page
    assert client.get(_menu(li)).status_code == 404


def test_head_office_finds_every_branch(client, bank, hq):
    otp_login(client, hq)
    assert _find(client, "王芳")["Location"] == _menu(bank["王芳"])


def test_several_matches_are_listed_masked_with_branch_and_status(client, bank, teller_hf, hq):
    register("李娜", teller_hf)
    namesake = customer_open(cif_no="3401010099", name="李娜",
                             branch=Branch.objects.get(code="340101"), id_type=IdType.RESIDENT_ID,
                             id_number="340104199001010011", phone="13905519999")
    elsewhere = customer_open(cif_no="3402010099", name="李娜",
                              branch=Branch.objects.get(code="340201"),
                              id_type=IdType.RESIDENT_ID, id_number="340202199001010022",
                              phone="13905538888")
    otp_login(client, teller_hf)
    page = _find(client, "李娜").content.decode()
    assert "找到 2 位客户" in page
    assert _menu(bank["李娜"]) in page and _menu(namesake) in page
    assert _menu(elsewhere) not in page  # 340201's 李娜 is not this teller's
    assert "李*" in page and "139****0002" in page and "139****9999" in page
    assert "340***********0011" in page and "340104199001010011" not in page
    assert card_of("李娜").masked_number in page and card_of("李娜").number not in page
    assert "正常" in page and "未开通" in page and "340101" in page

    client.logout()
    otp_login(client, hq)
    assert "找到 3 位客户" in _find(client, "李娜").content.decode()


def test_find_is_post_only_and_refuses_an_empty_box(client, bank, teller_hf):
    otp_login(client, teller_hf)
    shown = client.get(reverse("admin:counter_find"), {"query": ident("李娜")["id_number"],
                                                       "id_type": "01"})
    assert shown.status_code == 200 and "找到" not in shown.content.decode()
    assert 'method="post"' in shown.content.decode()
    empty = _find(client, "  ").content.decode()
    assert "请输入卡号/账号、证件号码、姓名或手机号" in empty


def test_an_id_number_is_read_with_its_type(client, bank, teller_hf):
    otp_login(client, teller_hf)
    response = _find(client, ident("李娜")["id_number"], id_type=IdType.PASSPORT)
    assert response.status_code == 200 and "未找到符合条件的客户" in response.content.decode()


# --- the customer page -------------------------------------------------------------------------


def _rich_customer(bank, teller_hf):
    """张伟 with a USBKey locked, a token, a medium in 口头挂失, a login lock, a login, a limit."""
    user = register("张伟", teller_hf, tool_kind=ToolKind.USBKEY, cert_password="Cert2026")
    from security.staff.counter.services import counter_tool_issue

    counter_tool_issue(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"),
                       kind=ToolKind.TOKEN, fee_medium=card_of("张伟"))
    SecurityTool.objects.filter(user=user, kind=ToolKind.USBKEY).update(
        status=ToolStatus.LOCKED, password_failures=6)
    passbook = Medium.objects.filter(customer=bank["张伟"]).exclude(pk=card_of("张伟").pk).first()
    passbook.status = MediumStatus.ORAL_LOSS
    passbook.save(update_fields=["status"])
    User.objects.filter(pk=user.pk).update(
        failed_logins=5, login_locked_on=timezone.localdate(),
        last_login=timezone.make_aware(datetime.datetime(2026, 3, 17, 9, 30)),
        last_login_ip="10.1.2.3")
    limit_policy_set(level=LimitLevel.CUSTOMER, scope=str(bank["张伟"].pk),
                     branch_code="340101", single_limit=Decimal("5000.00"),
                     daily_limit=Decimal("20000.00"))
    audit_record(action="login", actor=user, customer_id=bank["张伟"].pk, channel="web")
    return user


def test_the_customer_page_shows_the_whole_customer(client, bank, teller_hf):
    _rich_customer(bank, teller_hf)
    otp_login(client, teller_hf)
    page = client.get(_menu(bank["张伟"])).content.decode()
    for shown in ("客户信息", "3401010001", "138****0001", "6226 **** **** 0013", "口头挂失",
                  "已关联", "网上银行用户", "已锁定", "5 次", "2026-03-17 09:30:00", "10.1.2.3",
                  "USBKey证书", "数字令牌", "证书密码错误 6 次", "锁定",
                  "对外转账限额", "客户自设", "¥5,000.00", "¥20,000.00", "当前生效",
                  "最近操作记录", "登录", "网上银行注册（柜面）", "柜面", "客户本人",
                  "最近的业务受理单", "打印（PDF）"):
        assert shown in page, shown
    serials = SecurityTool.objects.values_list("serial", flat=True)
    assert all(serial in page for serial in serials)
    assert ident("张伟")["id_number"] not in page and card_of("张伟").number not in page
    # What applies now, and only that.
    assert _action_url(bank["张伟"], "tool_unlock") in page
    assert _action_url(bank["张伟"], "login_unlock") in page
    assert _action_url(bank["张伟"], "tool_issue") not in page  # both kinds held
    assert _action_url(bank["张伟"], "register") not in page


def test_the_customer_page_reads_a_bounded_number_of_queries(client, bank, teller_hf,
                                                             django_assert_max_num_queries):
    _rich_customer(bank, teller_hf)
    for _ in range(15):  # more history must not mean more queries
        audit_record(action="login", actor=None, customer_id=bank["张伟"].pk)
    otp_login(client, teller_hf)
    client.get(_menu(bank["张伟"]))  # session and OTP warm-up
    with django_assert_max_num_queries(13):
        response = client.get(_menu(bank["张伟"]))
    assert response.status_code == 200


def test_a_customer_never_registered_shows_the_bank_limits(client, bank, teller_hf):
    limit_policy_set(level=LimitLevel.BRANCH, scope="340101", single_limit=Decimal("50000.00"),
                     daily_limit=Decimal("200000.00"))
    otp_login(client, teller_hf)
    page = client.get(_menu(bank["李娜"])).content.decode()
    assert "未开通网上银行" in page and "未申领安全认证工具" in page
    assert "行社（340101）" in page and "¥50,000.00" in page and "¥200,000.00" in page
    assert _action_url(bank["李娜"], "register") in page


# --- the counter form ------------------------------------------------------------------------


def test_the_counter_form_is_a_label_column_and_a_field_column_in_the_procedures_order(
        client, bank, teller_hf):
    otp_login(client, teller_hf)
    page = client.get(_action_url(bank["张伟"], "register")).content.decode()
    assert "css/counter.css" in page and "js/counter.js" in page
    assert page.count('class="counter-label') >= 11
    order = ["证件类型", "证件号码", "已核验身份证件原件并收取复印件", "注册卡号（首次登录名）",
             "登录密码（客户输入）", "安全认证工具", "工本费", "证书密码", "对外转账单笔限额",
             "对外转账日累计限额"]
    form = page[page.index('class="counter-form"'):]
    positions = [form.index(f">{label}") for label in order]
    assert positions == sorted(positions)
    assert "按证件原件录入" in page and "由客户在密码键盘输入" in page  # help text per field
    content = page[page.index('id="content-main"'):]
    assert "style=" not in content and "<script>" not in content  # CSP: static files only


def test_the_stylesheet_and_script_are_static_files():
    root = Path(settings.BASE_DIR) / "static"
    css = (root / "css" / "counter.css").read_text()
    assert ".counter-form" in css and "grid-template-columns" in css
    assert "@media (max-width: 640px)" in css
    assert "data-fee-for" in (root / "js" / "counter.js").read_text()


def test_errors_stand_beside_their_fields_and_typed_values_stay(client, bank, teller_hf):
    otp_login(client, teller_hf)
    response = client.post(_action_url(bank["张伟"], "register"), {
        "id_type": "01", "id_number": "", "id_copy_received": "on",
        "medium": card_of("张伟").pk, "initial_password": PASSWORD,
        "initial_password_again": PASSWORD + "x", "single_limit": "abc",
        "daily_limit": "20,000"})
    page = response.content.decode()
    assert response.status_code == 200
    row = page[page.index('for="id_id_number"'):]
    row = row[:row.index('class="counter-row')]
    assert "请输入客户出示的证件号码" in row and 'class="counter-error"' in row
    assert "两次输入的登录密码不一致" in page and "请输入正确的金额" in page
    assert 'value="abc"' in page and 'value="20,000"' in page
    assert PASSWORD not in page


# --- the fee before 提交 ---------------------------------------------------------------------


@override_settings(TOOL_FEE_USBKEY=Decimal("60.00"), TOOL_FEE_TOKEN=Decimal("30.00"))
@pytest.mark.parametrize("action", ["tool_issue", "tool_replace"])
def test_the_fee_of_each_kind_is_shown_before_submitting(client, bank, teller_hf, action):
    if action == "tool_replace":
        register("张伟", teller_hf, tool_kind=ToolKind.TOKEN)
    else:
        register("张伟", teller_hf)
    otp_login(client, teller_hf)
    page = client.get(_action_url(bank["张伟"], action)).content.decode()
    assert 'data-fee-for="id_kind"' in page
    assert "¥60.00（大写：陆拾元整）" in page and "¥30.00（大写：叁拾元整）" in page
    assert page.index('class="counter-form"') < page.index(">工本费</span>") < page.index('value="提交"')


@override_settings(TOOL_FEE_TOKEN=Decimal("0"))
def test_a_zero_fee_reads_free(client, bank, teller_hf):
    otp_login(client, teller_hf)
    page = client.get(_action_url(bank["张伟"], "register")).content.decode()
    assert 'data-fee-for="id_tool_kind"' in page
    assert "免收" in page and "暂不申领" in page


# --- limits at signing (限额管理 note 3) --------------------------------------------------------


def _register_post(client, customer, **extra):
    return client.post(_action_url(customer, "register"), {
        **ident("张伟"), "id_copy_received": "on", "medium": card_of("张伟").pk,
        "initial_password": PASSWORD, "initial_password_again": PASSWORD, "tool_kind": "",
        **extra})


def _customer_policy(customer):
    return LimitPolicy.objects.filter(level=LimitLevel.CUSTOMER, scope=str(customer.pk),
                                      channel=LimitChannel.TRANSFER).first()


def test_limits_set_at_signing_are_the_customers_and_printed(client, bank, teller_hf):
    otp_login(client, teller_hf)
    done = _register_post(client, bank["张伟"], single_limit="5,000", daily_limit="¥20000.00")
    assert done.status_code == 302
    policy = _customer_policy(bank["张伟"])
    assert (policy.single_limit, policy.daily_limit) == (Decimal("5000.00"), Decimal("20000.00"))
    receipt = CounterReceipt.objects.get(customer=bank["张伟"])
    assert ["对外转账限额", "单笔 ¥5,000.00（大写：伍仟元整），日累计 ¥20,000.00（大写：贰万元整）"
            ] in receipt.detail["items"]
    assert "单笔 ¥5,000.00（大写：伍仟元整）" in client.get(done["Location"]).content.decode()


def test_limits_above_the_branch_refuse_the_registration(client, bank, teller_hf):
    limit_policy_set(level=LimitLevel.BRANCH, scope="340101", single_limit=Decimal("10000.00"),
                     daily_limit=Decimal("50000.00"))
    otp_login(client, teller_hf)
    response = _register_post(client, bank["张伟"], single_limit="20000", daily_limit="")
    page = response.content.decode()
    assert response.status_code == 200
    assert "不得超过行社单笔限额" in page and 'value="20000"' in page
    assert not User.objects.filter(customer=bank["张伟"]).exists()
    assert _customer_policy(bank["张伟"]) is None
    assert not CounterReceipt.objects.exists()


def test_no_limit_at_signing_prints_the_branch_rule_and_clears_an_old_one(client, bank,
                                                                         teller_hf):
    from security.staff.counter.services import counter_cancel

    register("张伟", teller_hf, single_limit=Decimal("3000.00"), daily_limit=None)
    assert _customer_policy(bank["张伟"]).single_limit == Decimal("3000.00")
    counter_cancel(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"))
    otp_login(client, teller_hf)
    assert _register_post(client, bank["张伟"]).status_code == 302
    policy = _customer_policy(bank["张伟"])
    assert (policy.single_limit, policy.daily_limit) == (None, None)
    receipt = CounterReceipt.objects.filter(customer=bank["张伟"]).order_by("-id").first()
    assert ["对外转账限额", "未设置（按行社限额）"] in receipt.detail["items"]


def test_single_above_daily_is_refused_on_the_form(client, bank, teller_hf):
    otp_login(client, teller_hf)
    response = _register_post(client, bank["张伟"], single_limit="9000", daily_limit="5000")
    assert "单笔限额不得超过日累计限额" in response.content.decode()
    assert not User.objects.filter(customer=bank["张伟"]).exists()


def test_finding_reads_two_queries_however_many_match(bank, hq, django_assert_num_queries):
    from security.staff.counter.selectors import customers_find

    for n in range(3):
        customer_open(cif_no=f"34010100{90 + n}", name="李娜",
                      branch=Branch.objects.get(code="340101"), id_type=IdType.RESIDENT_ID,
                      id_number=f"34010419900101{n:03d}1", phone=f"1390551{n:04d}")
    with django_assert_num_queries(2):
        found, more = customers_find(staff=hq, id_type=IdType.RESIDENT_ID, text="李娜")
    assert len(found) == 4 and not more
