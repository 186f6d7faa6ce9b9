"""Pages that keep what was typed (issue 11 §2): 返回 from the confirmation refills the form, the
payee book fills 行内 and 跨行, payer lists show the available balance, 跨行's limit refusal
links to 限额管理 as 行内's does, Enter submits 提交, the step bar, the live 大写 hook."""

import html
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from ebank.clearing.routing import ArrivalMode
from ebank.core.money import chinese_capitals
from ebank.limits.models import LimitLevel
from ebank.limits.services import limit_policy_set
from security.models import PendingOperation
from transfers.models import Payee, PayeeKind

from .test_inter_support import (
    ICBC_BRANCH,
    ICBC_HEFEI,
    PAYEE_ACCOUNT,
    World,
    at,
    inter_fixture,  # noqa: F401 - the "inter" fixture
    travel,
    world,  # noqa: F401 - fixture (under "inter")
)

pytestmark = pytest.mark.django_db

TUESDAY_NOON = at(2026, 11, 24, 12, 0)


def _value(body: str, name: str) -> str | None:
    """The value the page puts in input ``name`` (None when it renders none)."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', body)
    if tag is None:
        return None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def _checked(body: str, name: str) -> list[str]:
    return re.findall(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"[^>]*checked', body) + \
        re.findall(rf'<input[^>]*checked[^>]*name="{name}"[^>]*value="([^"]*)"', body)


def _selected(body: str, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', body, flags=re.S).group(0)
    return re.search(r'<option value="([^"]*)" selected', select).group(1)


def _back_link(client, location: str) -> str:
    """The 返回 of the confirmation page the form redirected to."""
    body = client.get(location).content.decode()
    links = re.findall(r'<a class="btn btn-secondary" href="([^"]+)">返回</a>', body)
    assert links, "no 返回 on the confirmation page"
    return html.unescape(links[0])


# --- 返回 keeps the form ------------------------------------------------------------------------


def test_back_from_the_intra_confirmation_brings_everything_typed(client, inter):
    client.force_login(inter.zhang)
    payer = inter.main(inter.zhang_card).pk
    with travel(TUESDAY_NOON):
        answer = client.post(reverse("transfers:intra"), {
            "from_sub_account": payer, "mode": ArrivalMode.NEXT_DAY, "amount": "1,234.50",
            "payee_account": inter.li_card.number, "payee_name": "李娜", "purpose": "房租",
            "save_payee": "on"})
        assert answer.status_code == 302
        back = _back_link(client, answer["Location"])
        assert back.startswith(reverse("transfers:intra") + "?from=")
        body = client.get(back).content.decode()
    assert _selected(body, "from_sub_account") == str(payer)
    assert _checked(body, "mode") == [ArrivalMode.NEXT_DAY]
    assert _value(body, "amount") == "1234.50"
    assert _value(body, "payee_account") == inter.li_card.number
    assert _value(body, "payee_name") == "李娜"
    assert _value(body, "purpose") == "房租"
    assert re.search(r'<input[^>]*name="save_payee"[^>]*checked', body)


def test_back_from_the_own_confirmation_brings_everything_typed(client, inter):
    client.force_login(inter.zhang)
    payer, payee = inter.main(inter.zhang_card).pk, inter.main(inter.zhang_passbook).pk
    answer = client.post(reverse("transfers:own"), {
        "from_sub_account": payer, "to_sub_account": payee, "amount": "88.00", "purpose": "零用"})
    body = client.get(_back_link(client, answer["Location"])).content.decode()
    assert _selected(body, "from_sub_account") == str(payer)
    assert _selected(body, "to_sub_account") == str(payee)
    assert _value(body, "amount") == "88.00" and _value(body, "purpose") == "零用"


def test_back_from_the_inter_confirmation_brings_everything_typed(client, inter):
    client.force_login(inter.zhang)
    payer = World.main(inter.zhang_card).pk
    with travel(TUESDAY_NOON):
        answer = client.post(reverse("transfers:inter"), {
            "from_account": payer, "mode": ArrivalMode.NORMAL, "payee_account": PAYEE_ACCOUNT,
            "payee_name": "赵敏", "bank_query": "", "bank_code": ICBC_HEFEI,
            "fill_branch": "on", "branch_code": ICBC_BRANCH, "amount": "2,000.00",
            "purpose": "货款", "save_payee": "on"})
        assert answer.status_code == 302, answer.content.decode()[:2000]
        body = client.get(_back_link(client, answer["Location"])).content.decode()
    assert _selected(body, "from_account") == str(payer)
    assert _checked(body, "mode") == [ArrivalMode.NORMAL]
    assert _value(body, "payee_account") == PAYEE_ACCOUNT and _value(body, "payee_name") == "赵敏"
    assert _value(body, "bank_code") == ICBC_HEFEI and "工商" in _value(body, "bank_query")
    assert re.search(r'<input[^>]*name="fill_branch"[^>]*checked', body)
    assert _value(body, "branch_code") == ICBC_BRANCH
    assert _value(body, "amount") == "2000.00" and _value(body, "purpose") == "货款"
    assert re.search(r'<input[^>]*name="save_payee"[^>]*checked', body)


def test_back_names_the_operation_through_the_customer(client, inter):
    client.force_login(inter.zhang)
    answer = client.post(reverse("transfers:own"), {
        "from_sub_account": inter.main(inter.zhang_card).pk,
        "to_sub_account": inter.main(inter.zhang_passbook).pk, "amount": "88.00"})
    public_id = PendingOperation.objects.get().public_id
    assert answer["Location"].endswith(f"/{public_id}/")
    client.force_login(inter.li)
    assert client.get(reverse("transfers:own") + f"?from={public_id}").status_code == 404
    client.force_login(inter.zhang)
    # Another kind's operation fills nothing (the own transfer's payload is no 行内 form).
    body = client.get(reverse("transfers:intra") + f"?from={public_id}").content.decode()
    assert _value(body, "amount") is None


def test_the_result_page_back_is_a_blank_form(client, inter):
    from tests.customer_world import confirm

    client.force_login(inter.zhang)
    client.post(reverse("transfers:own"), {
        "from_sub_account": inter.main(inter.zhang_card).pk,
        "to_sub_account": inter.main(inter.zhang_passbook).pk, "amount": "88.00"})
    operation = confirm(PendingOperation.objects.get(), user=inter.zhang)
    body = client.get(reverse("security:confirm_result", args=[operation.public_id])).content.decode()
    assert f'href="{reverse("transfers:own")}">返回</a>' in body


# --- the payee book, payer lists, limits, Enter -------------------------------------------------


def test_the_payee_book_fills_the_inter_form_and_is_offered_on_both_forms(client, inter):
    mine = Payee.objects.create(customer=inter.zhang_customer, kind=PayeeKind.INTER,
                                account_number=PAYEE_ACCOUNT, name="赵敏", bank_code=ICBC_HEFEI,
                                bank_name="中国工商银行合肥市分行营业部")
    theirs = Payee.objects.create(customer=inter.li_customer, kind=PayeeKind.INTER,
                                  account_number="6222000000001111", name="钱七",
                                  bank_code=ICBC_HEFEI, bank_name="中国工商银行合肥市分行营业部")
    Payee.objects.create(customer=inter.zhang_customer, kind=PayeeKind.INTRA,
                         account_number=inter.li_card.number, name="李娜")
    client.force_login(inter.zhang)
    payees = client.get(reverse("transfers:payees")).content.decode()
    assert f'href="{reverse("transfers:inter")}?payee={mine.pk}">转账</a>' in payees
    body = client.get(reverse("transfers:inter") + f"?payee={mine.pk}").content.decode()
    assert _value(body, "payee_account") == PAYEE_ACCOUNT and _value(body, "payee_name") == "赵敏"
    assert _value(body, "bank_code") == ICBC_HEFEI
    assert client.get(reverse("transfers:inter") + f"?payee={theirs.pk}").status_code == 404
    # The picker: 跨行 lists the inter payees, 行内 the intra ones.
    inter_form = client.get(reverse("transfers:inter")).content.decode()
    assert 'id="payee-book"' in inter_form and "赵敏" in inter_form and "李娜" not in inter_form
    intra_form = client.get(reverse("transfers:intra")).content.decode()
    assert 'id="payee-book"' in intra_form and "李娜" in intra_form and "赵敏" not in intra_form


def test_payer_lists_show_the_available_balance(client, inter):
    client.force_login(inter.zhang)
    for name in ("transfers:own", "transfers:intra"):
        body = client.get(reverse(name)).content.decode()
        assert "（可用余额¥80,000.00）" in body and 'class="account-select"' in body


def test_an_inter_customer_set_limit_links_to_limit_management(client, inter):
    limit_policy_set(level=LimitLevel.CUSTOMER, scope=str(inter.zhang_customer.pk),
                     branch_code=inter.zhang_customer.branch.code,
                     single_limit=Decimal("1000.00"), daily_limit=Decimal("2000.00"))
    client.force_login(inter.zhang)
    with travel(TUESDAY_NOON):
        body = client.post(reverse("transfers:inter"), {
            "from_account": World.main(inter.zhang_card).pk, "mode": ArrivalMode.REAL_TIME,
            "payee_account": PAYEE_ACCOUNT, "payee_name": "赵敏", "bank_query": "",
            "bank_code": ICBC_HEFEI, "amount": "1500.00"}).content.decode()
    start_at = body.index('class="alert alert-warning limit-refusal"')
    warning = body[start_at:body.index("</div>", start_at)]
    assert "您自设的单笔转账限额" in warning
    assert f'href="{reverse("security:limits")}"' in warning and "限额管理" in warning
    assert _value(body, "amount") == "1500.00"


def test_enter_submits_the_inter_form_not_the_bank_search(client, inter):
    client.force_login(inter.zhang)
    body = client.get(reverse("transfers:inter")).content.decode()
    form = body[body.index('id="inter-form"'):]
    first_submit = re.search(r'<button type="submit"[^>]*>([^<]*)</button>', form)
    assert first_submit.group(1) == "提交" and 'name="action"' not in first_submit.group(0)


def test_every_transfer_form_has_the_step_bar_and_the_capitals_hook(client, inter):
    client.force_login(inter.zhang)
    for name in ("transfers:own", "transfers:intra", "transfers:inter"):
        body = client.get(reverse(name)).content.decode()
        steps = re.search(r'<ol class="steps"[^>]*>.*?</ol>', body, flags=re.S).group(0)
        assert re.findall(r"</span>([^<]+)</li>", steps) == ["填写信息", "确认信息", "完成"]
        assert 'aria-current="step"><span class="step-no">1</span>' in steps
        assert re.search(r'<input[^>]*name="amount"[^>]*data-capitals', body)
        assert "js/amount-capitals.js" in body and "<script>" not in body


# --- the live 大写 says what the server prints ----------------------------------------------------

AMOUNTS = ["0.01", "0.10", "1.00", "10.50", "100.07", "1680.32", "10000.00", "10050.00",
           "107000.53", "1000000.00", "100000001.00", "123456789012.34", "999999999999.99",
           "60000.00", "20030.40", "1004.00"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_typing_capitals_match_the_servers():
    script = Path(django_settings.BASE_DIR) / "static" / "js" / "amount-capitals.js"
    runner = (
        "global.window = {}; global.document = {addEventListener: function () {}};"
        f"require({json.dumps(str(script))});"
        "const input = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(input.map(c => window.ebankAmountCapitals(c))));")
    cents = [int(Decimal(a) * 100) for a in AMOUNTS]
    out = subprocess.run(["node", "-e", runner, json.dumps(cents)], check=True,
                         capture_output=True, text=True).stdout
    assert json.loads(out) == [chinese_capitals(a) for a in AMOUNTS]


AMOUNT_INPUTS = {"amount", "single_limit", "daily_limit", "threshold"}


def test_every_amount_field_of_the_site_shows_its_capitals(client, inter):
    client.force_login(inter.zhang)
    for name in ("transfers:own", "transfers:intra", "transfers:inter", "security:limits",
                 "security:sms_service", "accounts:receipt_verify"):
        body = client.get(reverse(name)).content.decode()
        inputs = [tag for tag in re.findall(r"<input[^>]*>", body)
                  if re.search(r'name="([^"]+)"', tag).group(1) in AMOUNT_INPUTS]
        assert inputs, name
        assert all("data-capitals" in tag for tag in inputs), (name, inputs)
        assert "js/amount-capitals.js" in body, name


def test_the_other_confirmation_forms_start_the_step_bar_too(client, inter):
    client.force_login(inter.zhang)
    for name in ("security:limits", "security:core_phone"):
        body = client.get(reverse(name)).content.decode()
        assert 'aria-current="step"><span class="step-no">1</span>填写信息' in body, name


def test_back_keeps_the_limit_and_core_phone_forms_too(client, inter):
    client.force_login(inter.zhang)
    answer = client.post(reverse("security:limits"), {"single_limit": "3,000.00",
                                                      "daily_limit": "6000"})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    body = client.get(_back_link(client, answer["Location"])).content.decode()
    assert _value(body, "single_limit") == "3000.00" and _value(body, "daily_limit") == "6000.00"

    link = inter.zhang_customer.linked_media.order_by("position").first()
    answer = client.post(reverse("security:core_phone"), {"link": link.pk,
                                                          "new_phone": "13912345678"})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    body = client.get(_back_link(client, answer["Location"])).content.decode()
    assert _selected(body, "link") == str(link.pk) and _value(body, "new_phone") == "13912345678"
