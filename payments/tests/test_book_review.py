"""Review of PAY-BOOK (h-book): numbers a customer really has that the 登记簿 refused, and a
修改 racing a 删除."""

import threading

import pytest
from django.db import connection, transaction
from django.http import Http404
from django.urls import reverse

from accounts.models import Customer
from payments.book.services import book_entry_add, book_entry_change
from payments.models import BillBookEntry
from payments.numbers import customer_no_label, customer_no_normalise
from tests.customer_world import world as world  # noqa: F401 - fixture


@pytest.mark.parametrize(("kind", "typed", "stored"), [
    # 中国电信 and 中国联通 sell fixed lines too: their 话费 is paid by 电话号码 (as on the pay page).
    ("telecom", "0551-62881234", "055162881234"),
    ("unicom", "010-62881234", "01062881234"),
    # Typed with a Chinese input method in full-width mode.
    ("mobile", "１３９５５１１０００１", "13955110001"),
    ("power", "３４０１００１２３４", "3401001234"),
    ("tietong", "０５５１－６２８８１２３４", "055162881234"),
    # A mobile number written in groups.
    ("mobile", "139-5511-0001", "13955110001"),
    # A 户号 with dashes (the pay page takes it): kept as typed, so 12-30501 and 123-0501 stay two.
    ("heating", "12-3-0501", "12-3-0501"),
    ("water", "123-0501", "123-0501"),
])
def test_real_numbers_are_accepted(kind, typed, stored):
    assert customer_no_normalise(kind, typed) == stored


@pytest.mark.parametrize("typed", ["-12345", "12345-", "12--345", "12-3", "1" * 21,
                                   "-".join("1" * 17)])
def test_a_household_number_still_needs_5_to_20_digits_or_letters(typed):
    with pytest.raises(Exception, match="户号应为5至20位数字或字母"):
        customer_no_normalise("water", typed)


def test_telecom_and_unicom_numbers_are_called_telephone_numbers():
    assert customer_no_label("telecom") == customer_no_label("unicom") == "电话号码"
    assert customer_no_label("mobile") == "手机号码"


@pytest.mark.django_db
def test_a_telecom_fixed_line_is_saved_from_the_page(client, world):
    client.force_login(world.zhang)
    response = client.post(reverse("payments:book"), {
        "kind": "telecom", "customer_no": "0551-62881234", "alias": "家里座机"})
    assert response.status_code == 302
    assert BillBookEntry.objects.get().customer_no == "055162881234"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_modify_racing_a_delete_is_a_404_not_a_500(world):
    entry = book_entry_add(user=world.zhang, kind="power", customer_no="3401001234")
    deleted, done = threading.Event(), threading.Event()
    outcome = {}

    def other_tab_deletes():
        try:
            with transaction.atomic():
                # What 删除 does: the customer's row, then the entry (committed a moment later).
                Customer.objects.select_for_update().filter(pk=world.zhang_customer.pk).get()
                BillBookEntry.objects.filter(pk=entry.pk).delete()
                deleted.set()
                done.wait(1.5)  # 修改 starts while the delete is not committed yet
        finally:
            connection.close()

    def modify():
        deleted.wait(5)
        try:
            book_entry_change(user=world.zhang, pk=entry.pk, kind="power",
                              customer_no="3401009999")
        except Exception as exc:  # noqa: BLE001 - the outcome is what is asserted
            outcome["error"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=other_tab_deletes), threading.Thread(target=modify)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert isinstance(outcome.get("error"), Http404), outcome
    assert not BillBookEntry.objects.exists()


@pytest.mark.django_db
def test_the_hub_names_only_an_account_the_pay_page_can_preselect(client, world):
    # The pay pages offer the linked 活期主账户s (accounts.payers.payer_accounts), as the
    # 转账中转页 takes only a 活期主账户: a second 活期 sub-account would be announced as the
    # 缴费账户 and then silently not chosen.
    from datetime import date

    from accounts.models import SubAccountKind
    from accounts.services import sub_account_open

    second = sub_account_open(medium=world.zhang_card, kind=SubAccountKind.CURRENT,
                              opened_on=date(2025, 3, 18))
    client.force_login(world.zhang)
    body = client.get(f"{reverse('payments:index')}?account={second.pk}").content.decode()
    assert "缴费账户：" not in body and "所选账户不能用于缴费" in body
