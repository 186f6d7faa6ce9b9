"""The statement budget of 个人贷款查询's list (as accounts/tests/test_query_budget.py): on top
of the middleware's floor (the session with the user and the customer), one statement for every
借据 with its next period — however many 借据 there are — and one for the applications' count."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from .support import application_approved, loan_drawn, shanghai

pytestmark = pytest.mark.django_db

FLOOR_MAX = 1
FLOOR_TABLES = ('"security_usersession"', '"security_user"')


def _own_budget() -> int:
    return 2


def _own(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries
            if not any(table in query["sql"] for table in FLOOR_TABLES)]


def _draw(world, on):
    application = application_approved(user=world.zhang, account=world.main(world.zhang_card),
                                       product=world.product, amount="20000.00")
    return loan_drawn(application=application, on=on)


def test_the_list_reads_every_iou_in_one_statement(client, world,
                                                   django_assert_max_num_queries):
    _draw(world, date(2026, 1, 21))
    with time_machine.travel(shanghai(date(2026, 2, 1)), tick=False):
        client.force_login(world.zhang)
        url = reverse("loans:list")
        for count in (1, 4):
            while len(world.zhang_customer.loans.all()) < count:
                _draw(world, date(2026, 1, 21))
            client.get(url)   # the session and caches warm
            with django_assert_max_num_queries(FLOOR_MAX + _own_budget()) as captured:
                response = client.get(url)
            assert response.status_code == 200
            assert len(_own(captured)) == _own_budget(), _own(captured)
            assert response.content.decode().count('class="mono"') == count
