"""The customer menu as the apps register it: the manual's tree, its labels and its order."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import include, path, reverse

from ebank import urls as site_urls
from ebank.core import menu
from ebank.core.menu import MenuSpec, menu_build, menu_group, menu_html, menu_leaf, menu_specs

# The manual's menu tree (个人网上银行用户手册), in its order and with its labels, each item with
# the URL names of the page that serves it.
MANUAL_TREE = [
    ("首页", ("security:home",), []),
    ("账户管理", (), [
        ("账户总览", ("accounts:overview",)),
        ("交易明细查询", ("accounts:history",)),
        ("网银日志查询", ("security:audit_log",)),
        ("关联账户管理", ("accounts:linked",)),
        ("账户挂失", ("accounts:loss",)),
        ("他行账户查询签约", ("transfers:otherbank_sign_query",)),
        ("他行账户支付签约", ("transfers:otherbank_sign_pay",)),
        ("签约协议管理", ("transfers:otherbank_agreements",)),
        ("他行账户查询", ("transfers:otherbank_balance",)),
        ("操作记录查询", ("transfers:otherbank_log",)),
        ("电子回单查询", ("accounts:receipts",)),
        ("电子回单校验", ("accounts:receipt_verify",)),
        ("自动归集设置", ("transfers:collect_new",)),
        ("归集管理查询", ("transfers:collect_list",)),
    ]),
    ("转账汇款", (), [
        ("关联账户互转", ("transfers:own",)),
        ("行内转账", ("transfers:intra",)),
        ("跨行转账", ("transfers:inter",)),
        ("跨行资金归集", ("transfers:collect_pull",)),
        ("批量行内转账", ("transfers:batch_intra",)),
        ("批量跨行转账", ("transfers:batch_inter",)),
        ("联行号查询", ("transfers:bank_codes",)),
        ("批量转账查询", ("transfers:batch_list",)),
        ("定时转账设置", ("transfers:periodic_new",)),
        ("定时转账维护", ("transfers:scheduled",)),
        ("定时转账执行查询", ("transfers:periodic_runs",)),
        ("预约交易管理", ("transfers:reserved",)),
        ("收款人管理", ("transfers:payees",)),
        ("网银转账查询", ("transfers:history",)),
    ]),

    ("自助缴费", (), [
        ("水费缴费", ("payments:pay_water",)),
        ("电费缴费", ("payments:pay_power",)),
        ("煤气缴费", ("payments:pay_gas",)),
        ("供暖缴费", ("payments:pay_heating",)),
        ("申报扣税", ("payments:pay_tax",)),
        ("移动缴费", ("payments:pay_mobile",)),
        ("铁通缴费", ("payments:pay_tietong",)),
        ("联通缴费", ("payments:pay_unicom",)),
        ("电信缴费", ("payments:pay_telecom",)),
        ("缴费登记簿管理", ("payments:book",)),
        ("缴费记录查询", ("payments:records",)),
    ]),
    ("信用卡业务", (), [
        ("信用额度查询", ("creditcard:limit",)),
        ("未出账单查询", ("creditcard:unbilled",)),
        ("已出账单查询", ("creditcard:statements",)),
        ("信用卡信息维护", ("creditcard:info",)),
        ("信用卡还款", ("creditcard:repay",)),
        ("信用卡取现", ("creditcard:cash",)),
        ("自动还款管理", ("creditcard:autorepay",)),
        ("分期付款试算", ("creditcard:instal_trial",)),
        ("账单分期申请", ("creditcard:bill_instal",)),
        ("账单分期提前终止", ("creditcard:bill_instal_terminate",)),
        ("账单分期查询", ("creditcard:bill_instal_list",)),
        ("灵活分期申请", ("creditcard:flex_instal",)),
        ("灵活分期提前终止", ("creditcard:flex_instal_terminate",)),
        ("灵活分期查询", ("creditcard:flex_instal_list",)),
        ("积分查询", ("creditcard:points",)),
        ("积分礼品兑换", ("creditcard:gifts",)),
        ("积分兑换查询", ("creditcard:redemptions",)),
        ("历史兑换查询", ("creditcard:redemptions_history",)),
    ]),
    ("基金/投资理财", (), [
        ("购买薪加利", ("wealth:xjl_buy",)),
        ("我的薪加利", ("wealth:xjl_mine",)),
        ("薪加利交易明细查询", ("wealth:xjl_history",)),
        ("理财产品认购", ("wealth:products",)),
        ("理财交易撤单", ("wealth:cancel_list",)),
        ("我的理财产品", ("wealth:mine",)),
        ("交易明细查询", ("wealth:history",)),
        ("风险测评", ("wealth:risk",)),
    ]),
    ("定期存款/智能存款", (), [
        ("我的定期存款", ("deposits:index",)),
        ("整存整取", ("deposits:fixed_open",)),
        ("定期支取", ("deposits:fixed_withdraw",)),
        ("零存整取", ("deposits:instalment",)),
        ("零存整取支取", ("deposits:instalment_withdraw",)),
        ("零存整取存折续存", ("deposits:instalment_book",)),
        ("卡内预约转存", ("deposits:plans",)),
        ("悠悦宝", ("deposits:youyuebao_open",)),
        ("悠悦宝支取", ("deposits:youyuebao_withdraw",)),
        ("零存宝", ("deposits:lcb_open",)),
        ("利先得支取", ("deposits:lixiande_withdraw",)),
        ("活期宝", ("deposits:hqb",)),
        ("存本取息", ("deposits:payouts",)),
        ("通知存款开户", ("deposits:notice_open",)),
        ("通知存款支取", ("deposits:notice_withdraw",)),
        ("大额存单", ("deposits:cd_products",)),
        ("大额存单支取", ("deposits:cd_list",)),
    ]),
    ("贷款业务", (), [
        ("个人贷款申请", ("loans:apply",)),
        ("个人贷款发放", ("loans:draw",)),
        ("个人贷款还款", ("loans:repay",)),
        ("个人贷款查询", ("loans:list",)),
    ]),
    ("网上支付", (), [
        ("协议管理", ("payments:quickpay",)),
    ]),
    ("客户服务", (), [
        ("手机银行管理", ("security:mobile",)),
        ("短信服务管理", ("security:sms_service",)),
        ("签约信息查询", ("security:signing_info",)),
        ("登录设置管理", ("security:login_settings",)),
        ("个人资料变更", ("security:profile",)),
        ("核心预留手机号管理", ("security:core_phone",)),
        ("留言管理", ("security:messages",)),
    ]),
    ("安全中心", (), [
        ("预留信息变更", ("security:reserved_message",)),
        ("限额管理", ("security:limits",)),
        ("密码管理", ("security:password_change",)),
        ("积分查询", ("creditcard:points",)),
        ("积分兑换", ("creditcard:gifts",)),
    ]),
]


def _registered_tree():
    return [(spec.label, spec.url_names,
             [(child.label, child.url_names) for child in spec.children])
            for spec in menu_specs()]


def test_the_registered_groups_are_the_manuals_tree_in_its_order():
    assert _registered_tree() == MANUAL_TREE


def test_the_built_menu_has_the_manuals_labels_in_its_order():
    built = [(item.label, [child.label for child in item.children]) for item in menu_build("/")]
    assert built == [(label, [child[0] for child in children])
                     for label, _, children in MANUAL_TREE]


# The site's URLs without 贷款业务's pages: the items of an app not built are plain text. (An
# object, not this module's ``urlpatterns``: the module's own are the new app's, further down.)
class WITHOUT_LOANS:  # noqa: N801 - a URLconf (hashable: the menu's caches are keyed by it)
    urlpatterns = [pattern for pattern in site_urls.urlpatterns
                   if getattr(pattern, "namespace", None) != "loans"]


def test_items_without_a_page_are_plain_text_and_the_others_links(settings):
    settings.ROOT_URLCONF = WITHOUT_LOANS
    items = {item.label: item for item in menu_build("/")}
    assert [child.url for child in items["贷款业务"].children] == [None] * 4
    assert [child.url for child in items["自助缴费"].children][:2] == [
        "/payments/pay/water/", "/payments/pay/power/"]
    html = menu_html("/")
    assert '<span class="menu-unavailable" title="暂未开通">个人贷款申请</span>' in html
    assert items["首页"].url == "/"
    assert [child.url for child in items["账户管理"].children][0] == "/accounts/overview"


def test_the_page_highlights_its_item_and_opens_its_group():
    items = {item.label: item for item in menu_build("/transfers/intra")}
    group = items["转账汇款"]
    assert group.open and not group.active
    assert [child.label for child in group.children if child.active] == ["行内转账"]
    assert not items["账户管理"].open


def test_a_group_at_a_taken_place_is_refused_and_the_same_one_again_is_harmless():
    first = menu_specs()[0]
    menu_group(10, first)  # ready() run twice
    assert menu_specs()[0] is first and len(menu_specs()) == len(MANUAL_TREE)
    with pytest.raises(ImproperlyConfigured, match="菜单位置 10"):
        menu_group(10, menu_leaf("别的首页", "security:home"))


def _page(request):  # pragma: no cover - only reversed, never requested
    raise AssertionError


# The site's URLconf plus a new app's page.
urlpatterns = [
    path("newapp/", include(([path("", _page, name="index")], "newapp"))),
    path("", include("ebank.urls")),
]


@pytest.fixture
def registry_restored(monkeypatch):
    monkeypatch.setattr(menu, "_groups", dict(menu._groups))
    monkeypatch.setattr(menu, "_specs", menu._specs)
    yield
    monkeypatch.undo()
    menu._menu_urls.cache_clear()
    menu._menu_html.cache_clear()


def test_a_new_group_takes_its_place_and_links_once_its_page_exists(settings, registry_restored):
    menu_html("/")  # cached before the registration: registering clears it
    menu_group(45, MenuSpec("新业务", children=(menu_leaf("新业务首页", "newapp:index"),)))
    labels = [spec.label for spec in menu_specs()]
    assert labels[labels.index("自助缴费") + 1] == "新业务"
    assert '<span class="menu-unavailable" title="暂未开通">新业务首页</span>' in menu_html("/")
    settings.ROOT_URLCONF = __name__
    assert '<a href="/newapp/">新业务首页</a>' in menu_html("/")
    assert '<a href="/newapp/" class="active" aria-current="page">新业务首页</a>' in menu_html(
        "/newapp/")


def test_after_that_test_the_menu_is_the_manuals_again():
    assert _registered_tree() == MANUAL_TREE and "新业务" not in menu_html("/")


def test_a_page_under_two_items_lights_the_nearer_one_only():
    # 零存整取支取 (/deposits/instalment/withdraw) lies under 零存整取 (/deposits/instalment) too.
    page = reverse("deposits:instalment_withdraw")
    assert page.startswith(reverse("deposits:instalment") + "/")
    active = [item.label for group in menu_build(page) for item in group.children if item.active]
    assert active == ["零存整取支取"]


def test_a_page_under_a_leaf_whose_url_ends_with_a_slash_lights_it():
    # 协议管理 is /payments/quickpay/; its 限额修改 page lies under it.
    page = reverse("payments:quickpay_limit", args=[7])
    assert page.startswith(reverse("payments:quickpay"))
    active = [item.label for group in menu_build(page) for item in group.children if item.active]
    assert active == ["协议管理"]
    assert [item.label for group in menu_build("/payments/pay/water/") for item in group.children
            if item.active] == ["水费缴费"]


def test_a_page_two_groups_link_opens_the_first_group_only():
    # 积分查询 is a leaf of 信用卡业务 and of 安全中心: one group is open, the manual's first.
    page = reverse("creditcard:points")
    opened = [group.label for group in menu_build(page) if group.open]
    assert opened == ["信用卡业务"]
    assert menu_html(page).count('aria-current="page"') == 1


def test_wealths_inner_pages_light_the_menu_item_they_belong_to():
    lit = {}
    for name, kwargs in (("wealth:xjl_out", {"pk": 1}), ("wealth:xjl_income", {}),
                         ("wealth:xjl_in", {"pk": 1}), ("wealth:redeem", {"pk": 1}),
                         ("wealth:buy", {"pk": 1}), ("wealth:order", {"number": "LC1"}),
                         ("wealth:cancel", {"number": "LC1"}), ("wealth:risk_result", {"pk": 1})):
        lit[name] = [item.label for group in menu_build(reverse(name, kwargs=kwargs))
                     for item in group.children if item.active]
    assert lit == {"wealth:xjl_out": ["我的薪加利"], "wealth:xjl_income": ["我的薪加利"],
                   "wealth:xjl_in": ["购买薪加利"], "wealth:redeem": ["我的理财产品"],
                   "wealth:buy": ["理财产品认购"], "wealth:order": ["交易明细查询"],
                   "wealth:cancel": ["理财交易撤单"], "wealth:risk_result": ["风险测评"]}
