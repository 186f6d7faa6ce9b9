"""The explicit SQL selectors of security (ebank.core.sql) give what their querysets give.

On PostgreSQL each selector runs its statement; these tests compare its objects with those of
the queryset it mirrors, field by field (deferred fields too) and related object by related
object, and count its statements. The ORM fallback (SQLite) is the queryset itself, run here by
telling the selector that SQL is not usable.
"""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from accounts.models import SubAccountKind
from accounts.services import funds_move
from security.center.testing import personas
from security.confirm import selectors as confirm_selectors
from security.confirm import services as confirm_services
from security.models import PendingOperation, SecurityTool, SmsSubscription, ToolStatus
from security.tools import alerts
from security.tools import services as tool_services
from tests.sql_parity import ran, same, sql_path_fixture
from transfers.models import TransferBusinessType

from . import test_confirm_support as support

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

bank, bank_ca, token, usbkey = support.bank, support.bank_ca, support.token, support.usbkey


path = sql_path_fixture(confirm_services, tool_services, alerts)


def test_sql_is_what_postgresql_runs():
    assert connection.vendor == "postgresql"


# --- the operation of the user -----------------------------------------------------------------


def test_the_operation_is_the_querysets_with_its_medium(bank, path):
    operation = bank.start_move()
    path.statements.clear()
    with CaptureQueriesContext(connection) as queries:
        found = confirm_selectors.operation_get_for_user(user=bank.zhang,
                                                         public_id=operation.public_id)
        medium_number = found.medium.number
    ran(queries, confirm_services._OPERATION_SQL, path)
    assert "FOR UPDATE" not in queries[0]["sql"]
    orm = confirm_services.operation_of_user(operation.public_id, bank.zhang.pk).get()
    same(found, orm)
    same(found.medium, orm.medium)
    assert medium_number == bank.zhang_card.number
    assert found.payload == orm.payload and isinstance(found.payload, dict)  # JSON decoded
    assert found.expires_at == orm.expires_at and found.expires_at.tzinfo is not None


def test_an_operation_without_a_medium_has_none(bank, path):
    operation = bank.start_move()
    PendingOperation.objects.filter(pk=operation.pk).update(medium=None)
    path.statements.clear()
    with CaptureQueriesContext(connection) as queries:
        found = confirm_services.operation_found(operation.public_id, bank.zhang.pk)
        assert found.medium is None
    assert len(queries) == 1
    same(found, confirm_services.operation_of_user(operation.public_id, bank.zhang.pk).get())


def test_another_users_or_an_unknown_operation_is_not_found(bank, path):
    operation = bank.start_move()
    assert confirm_services.operation_found(operation.public_id, bank.li.pk) is None
    assert confirm_services.operation_found("no-such-operation", bank.zhang.pk) is None
    with pytest.raises(confirm_selectors.Http404):
        confirm_selectors.operation_get_for_user(user=bank.li, public_id=operation.public_id)
    with transaction.atomic():
        assert confirm_services.operation_found(operation.public_id, bank.li.pk,
                                                locked=True) is None


def test_the_locked_read_locks_the_operation_only_and_is_the_querysets(bank, path):
    operation = bank.start_move()
    path.statements.clear()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        found = confirm_services.operation_found(operation.public_id, bank.zhang.pk, locked=True)
        assert found.medium.number == bank.zhang_card.number
    ran(queries, confirm_services._OPERATION_LOCKED_SQL, path)
    sql = queries[0]["sql"]
    assert "FOR UPDATE OF" in sql and "accounts_medium" not in sql.split("FOR UPDATE OF")[1]
    orm = confirm_services.operation_of_user(operation.public_id, bank.zhang.pk).get()
    same(found, orm)
    same(found.medium, orm.medium)


@pytest.mark.django_db(transaction=True)  # autocommit, as outside any atomic block
def test_the_locked_read_is_refused_outside_a_transaction(bank, path):
    operation = bank.start_move()
    with pytest.raises(TransactionManagementError):
        confirm_services.operation_found(operation.public_id, bank.zhang.pk, locked=True)


# --- the live tools ----------------------------------------------------------------------------


@pytest.mark.parametrize("full", [False, True])
def test_the_live_tools_are_the_querysets(bank, token, usbkey, full, path):
    cancelled = tool_services.token_issue(user=bank.li, branch=bank.zhang_customer.branch)
    SecurityTool.objects.filter(pk=cancelled.pk).update(status=ToolStatus.CANCELLED)
    token.status = ToolStatus.LOCKED
    token.save(update_fields=["status"])
    path.statements.clear()
    with CaptureQueriesContext(connection) as queries:
        live = tool_services.tools_live(user=bank.zhang, full=full)
    ran(queries, tool_services._TOOLS_LIVE_FULL_SQL if full else tool_services._TOOLS_LIVE_SQL,
         path)
    orm = list(tool_services._tools_live_queryset(bank.zhang.pk, full=full))
    assert [tool.pk for tool in live.values()] == [tool.pk for tool in orm]  # by id
    assert set(live) == {token.kind, usbkey.kind}  # a locked tool is live too
    for tool in orm:
        same(live[tool.kind], tool)
    assert bool(live[usbkey.kind].get_deferred_fields()) is not full
    assert tool_services.tools_live(user=bank.li, full=full) == {}  # only a cancelled one


# --- an entry's SMS subscriptions --------------------------------------------------------------


def _main(customer, index=0):
    medium = customer.media.order_by("id")[index]
    return medium, medium.sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN)


def _move(debit, credit, key):
    return funds_move(debit_ledger_id=debit.ledger_account_id,
                      credit_ledger_id=credit.ledger_account_id, amount=Decimal("1.00"),
                      idempotency_key=key, business_type=TransferBusinessType.INTRA_TRANSFER,
                      reference=key)


def test_an_entrys_subscriptions_are_the_querysets_with_account_and_medium(path):
    people = personas()
    alice, bob = people["alice"], people["bob"]
    _card, alice_main = _main(alice.customer)
    _card, bob_main = _main(bob.customer)
    _passbook, alice_other = _main(alice.customer, 1)
    mine = SmsSubscription.objects.create(user=alice, sub_account=alice_main,
                                          threshold="1.00", phone="13811112222")
    theirs = SmsSubscription.objects.create(user=bob, sub_account=bob_main,
                                            threshold="5.00", phone="13911112222")
    SmsSubscription.objects.create(user=alice, sub_account=alice_other, threshold="1.00",
                                   phone="13811113333")  # not on the entry's accounts
    SmsSubscription.objects.create(user=bob, sub_account=bob_main, threshold="1.00",
                                   phone="13911113333", active=False)
    entry = _move(alice_main, bob_main, "test:sql-subscriptions")
    path.statements.clear()
    with CaptureQueriesContext(connection) as queries:
        found = alerts._entry_subscriptions(entry.entry_id)
        numbers = [s.sub_account.medium.number for s in found]
    ran(queries, alerts._ENTRY_SUBSCRIPTIONS_SQL, path)
    orm = list(alerts._entry_subscriptions_queryset(entry.entry_id))
    assert [s.pk for s in found] == [s.pk for s in orm] == sorted([mine.pk, theirs.pk])
    for sql_row, orm_row in zip(found, orm, strict=True):
        same(sql_row, orm_row)
        same(sql_row.sub_account, orm_row.sub_account)
        same(sql_row.sub_account.medium, orm_row.sub_account.medium)
        assert isinstance(sql_row.threshold, Decimal)
    assert numbers == [s.sub_account.medium.number for s in orm]
    # Once no subscription on the entry's accounts is active, and for an unknown entry: none.
    SmsSubscription.objects.filter(pk__in=[mine.pk, theirs.pk]).update(active=False)
    assert alerts._entry_subscriptions(entry.entry_id) == []
    assert alerts._entry_subscriptions(10**12) == []
