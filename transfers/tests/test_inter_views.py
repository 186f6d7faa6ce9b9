"""The 跨行转账 page: what it shows, the server-side bank search, the way to the confirmation,
refusals on the same page, and fuzzed input that never breaks it."""

from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ebank.clearing.adapters import get_clearing_adapter
from ebank.clearing.routing import ArrivalMode, Channel
from security.models import PendingOperation
from transfers.inter.forms import BankCodeSearchForm, InterTransferForm, ReservedQueryForm
from transfers.models import Transfer
from transfers.services.inter import NOTES, OPERATION_KIND

from .test_inter_support import (
    ICBC_BRANCH,
    ICBC_HEFEI,
    PAYEE_ACCOUNT,
    World,
    at,
    inter_fixture,  # noqa: F401 - the "inter" fixture
    travel,
    world,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db

URL = "/transfers/inter"
FRIDAY_1730 = at(2026, 11, 27, 17, 30)


@pytest.fixture
def zhang_client(client, inter):
    client.force_login(inter.zhang)
    return client


def post_data(bank, **changes):
    data = {"from_account": str(World.main(bank.zhang_card).pk), "mode": ArrivalMode.REAL_TIME,
            "payee_account": PAYEE_ACCOUNT, "payee_name": "赵敏", "bank_query": "",
            "bank_code": ICBC_HEFEI, "amount": "60,000.00", "purpose": "货款"}
    data.update(changes)
    return data


def test_the_url_name_and_the_page_with_the_manuals_notes(zhang_client):
    assert reverse("transfers:inter") == URL
    body = zhang_client.get(URL).content.decode()
    for label in ("转出账号", "到账方式", "实时到账", "普通到账", "次日到账", "收款人账号", "收款人名称",
                  "收款行", "填写收款网点", "转账金额", "付款用途", "加入收款人登记簿", "提交"):
        assert label in body
    for note in NOTES:
        assert note in body
    assert "可用余额¥80,000.00" in body
    assert "js/transfers-inter.js" in body and "<script>" not in body and "onclick" not in body
    assert 'id="ibps-closed"' not in body


def test_ibps_maintenance_is_announced_on_the_page(zhang_client):
    get_clearing_adapter().set_maintenance(Channel.IBPS, True)
    body = zhang_client.get(URL).content.decode()
    assert "清算行已退出" in body and "填写收款网点" in body


def test_submitting_on_friday_evening_leads_to_a_confirmation_that_says_when(zhang_client, inter):
    with travel(FRIDAY_1730):
        zhang_client.force_login(inter.zhang)  # the session's idle clock starts in the evening
        response = zhang_client.post(URL, post_data(inter))
        assert response.status_code == 302
        operation = PendingOperation.objects.get(kind=OPERATION_KIND)
        assert response["Location"] == reverse("security:confirm", args=[operation.public_id])
        page = zhang_client.get(response["Location"]).content.decode()
    assert "预约至2026年11月30日09:00后汇出" in page
    assert "¥60,000.00" in page and "陆万元整" in page
    assert not Transfer.objects.exists()  # nothing happens before 确认


def test_the_bank_search_without_script_lists_banks_and_keeps_what_was_typed(zhang_client, inter):
    response = zhang_client.post(URL, post_data(inter, bank_code="", bank_query="工商 合肥",
                                                action="search_bank"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'type="radio" name="bank_code" value="102361000013"' in body
    assert 'value="102361000528"' in body
    assert PAYEE_ACCOUNT in body and "赵敏" in body
    assert "field-error" not in body  # searching is not submitting
    assert not PendingOperation.objects.exists()


def test_an_ambiguous_bank_on_submit_asks_to_pick_one(zhang_client, inter):
    body = zhang_client.post(URL, post_data(inter, bank_code="", bank_query="工商")).content.decode()
    assert "请从下方列表中选择收款行" in body and 'name="bank_code" value="102361000013"' in body


def test_refusals_stay_on_the_page_with_the_input_kept(zhang_client, inter):
    get_clearing_adapter().set_maintenance(Channel.IBPS, True)
    body = zhang_client.post(URL, post_data(inter, amount="100.00")).content.decode()
    assert "清算行已退出。您可勾选“填写收款网点”" in body and PAYEE_ACCOUNT in body
    ok = zhang_client.post(URL, post_data(inter, amount="100.00", fill_branch="on",
                                          branch_code=ICBC_BRANCH))
    assert ok.status_code == 302
    with travel(at(2026, 11, 24, 10, 0)):
        zhang_client.force_login(inter.zhang)
        too_much = zhang_client.post(URL, post_data(inter, amount="90000.00"))
    assert "账户可用余额不足（可用余额¥80,000.00）" in too_much.content.decode()


def test_another_customers_account_is_not_a_choice(client, inter):
    client.force_login(inter.li)
    body = client.post(URL, post_data(inter, amount="10.00")).content.decode()
    assert "请选择转出账号" in body and not PendingOperation.objects.exists()


def test_get_changes_nothing_and_post_needs_csrf(inter):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(inter.zhang)
    assert csrf_client.post(URL, post_data(inter)).status_code == 403
    assert not PendingOperation.objects.exists()


def test_the_lookup_answers_json_for_the_script(zhang_client):
    data = zhang_client.get(reverse("transfers:bank_code_lookup"), {"q": "102361"}).json()
    assert [row["code"] for row in data["results"]][:2] == [ICBC_HEFEI, ICBC_BRANCH]
    assert zhang_client.get(reverse("transfers:bank_code_lookup")).json() == {"results": []}


# --- fuzzing -------------------------------------------------------------------------------------

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@FUZZ
@given(data=st.fixed_dictionaries({}, optional={
    name: st.one_of(TEXT, st.sampled_from(["", "0", "1", "-1", "¥1,000.00", "60000.01",
                                           ICBC_HEFEI, "9" * 40, "on", "NORMAL", "REAL_TIME"]))
    for name in ("from_account", "mode", "payee_account", "payee_name", "bank_query", "bank_code",
                 "fill_branch", "branch_code", "amount", "purpose", "save_payee")}))
def test_the_transfer_form_never_breaks(inter, data):
    form = InterTransferForm(data, customer=inter.zhang_customer)
    if form.is_valid():
        request = form.inter_request()
        assert request.amount > 0 and request.bank is not None
        assert Decimal(request.amount).as_tuple().exponent == -2
    else:
        assert all(isinstance(message, str) and message for errors in form.errors.values()
                   for message in errors)


@FUZZ
@given(query=TEXT, date_from=TEXT, date_to=TEXT)
def test_the_search_and_query_forms_never_break(inter, query, date_from, date_to):
    search = BankCodeSearchForm({"q": query})
    if search.is_valid():
        assert search.cleaned_data["q"]
    dates = ReservedQueryForm({"date_from": date_from, "date_to": date_to},
                              today=FRIDAY_1730.date())
    if dates.is_valid():
        assert dates.cleaned_data["date_from"] is not None


@FUZZ
@given(query=TEXT)
def test_the_pages_never_answer_500(zhang_client, query):
    assert zhang_client.get(reverse("transfers:bank_codes"), {"q": query}).status_code == 200
    assert zhang_client.get(reverse("transfers:bank_code_lookup"), {"q": query}).status_code == 200
    assert zhang_client.get(reverse("transfers:reserved"),
                            {"date_from": query}).status_code == 200
