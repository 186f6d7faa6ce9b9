"""ACC-LINK 关联账户管理: every 注意事项 of the manual as a test, and the pages around them."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.demo import demo_medium_number
from accounts.models import LinkedMedium, MediumKind, MediumStatus
from accounts.pages import services
from accounts.services import medium_open
from ebank.core.models import AuditEvent

from . import test_pages_support as support
from .test_pages_support import PIN, WRONG_PIN, audit_actions

pytestmark = pytest.mark.django_db

# Shared fixtures (pytest finds them by these module-level names).
alice_client = support.alice_client
bank = support.bank
LINKED = "/accounts/linked"
ADD = "/accounts/linked/add"
MOVE = "/accounts/linked/move"


def _new_medium(customer, kind=MediumKind.DEBIT_CARD, serial=90, status=MediumStatus.NORMAL):
    medium = medium_open(customer=customer, number=demo_medium_number("340101", serial),
                         kind=kind, pin=PIN, opened_on=date(2026, 1, 5))
    if status != MediumStatus.NORMAL:
        medium.status = status
        medium.save(update_fields=["status"])
    return medium


def _order(customer) -> list[int]:
    return list(LinkedMedium.objects.filter(customer=customer).order_by("position")
                .values_list("medium_id", flat=True))


def _positions(customer) -> list[int]:
    return list(LinkedMedium.objects.filter(customer=customer).order_by("position")
                .values_list("position", flat=True))


def _add(client, number, pin=PIN, alias=""):
    return client.post(ADD, {"number": number, "pin": pin, "alias": alias})


def test_url_names():
    assert reverse("accounts:linked") == LINKED
    assert reverse("accounts:link_add") == ADD
    assert reverse("accounts:linked_move") == MOVE
    assert reverse("accounts:unlink", args=[7]) == "/accounts/linked/7/delete"
    assert reverse("accounts:alias", args=[7]) == "/accounts/linked/7/alias"


def test_the_page_lists_the_links_in_order_with_the_notes(alice_client, bank):
    response = alice_client.get(LINKED)
    body = response.content.decode()
    assert response.status_code == 200
    assert "网银账户中必须保留一个活期账户。" in body and "上移" in body and "下移" in body
    names = ["张伟 定期一本通", "张伟 活期存折", "张伟 借记卡"]
    assert [body.index(n) for n in names] == sorted(body.index(n) for n in names)
    assert "js/accounts.js" in body and "data-confirm=" in body
    assert "<script>" not in body and "onclick" not in body


# --- 注意事项 1–8 -----------------------------------------------------------------------------------


def test_note_1_only_media_of_the_same_customer_can_be_added(alice_client, bank):
    other = bank.medium(bank.bob, MediumKind.DEBIT_CARD)
    LinkedMedium.objects.filter(medium=other).delete()
    before = (LinkedMedium.objects.count(), AuditEvent.objects.count())
    for number in (other.number, "6226790101999999990"):
        body = _add(alice_client, number).content.decode()
        assert "只能添加同一客户号下凭支付密码支取的银行账户。" in body
    assert (LinkedMedium.objects.count(), AuditEvent.objects.count()) == before
    other.refresh_from_db()
    assert other.pin_failures == 0  # a stranger's PIN is never tried


def test_note_2_only_passbooks_debit_cards_and_onebooks_can_be_added(alice_client, bank):
    credit = _new_medium(bank.alice.customer, kind=MediumKind.CREDIT_CARD, serial=91)
    body = _add(alice_client, credit.number).content.decode()
    assert "可关联的银行账户类型有活期存折、借记卡、活期一本通、定期一本通。" in body
    assert not LinkedMedium.objects.filter(medium=credit).exists()
    for serial, kind in ((92, MediumKind.CURRENT_PASSBOOK), (93, MediumKind.CURRENT_ONEBOOK),
                         (94, MediumKind.FIXED_ONEBOOK), (95, MediumKind.DEBIT_CARD)):
        medium = _new_medium(bank.alice.customer, kind=kind, serial=serial)
        assert _add(alice_client, medium.number).status_code == 302
        assert LinkedMedium.objects.filter(medium=medium).exists()


@pytest.mark.parametrize("status", [MediumStatus.ORAL_LOSS, MediumStatus.WRITTEN_LOSS,
                                    MediumStatus.FROZEN, MediumStatus.CLOSED])
def test_note_3_only_media_in_normal_status_can_be_added(alice_client, bank, status):
    medium = _new_medium(bank.alice.customer, status=status)
    body = _add(alice_client, medium.number).content.decode()
    assert "只能关联凭证状态为正常的介质，凭证挂失等状态的介质不允许关联。" in body
    assert not LinkedMedium.objects.filter(medium=medium).exists()


def test_note_4_one_account_moves_one_place_at_a_time(alice_client, bank):
    customer = bank.alice.customer
    first, second, third = _order(customer)
    links = {link.medium_id: link.pk for link in LinkedMedium.objects.filter(customer=customer)}
    body = alice_client.post(MOVE, {"link": [links[second], links[third]], "direction": "up"}
                             ).content.decode()
    assert "一次只能移动一个账户。" in body
    assert _order(customer) == [first, second, third]
    response = alice_client.post(MOVE, {"link": links[third], "direction": "up"})
    assert response.status_code == 302
    assert _order(customer) == [first, third, second]  # one place, not to the top
    alice_client.post(MOVE, {"link": links[first], "direction": "down"})
    assert _order(customer) == [third, first, second]
    assert _positions(customer) == [1, 2, 3]
    assert audit_actions(customer).count("account_move") == 2


def test_note_4_moving_past_the_ends_is_refused(alice_client, bank):
    customer = bank.alice.customer
    links = {link.medium_id: link.pk for link in LinkedMedium.objects.filter(customer=customer)}
    first, _second, last = _order(customer)
    assert "已在第一位" in alice_client.post(MOVE, {"link": links[first], "direction": "up"}
                                           ).content.decode()
    assert "已在最后一位" in alice_client.post(MOVE, {"link": links[last], "direction": "down"}
                                             ).content.decode()
    assert "请勾选要移动的账户" in alice_client.post(MOVE, {"direction": "up"}).content.decode()


def test_note_5_the_default_order_is_the_reverse_of_linking(alice_client, bank):
    customer = bank.alice.customer
    before = _order(customer)
    one = _new_medium(customer, serial=96)
    two = _new_medium(customer, kind=MediumKind.CURRENT_PASSBOOK, serial=97)
    _add(alice_client, one.number)
    _add(alice_client, two.number)
    assert _order(customer) == [two.pk, one.pk, *before]
    assert _positions(customer) == [1, 2, 3, 4, 5]


def test_note_6_one_current_account_must_stay(alice_client, bank):
    customer = bank.alice.customer
    card = bank.link(bank.alice, MediumKind.DEBIT_CARD)
    passbook = bank.link(bank.alice, MediumKind.CURRENT_PASSBOOK)
    fixed = bank.link(bank.alice, MediumKind.FIXED_ONEBOOK)
    # The 定期一本通 holds no 活期 account: it can go.
    alice_client.post(reverse("accounts:unlink", args=[fixed.pk]), {"confirmed": "1"})
    alice_client.post(reverse("accounts:unlink", args=[passbook.pk]), {"confirmed": "1"})
    assert list(LinkedMedium.objects.filter(customer=customer)) == [card]
    body = alice_client.post(reverse("accounts:unlink", args=[card.pk]), {"confirmed": "1"}
                             ).content.decode()
    assert "网银账户中必须保留一个活期账户。" in body
    assert LinkedMedium.objects.filter(pk=card.pk).exists()
    assert audit_actions(customer).count("account_unlink") == 2


def test_note_6_even_with_a_fixed_onebook_left_the_last_current_account_stays(bank):
    customer = bank.alice.customer
    services.linked_medium_unlink(customer=customer,
                                  link_id=bank.link(bank.alice, MediumKind.CURRENT_PASSBOOK).pk)
    with pytest.raises(services.LinkRefused, match="网银账户中必须保留一个活期账户"):
        services.linked_medium_unlink(customer=customer,
                                      link_id=bank.link(bank.alice, MediumKind.DEBIT_CARD).pk)


def test_note_7_without_an_alias_the_account_name_is_shown(alice_client, bank):
    medium = _new_medium(bank.alice.customer, kind=MediumKind.CURRENT_ONEBOOK, serial=98)
    _add(alice_client, medium.number)
    link = LinkedMedium.objects.get(medium=medium)
    assert link.alias == ""
    assert "张伟 活期一本通" in alice_client.get(LINKED).content.decode()
    assert "张伟 活期一本通" in alice_client.get(reverse("accounts:overview")).content.decode()


def test_note_8_an_alias_once_set_is_shown_everywhere(alice_client, bank):
    link = bank.link(bank.alice, MediumKind.CURRENT_PASSBOOK)
    response = alice_client.post(reverse("accounts:alias", args=[link.pk]), {"alias": "买菜存折"})
    assert response.status_code == 302
    main = bank.main(bank.alice, MediumKind.CURRENT_PASSBOOK)
    pages = [LINKED, reverse("accounts:overview"), reverse("accounts:detail", args=[link.pk]),
             reverse("accounts:history"), f"{reverse('accounts:history')}?account={main.pk}",
             reverse("accounts:loss")]
    for url in pages:
        body = alice_client.get(url).content.decode()
        assert "买菜存折" in body, url
        assert "张伟 活期存折" not in body, url


def test_alias_set_on_linking_and_cleared_back_to_the_name(alice_client, bank):
    medium = _new_medium(bank.alice.customer, serial=99)
    _add(alice_client, medium.number, alias="  旅行卡 ")
    link = LinkedMedium.objects.get(medium=medium)
    assert link.alias == "旅行卡"
    alice_client.post(reverse("accounts:alias", args=[link.pk]), {"alias": ""})
    link.refresh_from_db()
    assert link.alias == ""
    body = alice_client.post(reverse("accounts:alias", args=[link.pk]), {"alias": "长" * 31}
                             ).content.decode()
    assert "账户别名最多30个字符" in body and "长" * 31 in body
    assert audit_actions(bank.alice.customer).count("account_alias") == 1


# --- adding: PIN, duplicates, audit ------------------------------------------------------------


def test_adding_checks_the_pin_and_counts_a_wrong_one(alice_client, bank):
    medium = _new_medium(bank.alice.customer, serial=89)
    body = _add(alice_client, medium.number, pin=WRONG_PIN, alias="新卡").content.decode()
    assert "交易密码错误" in body
    assert medium.number in body  # what was typed is kept (the customer's own number)
    assert WRONG_PIN not in body  # never the PIN
    medium.refresh_from_db()
    assert medium.pin_failures == 1
    assert not LinkedMedium.objects.filter(medium=medium).exists()
    assert "account_link" not in audit_actions(bank.alice.customer)
    assert _add(alice_client, medium.number).status_code == 302
    assert audit_actions(bank.alice.customer)[-1] == "account_link"
    event = AuditEvent.objects.filter(action="account_link").get()
    assert medium.number not in str(event.detail) and event.actor_id == bank.alice.pk


def test_an_already_linked_medium_is_not_added_twice(alice_client, bank):
    card = bank.medium(bank.alice, MediumKind.DEBIT_CARD)
    assert "该账户已关联网银" in _add(alice_client, card.number).content.decode()
    assert LinkedMedium.objects.filter(customer=bank.alice.customer).count() == 3


def test_bad_input_is_refused_on_the_page(alice_client, bank):
    body = _add(alice_client, "12ab", pin="12").content.decode()
    assert "卡号/账号应为10至19位数字" in body and "交易密码应为6位数字" in body


# --- deleting ---------------------------------------------------------------------------------


def test_delete_without_confirmation_shows_the_confirmation_page(alice_client, bank):
    link = bank.link(bank.alice, MediumKind.CURRENT_PASSBOOK)
    url = reverse("accounts:unlink", args=[link.pk])
    for response in (alice_client.get(url), alice_client.post(url)):
        body = response.content.decode()
        assert response.status_code == 200 and "确定解除以下账户" in body
        assert 'name="confirmed" value="1"' in body
    assert LinkedMedium.objects.filter(pk=link.pk).exists()
    response = alice_client.post(url, {"confirmed": "1"})
    assert response.status_code == 302
    assert not LinkedMedium.objects.filter(pk=link.pk).exists()
    assert _positions(bank.alice.customer) == [1, 2]
    event = AuditEvent.objects.get(action="account_unlink")
    assert event.customer_id == bank.alice.customer.pk and event.outcome == "success"


# --- another customer's objects ----------------------------------------------------------------


def test_another_customers_link_is_404_and_nothing_is_written(alice_client, bank):
    other = bank.link(bank.bob, MediumKind.DEBIT_CARD)
    snapshot = (list(LinkedMedium.objects.order_by("pk").values_list("pk", "position", "alias")),
                AuditEvent.objects.count())
    for url in (reverse("accounts:unlink", args=[other.pk]),
                reverse("accounts:alias", args=[other.pk])):
        assert alice_client.get(url).status_code == 404
        assert alice_client.post(url, {"confirmed": "1", "alias": "x"}).status_code == 404
    assert alice_client.post(MOVE, {"link": other.pk, "direction": "down"}).status_code == 404
    assert (list(LinkedMedium.objects.order_by("pk").values_list("pk", "position", "alias")),
            AuditEvent.objects.count()) == snapshot
