"""The compiled payer and payee lookups (ebank.core.compiled) give what their querysets give."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from transfers.selectors import _LINKED_SUB_ACCOUNT, linked_sub_account_get
from transfers.services.payees import _PAYEE_ACCOUNT, intra_payee_account

from . import test_own_intra_support as support

pytestmark = pytest.mark.django_db
world = support.world


def _loaded(obj) -> dict:
    """Every field the object holds (deferred ones are not read: that would be a query)."""
    deferred = obj.get_deferred_fields()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields
            if f.attname not in deferred}


def _same(compiled, orm):
    assert type(compiled) is type(orm) and compiled.pk == orm.pk
    assert _loaded(compiled) == _loaded(orm)
    assert compiled.get_deferred_fields() == orm.get_deferred_fields()


def test_the_payer_lookup_is_compiled_and_gives_the_querysets_objects(world):
    sub = world.main(world.zhang_card)
    with CaptureQueriesContext(connection) as queries:
        found = linked_sub_account_get(customer=world.zhang_customer, sub_account_id=sub.pk)
        label = (found.medium.number, found.medium.link.alias, found.medium.branch.name,
                 found.ledger_account.balance)
    assert len(queries) == 1
    assert _LINKED_SUB_ACCOUNT._compiled[connection.alias] is not None  # not the fallback
    orm = _LINKED_SUB_ACCOUNT.build(sub.pk, world.zhang_customer.pk).get()
    _same(found, orm)
    for path in ("medium", "ledger_account"):
        _same(getattr(found, path), getattr(orm, path))
    _same(found.medium.link, orm.medium.link)
    _same(found.medium.branch, orm.medium.branch)
    assert label[0] == world.zhang_card.number
    # another customer's, unknown and malformed ids: nothing
    assert linked_sub_account_get(customer=world.li_customer, sub_account_id=sub.pk) is None
    assert linked_sub_account_get(customer=world.zhang_customer, sub_account_id=10**12) is None
    assert linked_sub_account_get(customer=world.zhang_customer, sub_account_id="x") is None


def test_the_payee_lookup_is_compiled_and_gives_the_querysets_objects(world):
    name = world.li_customer.name
    with CaptureQueriesContext(connection) as queries:
        payee = intra_payee_account(account_number=world.li_card.number, name=name)
        holder = payee.medium.customer.name
    assert len(queries) == 1 and holder == name
    assert _PAYEE_ACCOUNT._compiled[connection.alias] is not None
    orm = _PAYEE_ACCOUNT.build(world.li_card.number, "current_main", "open").get()
    _same(payee, orm)
    _same(payee.medium, orm.medium)
    _same(payee.medium.customer, orm.medium.customer)
    _same(payee.medium.branch, orm.medium.branch)
