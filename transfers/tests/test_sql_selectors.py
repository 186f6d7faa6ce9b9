"""The payer's and the payee's account, read as explicit SQL (ebank.core.sql), are the querysets'.

On PostgreSQL each selector runs its statement; these tests compare its objects with those of
the queryset it mirrors, field by field (deferred fields too) and related object by related
object, and count its statements. The ORM fallback (SQLite) is the queryset itself, run here by
telling the selector that SQL is not usable.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import SubAccountStatus
from ebank.core.errors import BusinessError
from tests import customer_world as support
from tests.sql_parity import ran, same, sql_path_fixture
from transfers import selectors
from transfers.services import payees

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
world = support.world


path = sql_path_fixture(selectors, payees)


def test_sql_is_what_postgresql_runs():
    assert connection.vendor == "postgresql"


@pytest.mark.parametrize("medium", ["zhang_card", "zhang_passbook"])
def test_the_linked_sub_account_is_the_querysets(world, path, medium):
    sub = world.main(getattr(world, medium))
    path.statements.clear()
    with CaptureQueriesContext(connection) as queries:
        found = selectors.linked_sub_account_get(customer=world.zhang_customer,
                                                 sub_account_id=sub.pk)
        shown = (found.medium.number, found.medium.link.alias, found.medium.branch.name,
                 found.ledger_account.balance, found.ledger_account.held,
                 found.medium.link.medium is found.medium,
                 found.ledger_account.sub_account is found)
    ran(queries, selectors._LINKED_SUB_ACCOUNT_SQL, path)
    orm = selectors._linked_sub_account_queryset(sub.pk, world.zhang_customer.pk).get()
    same(found, orm)
    same(found.medium, orm.medium)
    same(found.medium.branch, orm.medium.branch)
    same(found.ledger_account, orm.ledger_account)
    # Assigning the link (the reverse one-to-one) also sets its medium_id: the ORM's leaves it
    # deferred. Both have the link's medium cached.
    same(found.medium.link, orm.medium.link, also_loaded=frozenset({"medium_id"}))
    if path == "sql":
        assert found.medium.link.medium_id == found.medium.pk
    assert shown == (getattr(world, medium).number, orm.medium.link.alias,
                     orm.medium.branch.name, orm.ledger_account.balance,
                     orm.ledger_account.held, True, True)


def test_a_sub_account_not_on_the_customers_linked_media_is_none(world, path):
    sub = world.main(world.zhang_card)
    assert selectors.linked_sub_account_get(customer=world.li_customer,
                                            sub_account_id=sub.pk) is None
    assert selectors.linked_sub_account_get(customer=world.zhang_customer,
                                            sub_account_id=10**12) is None
    assert selectors.linked_sub_account_get(customer=world.zhang_customer,
                                            sub_account_id="x") is None


@pytest.mark.parametrize("medium", ["li_card", "li_onebook"])
def test_the_payee_account_is_the_querysets(world, path, medium):
    number = getattr(world, medium).number
    path.statements.clear()
    with CaptureQueriesContext(connection) as queries:
        payee = payees._payee_account_found(number)
        shown = (payee.medium.customer.name, payee.medium.branch.name, payee.medium.branch.code)
    ran(queries, payees._PAYEE_ACCOUNT_SQL, path)
    orm = payees._payee_account_queryset(number).get()
    same(payee, orm)
    same(payee.medium, orm.medium)
    same(payee.medium.customer, orm.medium.customer)
    same(payee.medium.branch, orm.medium.branch)
    assert shown == (world.li_customer.name, orm.medium.branch.name, orm.medium.branch.code)
    # Through the service, with the checks, still one statement.
    path.statements.clear()
    with CaptureQueriesContext(connection) as queries:
        checked = payees.intra_payee_account(account_number=number, name=world.li_customer.name)
    assert len(queries) == 1 and checked.pk == orm.pk


def test_no_open_current_main_account_is_none(world, path):
    assert payees._payee_account_found("6200000000000000000") is None
    sub = world.main(world.li_card)
    type(sub).objects.filter(pk=sub.pk).update(status=SubAccountStatus.CLOSED)
    assert payees._payee_account_found(world.li_card.number) is None
    with pytest.raises(BusinessError) as refused:
        payees.intra_payee_account(account_number=world.li_card.number,
                                   name=world.li_customer.name)
    assert refused.value.code == "payee_no_current"
