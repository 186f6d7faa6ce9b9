"""关联账户互转 (TRF-OWN): the manual's four notes, by name; no limit taken; exactly once."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import MediumStatus, SubAccountKind
from accounts.services import sub_account_open
from ebank.core.errors import BusinessError
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.ledger.models import BusinessType, Entry
from ebank.ledger.services import Leg, entry_post
from ebank.limits.models import DailyLimitUsage
from security.models import OperationStatus
from tests import customer_world as support
from tests.customer_world import balance, confirm, entries
from transfers.models import Transfer, TransferBusinessType, TransferKind, TransferStatus
from transfers.services import own_intra
from transfers.services.own_intra import (
    OWN_NOTE_1,
    OWN_NOTE_2,
    OWN_NOTE_3_PAYEE_MAIN,
    OWN_NOTE_3_SAME_MEDIUM,
    own_transfer_start,
)

pytestmark = pytest.mark.django_db
world = support.world


def second_current(medium, amount=Decimal("300.00")):
    """Another 活期 sub-account on the medium, funded from the bank's cash book."""
    sub = sub_account_open(medium=medium, kind=SubAccountKind.CURRENT, opened_on=date(2025, 3, 18))
    entry_post(idempotency_key=f"test:fund:{sub.pk}", business_type=BusinessType.CASH_DEPOSIT,
               reference="test", legs=[Leg.debit(bank_book_id(BankBook.CASH), amount),
                                       Leg.credit(sub.ledger_account_id, amount)])
    return sub


def start(world, payer, payee, amount="100.00", user=None):
    return own_transfer_start(user=user or world.zhang, from_sub_account_id=payer.pk,
                              to_sub_account_id=payee.pk, amount=Decimal(amount))


def test_a_card_to_a_passbook_moves_money_once_and_records_the_transfer(world):
    card, book = world.main(world.zhang_card), world.main(world.zhang_passbook)
    operation = confirm(start(world, card, book, "1000.00"), user=world.zhang)
    assert operation.status == OperationStatus.EXECUTED
    assert balance(card) == Decimal("79000.00") and balance(book) == Decimal("13345.67")
    transfer = Transfer.objects.get(operation=operation)
    assert transfer.kind == TransferKind.OWN and transfer.status == TransferStatus.SUCCEEDED
    entry = Entry.objects.get(pk=transfer.entry_id)
    assert entry.business_type == TransferBusinessType.OWN_TRANSFER
    assert entry.idempotency_key == operation.idempotency_key


def test_note_1_only_debit_cards_current_passbooks_and_onebooks(world):
    fixed = world.zhang_fixed_book.sub_accounts.get(kind=SubAccountKind.FIXED_LUMP_SUM)
    card = world.main(world.zhang_card)
    for payer, payee in ((fixed, card), (card, fixed)):
        with pytest.raises(BusinessError, match=OWN_NOTE_1):
            start(world, payer, payee)


def test_note_2_payee_and_payer_may_not_be_the_same(world):
    card = world.main(world.zhang_card)
    with pytest.raises(BusinessError, match=OWN_NOTE_2):
        start(world, card, card)


def test_note_3_a_current_sub_account_is_never_a_payee(world):
    sub = second_current(world.zhang_card)
    with pytest.raises(BusinessError, match=OWN_NOTE_3_PAYEE_MAIN):
        start(world, world.main(world.zhang_passbook), sub)


def test_note_3_a_current_sub_account_pays_only_into_its_own_main_account(world):
    sub = second_current(world.zhang_card)
    with pytest.raises(BusinessError, match=OWN_NOTE_3_SAME_MEDIUM):
        start(world, sub, world.main(world.zhang_passbook))
    operation = confirm(start(world, sub, world.main(world.zhang_card), "300.00"),
                        user=world.zhang)
    assert operation.status == OperationStatus.EXECUTED
    assert balance(sub) == Decimal("0.00")


def test_note_4_the_payer_may_be_left_with_a_zero_balance(world):
    book = world.main(world.zhang_passbook)
    operation = confirm(start(world, book, world.main(world.zhang_card), "12345.67"),
                        user=world.zhang)
    assert operation.status == OperationStatus.EXECUTED
    assert balance(book) == Decimal("0.00")


def test_more_than_the_balance_is_refused_on_submit(world):
    with pytest.raises(BusinessError, match="账户余额不足"):
        start(world, world.main(world.zhang_passbook), world.main(world.zhang_card), "12345.68")


def test_own_moves_take_no_daily_limit_even_above_the_tool_less_cap(world):
    # 李娜 has no tool: an external transfer is capped at ¥5,000.00 a day, an own move is not.
    card, onebook = world.main(world.li_card), world.main(world.li_onebook)
    operation = confirm(start(world, card, onebook, "15000.00", user=world.li), user=world.li)
    assert operation.status == OperationStatus.EXECUTED
    assert balance(onebook) == Decimal("20000.00")
    assert not DailyLimitUsage.objects.filter(customer_id=world.li_customer.pk).exists()


def test_another_customers_account_is_not_offered_and_refused(world):
    with pytest.raises(BusinessError, match="账户不存在"):
        start(world, world.main(world.zhang_card), world.main(world.li_card))


def test_a_payee_account_reported_lost_is_refused(world):
    world.zhang_passbook.status = MediumStatus.ORAL_LOSS
    world.zhang_passbook.save(update_fields=["status"])
    with pytest.raises(BusinessError, match="转入账户已口头挂失"):
        start(world, world.main(world.zhang_card), world.main(world.zhang_passbook))


def test_the_accounts_are_checked_again_at_confirmation(world):
    operation = start(world, world.main(world.zhang_card), world.main(world.zhang_passbook))
    world.zhang_passbook.status = MediumStatus.FROZEN
    world.zhang_passbook.save(update_fields=["status"])
    before = entries()
    with pytest.raises(BusinessError, match="转入账户已冻结"):
        confirm(operation, user=world.zhang)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.FAILED and entries() == before
    assert not Transfer.objects.exists()


def test_a_double_clicked_confirm_posts_once(world):
    operation = start(world, world.main(world.zhang_card), world.main(world.zhang_passbook))
    confirm(operation, user=world.zhang)
    before = entries()
    again = confirm(operation, user=world.zhang)
    assert again.status == OperationStatus.EXECUTED and entries() == before
    assert Transfer.objects.count() == 1
    assert balance(world.zhang_card) == Decimal("79900.00")


def test_the_page_offers_sub_accounts_and_starts_the_confirmation(client, world):
    client.force_login(world.zhang)
    response = client.get(reverse("transfers:own"))
    body = response.content.decode()
    assert response.status_code == 200 and "关联账户互转" in body
    assert "转出账户允许零余额" in body and world.zhang_card.number not in body
    response = client.post(reverse("transfers:own"), {
        "from_sub_account": world.main(world.zhang_card).pk,
        "to_sub_account": world.main(world.zhang_passbook).pk, "amount": "¥1,000.00",
        "purpose": "生活费"})
    assert response.status_code == 302 and "/confirm/" in response["Location"]
    body = client.get(response["Location"]).content.decode()
    assert "¥1,000.00" in body and "壹仟元整" in body


def test_the_page_shows_the_note_and_keeps_what_was_typed(client, world):
    client.force_login(world.zhang)
    card = world.main(world.zhang_card)
    response = client.post(reverse("transfers:own"), {
        "from_sub_account": card.pk, "to_sub_account": card.pk, "amount": "88.00"})
    body = response.content.decode()
    assert response.status_code == 200 and OWN_NOTE_2 in body and 'value="88.00"' in body


def test_the_executor_is_registered_as_the_manual_asks():
    from security.confirm.registry import operation_kind_get

    spec = operation_kind_get(own_intra.KIND_OWN)
    assert spec.requires_pin and not spec.requires_tool and spec.sms_allowed
