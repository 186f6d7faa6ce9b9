"""The pages of 零存整取: 开户/续存 on the card, 零存整取存折续存, 支取 — refusals in Chinese on the
same page with what was typed kept, the confirmation reached, GET writes nothing, another
customer's deposit a 404 (or the service's refusal on a crafted POST)."""

import re
from datetime import date

import pytest
from django.urls import reverse

from deposits.instalment import services as svc
from security.models import PendingOperation

from .conftest import LOGIN_PASSWORD
from .test_fixed import at
from .test_instalment import (  # noqa: F401 — the rate fixture
    OPENED,
    _rates,
    open_on,
    open_on_passbook,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_zhang(client, world):
    client.login(username=world.zhang.username, password=LOGIN_PASSWORD)
    return client


def test_open_form_refusals_keep_what_was_typed(client_zhang, world):
    card = world.main(world.zhang_card)
    url = reverse("deposits:instalment")
    with at(OPENED):
        body = client_zhang.post(url, {"mode": "open", "from_sub_account": card.pk,
                                       "term_months": "12", "amount": "3"}).content.decode()
        assert svc.OPEN_NOTE_4 in body and 'value="3"' in body
        body = client_zhang.post(url, {"mode": "open", "from_sub_account": card.pk,
                                       "amount": "300"}).content.decode()
        assert "请选择存期" in body and 'value="300"' in body
        body = client_zhang.post(url, {"mode": "open",
                                       "from_sub_account": world.main(world.zhang_passbook).pk,
                                       "term_months": "36", "amount": "300"}).content.decode()
        assert svc.CARD_ONLY in body
        body = client_zhang.post(url, {"mode": "top_up", "from_sub_account": card.pk,
                                       "amount": "300"}).content.decode()
        assert "请选择零存整取账号" in body
    assert not PendingOperation.objects.exists()


def test_open_reaches_the_confirmation_and_back_keeps_the_form(client_zhang, world):
    card = world.main(world.zhang_card)
    with at(OPENED):
        response = client_zhang.post(reverse("deposits:instalment"), {
            "mode": "open", "from_sub_account": card.pk, "term_months": "36", "amount": "800"})
        operation = PendingOperation.objects.get()
        assert response.status_code == 302 and operation.public_id in response["Location"]
        page = client_zhang.get(response["Location"]).content.decode()
        assert "零存整取" in page and "三年" in page and "1.05%" in page and "800.00" in page
        back = client_zhang.get(reverse("deposits:instalment") + f"?from={operation.public_id}")
    assert 'value="800.00"' in back.content.decode()


def test_top_up_refused_for_a_wrong_amount_keeps_it(client_zhang, world):
    deposit = open_on(world)
    card = world.main(world.zhang_card)
    with at(date(2026, 4, 2)):
        page = client_zhang.get(reverse("deposits:instalment") + f"?deposit={deposit.pk}")
        assert page.status_code == 200 and "¥1,000.00" in page.content.decode()
        body = client_zhang.post(reverse("deposits:instalment"), {
            "mode": "top_up", "from_sub_account": card.pk, "deposit": deposit.pk,
            "amount": "900"}).content.decode()
        assert "须与每月存额¥1,000.00一致" in body and 'value="900"' in body
        response = client_zhang.post(reverse("deposits:instalment"), {
            "mode": "top_up", "from_sub_account": card.pk, "deposit": deposit.pk,
            "amount": "1000"})
    assert response.status_code == 302
    assert PendingOperation.objects.get().payload["deposit"] == deposit.pk


def test_book_top_up_page_lists_passbook_instalments_only(client_zhang, world):
    booked = open_on_passbook(world)
    on_card = open_on(world)
    with at(date(2026, 4, 2)):
        body = client_zhang.get(reverse("deposits:instalment_book")).content.decode()
        assert world.zhang_passbook.masked_number in body
        # The 零存整取 offered (the deposit's own select: ids of other selects may be equal).
        offered = re.search(r'<select name="deposit".*?</select>', body, re.S).group(0)
        assert f'value="{booked.pk}"' in offered and f'value="{on_card.pk}"' not in offered
        body = client_zhang.post(reverse("deposits:instalment_book"), {
            "deposit": on_card.pk, "from_sub_account": world.main(world.zhang_card).pk,
            "amount": "1000"}).content.decode()
        assert svc.NOT_ON_PASSBOOK in body and 'value="1000"' in body
        response = client_zhang.post(reverse("deposits:instalment_book"), {
            "deposit": booked.pk, "from_sub_account": world.main(world.zhang_card).pk,
            "amount": "200"})
    assert response.status_code == 302


def test_another_customers_instalment_is_a_404_or_refused(client_zhang, world):
    theirs = open_on(world, user=world.li, card=world.li_card, monthly="100")
    with at(date(2026, 4, 2)):
        for name in ("deposits:instalment", "deposits:instalment_book",
                     "deposits:instalment_withdraw"):
            assert client_zhang.get(reverse(name) + f"?deposit={theirs.pk}").status_code == 404
        body = client_zhang.post(reverse("deposits:instalment_withdraw"),
                                 {"deposit": theirs.pk}).content.decode()
        assert svc.DEPOSIT_UNKNOWN in body
        body = client_zhang.post(reverse("deposits:instalment"), {
            "mode": "top_up", "from_sub_account": world.main(world.zhang_card).pk,
            "deposit": theirs.pk, "amount": "100"}).content.decode()
        assert svc.DEPOSIT_UNKNOWN in body
    assert not PendingOperation.objects.exists()


def test_withdraw_page_lists_and_reaches_the_confirmation_with_the_warning(client_zhang, world):
    deposit = open_on(world)
    with at(date(2027, 2, 25)):
        client_zhang.login(username=world.zhang.username, password=LOGIN_PASSWORD)
        body = client_zhang.get(reverse("deposits:instalment_withdraw")).content.decode()
        assert "1/12期" in body and "2027-03-02" in body and "不能部分提前支取" in body
        assert not PendingOperation.objects.exists()  # GET writes nothing
        response = client_zhang.post(reverse("deposits:instalment_withdraw"),
                                     {"deposit": deposit.pk})
        assert response.status_code == 302
        page = client_zhang.get(response["Location"]).content.decode()
    assert "销户（提前全部支取）" in page and "距定期到期日不足10日" in page
