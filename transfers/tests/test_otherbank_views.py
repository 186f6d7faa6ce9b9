"""他行账户管理 and 资金归集 pages: the round trip through the simulated other bank's page,
refusals on the same page with what was typed kept, 404 for another customer's objects."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest

from ebank.otherbanks.demo import DEMO_CARD_PASSWORD
from security.models import PendingOperation
from transfers.models import (
    CollectionPlan,
    OtherBankAgreement,
    OtherBankKind,
    OtherBankOperationLog,
    OtherBankSigning,
)

from .test_otherbank_support import (
    NOW,
    ZHANG_CARD,
    World,
    confirm,
    obw_fixture,  # noqa: F401 - the "obw" fixture
    sign,
    world,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def zc(client, obw):
    client.force_login(obw.zhang)
    return client


def _path(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.path}?{parsed.query}" if parsed.query else parsed.path


def test_the_landing_page_offers_the_five_functions(zc):
    page = zc.get("/transfers/otherbank").content.decode()
    for name in ("他行账户查询签约", "他行账户支付签约", "签约协议管理", "他行账户查询", "操作记录查询"):
        assert name in page


def test_query_signing_round_trip_through_the_other_banks_page(zc, obw):
    response = zc.post("/transfers/otherbank/sign-query", {"bank": "102"})
    assert response.status_code == 302 and "/otherbank-sim/sign?ticket=" in response.url
    sim_url = _path(response.url)
    page = zc.get(sim_url).content.decode()
    assert "中国工商银行" in page and "张伟" in page and "单笔限额" not in page
    # A wrong password: the same page, the card number kept.
    wrong = zc.post(sim_url, {"card_number": ZHANG_CARD, "password": "999999",
                              "valid_until": "2027-06-10", "accept": "on", "action": "sign"})
    text = wrong.content.decode()
    assert "卡号或密码错误" in text and ZHANG_CARD in text
    back = zc.post(sim_url, {"card_number": ZHANG_CARD, "password": DEMO_CARD_PASSWORD,
                             "valid_until": "2027-06-10", "accept": "on", "action": "sign"})
    assert back.status_code == 302 and "/transfers/otherbank/callback?result=" in back.url
    shown = zc.get(_path(back.url))
    assert "完成签约" in shown.content.decode()
    assert not OtherBankAgreement.objects.exists()  # the GET wrote nothing
    result = shown.context["result_text"]
    done = zc.post("/transfers/otherbank/callback", {"result": result})
    assert done.status_code == 302 and done.url == "/transfers/otherbank/agreements"
    agreement = OtherBankAgreement.objects.get()
    assert agreement.kind == OtherBankKind.QUERY
    listing = zc.get("/transfers/otherbank/agreements").content.decode()
    assert "6222 **** **** 3445" in listing and "解约" in listing


def test_a_tampered_result_is_refused_on_the_page(zc):
    page = zc.get("/transfers/otherbank/callback?result=abc").content.decode()
    assert "他行签约结果无效或已过期" in page
    assert zc.post("/transfers/otherbank/callback", {"result": "abc"}).status_code == 200
    assert not OtherBankAgreement.objects.exists()


def test_pay_signing_goes_through_the_confirmation_first(zc, obw):
    response = zc.post("/transfers/otherbank/sign-pay", {"bank": "102", "account": ""})
    assert "请选择我行账户" in response.content.decode()
    main = World.main(obw.zhang_card)
    response = zc.post("/transfers/otherbank/sign-pay", {"bank": "102", "account": main.pk})
    assert response.status_code == 302 and "/confirm/" in response.url
    confirm_page = zc.get(response.url).content.decode()
    assert "他行账户支付签约" in confirm_page and "中国工商银行" in confirm_page


def test_pay_signing_result_says_only_our_side_verified(zc, obw):
    """The result page: 我行验证已通过 (the agreement is signed at the other bank), the deadline
    to go on there, the 验密账户 once."""
    main = World.main(obw.zhang_card)
    response = zc.post("/transfers/otherbank/sign-pay", {"bank": "102", "account": main.pk})
    operation = PendingOperation.objects.get(public_id=response.url.rstrip("/").split("/")[-1])
    confirm(operation, user=obw.zhang)
    page = zc.get(f"/confirm/{operation.public_id}/result").content.decode()
    assert "我行验证已通过，请前往他行完成签约" in page
    assert "签约成功" not in page
    assert "请于10:15前完成他行签约" in page
    assert page.count("验密账户") == 1
    # Past the deadline (moved back: travelling 16 minutes would also end the idle session).
    OtherBankSigning.objects.filter(operation=operation).update(
        expires_at=NOW - timedelta(minutes=1))
    late = zc.get(f"/confirm/{operation.public_id}/result").content.decode()
    assert "已失效" in late and "请前往他行完成签约" not in late


def test_the_balance_page_shows_balance_and_history(zc, obw):
    agreement = sign(obw, kind=OtherBankKind.QUERY)
    page = zc.post("/transfers/otherbank/balance", {"agreement": agreement.pk,
                                                    "date_from": "2026-05-01",
                                                    "date_to": "2026-06-10"})
    text = page.content.decode()
    assert "¥30,000.00" in text and "工资" in text and "-1,200.00" in text
    assert OtherBankOperationLog.objects.filter(action="余额及明细查询").exists()
    log = zc.get("/transfers/otherbank/log", {"kind": "query"}).content.decode()
    assert "余额及明细查询" in log and "签约" not in log.split("otherbank-log")[1]


def test_bad_dates_are_a_message_not_an_error(zc):
    page = zc.get("/transfers/otherbank/log", {"date_from": "2026-06-10",
                                               "date_to": "2026-01-01"}).content.decode()
    assert "起始日期不能晚于截止日期" in page


def test_pull_form_refusals_keep_what_was_typed(zc, obw):
    agreement = sign(obw, single="800.00", daily="5000.00")
    main = World.main(obw.zhang_card)
    page = zc.post("/transfers/collect/pull", {"agreement": agreement.pk, "account": main.pk,
                                               "amount": "1,000"}).content.decode()
    assert "归集金额超过协议单笔限额¥800.00" in page and 'value="1,000"' in page
    page = zc.post("/transfers/collect/pull", {"agreement": agreement.pk, "account": main.pk,
                                               "amount": "abc"}).content.decode()
    assert 'value="abc"' in page
    ok = zc.post("/transfers/collect/pull", {"agreement": agreement.pk, "account": main.pk,
                                             "amount": "500"})
    assert ok.status_code == 302 and "/confirm/" in ok.url


def test_plan_form_asks_for_what_the_mode_needs(zc, obw):
    agreement = sign(obw)
    main = World.main(obw.zhang_card)
    page = zc.post("/transfers/collect/new", {
        "agreement": agreement.pk, "account": main.pk, "frequency": "weekly",
        "mode": "fixed", "minimum": "100"}).content.decode()
    assert "请选择每周归集日" in page and "请输入归集金额" in page
    reserve = {"agreement": agreement.pk, "account": main.pk, "frequency": "monthly",
               "month_day": "5", "mode": "reserve", "reserve": "5000", "minimum": "100"}
    # 留存余额 reads the balance through the account's query agreement: none yet.
    page = zc.post("/transfers/collect/new", reserve).content.decode()
    assert "须通过该他行账户的账户信息查询协议查询余额" in page and 'value="5000"' in page
    sign(obw, kind=OtherBankKind.QUERY)
    ok = zc.post("/transfers/collect/new", {
        "agreement": agreement.pk, "account": main.pk, "frequency": "monthly",
        "month_day": "5", "mode": "reserve", "reserve": "5000", "minimum": "100"})
    assert ok.status_code == 302 and "/confirm/" in ok.url
    assert not CollectionPlan.objects.exists()  # only once confirmed


def test_another_customers_agreement_cannot_be_cancelled(client, obw):
    agreement = sign(obw, kind=OtherBankKind.QUERY)
    client.force_login(obw.li)
    assert client.post(f"/transfers/otherbank/agreements/{agreement.pk}/cancel").status_code \
        == 404
    agreement.refresh_from_db()
    assert agreement.status == "active"
    page = client.post("/transfers/otherbank/balance", {"agreement": agreement.pk})
    assert "请选择他行账户" in page.content.decode()


GARBAGE = ["", "abc", "-1", "1e9", "０.０１", "\x00", "9" * 40, "2026-13-45", "'; drop table"]


@pytest.mark.parametrize("value", GARBAGE)
def test_the_pages_never_answer_500(zc, obw, value):
    agreement = sign(obw)
    fields = ("bank", "account", "agreement", "amount", "date_from", "date_to", "kind",
              "frequency", "weekday", "month_day", "mode", "fixed_amount", "reserve",
              "minimum", "result", "card_number", "password", "single_limit", "daily_limit",
              "valid_until", "accept", "ticket", "action")
    data = dict.fromkeys(fields, value)
    for path in ("/transfers/otherbank/sign-query", "/transfers/otherbank/sign-pay",
                 "/transfers/otherbank/callback", "/transfers/otherbank/balance",
                 "/transfers/collect/pull", "/transfers/collect/new", "/otherbank-sim/sign"):
        assert zc.post(path, data).status_code < 500, path
    for path in ("/transfers/otherbank/log", "/transfers/otherbank/agreements",
                 "/transfers/otherbank/callback", "/otherbank-sim/sign"):
        assert zc.get(path, data).status_code < 500, path
    agreement.refresh_from_db()
    assert agreement.status == "active"


def test_list_pages_read_a_fixed_number_of_times(zc, obw, django_assert_max_num_queries):
    """归集管理查询, 明细 and 签约协议管理: the queries do not grow with the rows."""
    from datetime import date

    from transfers.collect import services as collect
    from transfers.models import CollectionMode, CollectionRun

    from .test_collect_services import plan_for, run_day

    agreement = sign(obw)
    sign(obw, kind=OtherBankKind.QUERY)
    plans = [plan_for(obw, agreement, mode=CollectionMode.FIXED, amount="100.00")
             for _ in range(3)]
    for day in (11, 12, 13):
        run_day(date(2026, 6, day))
    assert CollectionRun.objects.count() == 9
    assert len(collect.plan_runs(plan=plans[0])) == 3
    for path in ("/transfers/collect/plans", f"/transfers/collect/plans/{plans[0].pk}/runs",
                 "/transfers/otherbank/agreements", "/transfers/otherbank/log"):
        with django_assert_max_num_queries(14):
            assert zc.get(path).status_code == 200


def _field_errors(page: str, name: str) -> list[str]:
    """The messages shown under field ``name`` (templates/_field.html's id_<name>_error)."""
    import re

    block = re.search(rf'<div id="id_{name}_error">(.*?)</div>', page, re.S)
    return re.findall(r'<p class="field-error">(.*?)</p>', block.group(1)) if block else []


def test_an_empty_submit_shows_each_fields_own_error(zc, obw):
    sign(obw)
    page = zc.post("/transfers/collect/pull", {}).content.decode()
    assert _field_errors(page, "agreement") == ["请选择付款账户（他行账户）"]
    assert _field_errors(page, "account") == ["请选择收款账户"]
    assert _field_errors(page, "amount") == ["请输入收款金额"]
    page = zc.post("/transfers/collect/new", {}).content.decode()
    assert _field_errors(page, "agreement") == ["请选择付款账户（他行账户）"]
    assert _field_errors(page, "frequency") == ["请选择扣款频率"]
    assert _field_errors(page, "mode") == ["请选择扣款模式"]


def test_plan_form_one_error_per_field_and_sane_maxima(zc, obw):
    agreement = sign(obw)
    main = World.main(obw.zhang_card)
    page = zc.post("/transfers/collect/new", {
        "agreement": agreement.pk, "account": main.pk, "frequency": "daily",
        "mode": "reserve", "reserve": "abc", "minimum": "99999999999"}).content.decode()
    assert _field_errors(page, "reserve") == ["请输入正确的金额"]
    assert _field_errors(page, "minimum") == ["起归金额不能超过¥10,000,000.00"]
    assert 'value="abc"' in page and 'value="99999999999"' in page
    page = zc.post("/transfers/collect/pull", {"agreement": agreement.pk, "account": main.pk,
                                               "amount": "99999999999"}).content.decode()
    assert _field_errors(page, "amount") == ["收款金额不能超过¥10,000,000.00"]


def test_plan_form_ignores_the_fields_that_do_not_apply(zc, obw):
    """Without the script every field is shown: what the other frequencies and modes' fields
    hold is neither refused nor used."""
    agreement = sign(obw)
    main = World.main(obw.zhang_card)
    ok = zc.post("/transfers/collect/new", {
        "agreement": agreement.pk, "account": main.pk, "frequency": "weekly", "weekday": "3",
        "month_day": "99", "mode": "fixed", "fixed_amount": "500", "reserve": "abc",
        "minimum": "-1"})
    assert ok.status_code == 302 and "/confirm/" in ok.url
    operation = PendingOperation.objects.get(public_id=ok.url.rstrip("/").split("/")[-1])
    assert operation.payload["day"] == 3 and operation.payload["reserve"] == ""
    assert operation.payload["minimum"] == "500.00"
    page = zc.get("/transfers/collect/new").content.decode()
    assert "js/collect-plan.js" in page and 'data-when-mode="fixed"' in page


PAGES_UNDER_ACCOUNTS = ["/transfers/otherbank/sign-query", "/transfers/otherbank/sign-pay",
                        "/transfers/otherbank/agreements", "/transfers/otherbank/balance",
                        "/transfers/otherbank/log", "/transfers/collect/new",
                        "/transfers/collect/plans"]


def test_breadcrumbs_follow_the_menu(zc, obw):
    for path in PAGES_UNDER_ACCOUNTS:
        assert '<p class="breadcrumb">账户管理 › ' in zc.get(path).content.decode(), path
    pull = zc.get("/transfers/collect/pull").content.decode()
    assert '<p class="breadcrumb">转账汇款 › 跨行资金归集' in pull


def test_the_plan_list_has_a_back_link(zc):
    page = zc.get("/transfers/collect/plans").content.decode()
    assert 'href="/transfers/otherbank">返回</a>' in page
