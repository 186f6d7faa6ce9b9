"""缴费登记簿 races (real threads on PostgreSQL): the same number added at once → one entry and
clear refusals; adds at once into the last free place → the cap holds."""

import pytest

from payments.book.services import BOOK_MAX, BookDuplicate, BookFull, book_entry_add
from payments.models import BillBookEntry, BillKind
from tests import customer_world as support
from tests.concurrency.helpers import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
world = support.world


@pytest.mark.parametrize("racers", [2, 4])
def test_the_same_number_added_at_once_is_saved_once(world, racers):
    results = run_concurrently(
        lambda i: book_entry_add(user=world.zhang, kind="power", customer_no="3401001234",
                                 alias=f"第{i}个"), racers)
    saved = [r for r in results if isinstance(r, BillBookEntry)]
    refused = [r for r in results if isinstance(r, BookDuplicate)]
    assert (len(saved), len(refused)) == (1, racers - 1), results
    assert BillBookEntry.objects.count() == 1


def test_adds_at_once_into_the_last_place_keep_the_cap(world):
    BillBookEntry.objects.bulk_create([
        BillBookEntry(customer=world.zhang_customer, kind=BillKind.WATER,
                      customer_no=f"{100000 + i}") for i in range(BOOK_MAX - 1)])
    results = run_concurrently(
        lambda i: book_entry_add(user=world.zhang, kind="gas", customer_no=f"{500000 + i}"), 3)
    saved = [r for r in results if isinstance(r, BillBookEntry)]
    refused = [r for r in results if isinstance(r, BookFull)]
    assert (len(saved), len(refused)) == (1, 2), results
    assert BillBookEntry.objects.filter(customer=world.zhang_customer).count() == BOOK_MAX
