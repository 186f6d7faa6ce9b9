"""零存宝's pages (the two tabs): the form → confirmation, refusals in the manual's words with
what was typed kept, another customer's account a 404, 账户总览 showing the facts."""

from datetime import date

import pytest
from django.urls import reverse

from deposits.lingcunbao import services
from security.models import PendingOperation

from .conftest import LOGIN_PASSWORD
from .test_fixed import at
from .test_lingcunbao import OPENED, card_of, lcb, open_lcb  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_zhang(client, lcb):  # noqa: F811
    client.login(username=lcb.zhang.username, password=LOGIN_PASSWORD)
    return client


def test_both_tabs_show_the_notes_and_the_accounts(client_zhang, lcb):  # noqa: F811
    with at(OPENED):
        open_lcb(lcb, amount="1500.00")
        deposit_tab = client_zhang.get(reverse("deposits:lcb_open")).content.decode()
        withdraw_tab = client_zhang.get(reverse("deposits:lcb_withdraw")).content.decode()
    for text in ("零存宝开户/续存", "零存宝支取", *services.NOTE_2.split("，"), services.NOTE_1,
                 services.NOTE_3, "新开立零存宝账户", "1,500.00", "2027-03-02", "已存笔数"):
        assert text in deposit_tab, text
    assert "1,500.00" in withdraw_tab and "全部支取并销户" in withdraw_tab


def test_open_goes_to_the_confirmation(client_zhang, lcb):  # noqa: F811
    with at(OPENED):
        response = client_zhang.post(reverse("deposits:lcb_open"), {
            "deposit": "", "from_sub_account": card_of(lcb).pk, "amount": "100"})
    operation = PendingOperation.objects.get()
    assert response.status_code == 302 and operation.kind == "deposits.lcb_open"
    assert operation.public_id in response["Location"]


def test_top_up_over_the_cap_is_refused_on_the_page_keeping_what_was_typed(client_zhang,
                                                                          lcb):  # noqa: F811
    with at(OPENED):
        deposit = open_lcb(lcb, amount="15000.00")
        response = client_zhang.post(reverse("deposits:lcb_open"), {
            "deposit": deposit.pk, "from_sub_account": card_of(lcb).pk, "amount": "5000.01"})
    body = response.content.decode()
    assert response.status_code == 200 and services.NOTE_3 in body
    assert "本月还可续存¥5,000.00" in body and 'value="5000.01"' in body
    assert not PendingOperation.objects.exists()


def test_opening_below_one_yuan_is_refused_with_note_2(client_zhang, lcb):  # noqa: F811
    with at(OPENED):
        response = client_zhang.post(reverse("deposits:lcb_open"), {
            "deposit": "", "from_sub_account": card_of(lcb).pk, "amount": "0.50"})
    assert response.status_code == 200 and services.NOTE_2 in response.content.decode()


def test_another_customers_lingcunbao_is_404_or_refused(client_zhang, lcb):  # noqa: F811
    with at(OPENED):
        theirs = open_lcb(lcb, user=lcb.li, key="li:open")
        for name in ("deposits:lcb_open", "deposits:lcb_withdraw"):
            assert client_zhang.get(reverse(name), {"deposit": theirs.pk}).status_code == 404
        response = client_zhang.post(reverse("deposits:lcb_withdraw"), {"deposit": theirs.pk})
        assert services.DEPOSIT_UNKNOWN in response.content.decode()
        response = client_zhang.post(reverse("deposits:lcb_open"), {
            "deposit": theirs.pk, "from_sub_account": card_of(lcb).pk, "amount": "10"})
        assert services.DEPOSIT_UNKNOWN in response.content.decode()
    assert not PendingOperation.objects.exists()


def test_withdraw_goes_to_the_confirmation_with_the_interest(client, lcb):  # noqa: F811
    with at(OPENED):
        deposit = open_lcb(lcb, amount="1000.00")
    with at(date(2027, 3, 2)):
        client.login(username=lcb.zhang.username, password=LOGIN_PASSWORD)
        response = client.post(reverse("deposits:lcb_withdraw"), {"deposit": deposit.pk})
        page = client.get(response["Location"]).content.decode()
    operation = PendingOperation.objects.get()
    assert response.status_code == 302 and operation.kind == "deposits.lcb_withdraw"
    assert "预计利息" in page and "¥9.63" in page  # 1,000 × 0.95 % / 360 × 365 = 9.6319…


def test_account_overview_shows_the_lingcunbao(client_zhang, lcb):  # noqa: F811
    with at(OPENED):
        open_lcb(lcb, amount="1000.00")
    with at(date(2026, 3, 20)):
        body = client_zhang.get(reverse("accounts:overview")).content.decode()
    for text in ("零存宝", "已存笔数", "1笔", "本月已存", "¥1,000.00", "利息（至今日）", "¥0.48"):
        assert text in body, text  # 1,000 × 0.95 % / 360 × 18 = 0.475 → 0.48
