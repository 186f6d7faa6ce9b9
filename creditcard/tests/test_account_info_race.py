"""信用卡信息维护 on PostgreSQL with real threads: two updates started from the same details and
confirmed at once — one is written, the other refused under the card lock (no lost update)."""

from datetime import datetime

import pytest
import time_machine

from creditcard.account.services import CHANGED_MEANWHILE, card_info_update_start
from creditcard.models import BillDelivery, Card
from ebank.core.audit import AuditEvent
from ebank.core.clock import SHANGHAI
from ebank.core.errors import BusinessError
from tests.concurrency.helpers import run_concurrently
from tests.customer_world import confirm, world_build

from .account_support import linked_card_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BASE = {"bill_delivery": BillDelivery.EBANK, "bill_email": "", "mailing_address": "",
        "postcode": "", "employer": "", "employer_phone": ""}


def test_two_updates_of_the_same_card_at_once_write_one_and_refuse_the_other(settings, tmp_path):
    with time_machine.travel(datetime(2026, 6, 10, 10, 0, tzinfo=SHANGHAI), tick=True):
        world = world_build(settings, tmp_path)
        card = linked_card_for(world.zhang_customer)
        operations = [
            card_info_update_start(user=world.zhang, card=card,
                                   values={**BASE, "employer": "合肥港务集团"}),
            card_info_update_start(user=world.zhang, card=card,
                                   values={**BASE, "mailing_address": "合肥市庐阳区",
                                           "postcode": "230031",
                                           "bill_delivery": BillDelivery.PAPER}),
        ]
        results = run_concurrently(lambda i: confirm(operations[i], user=world.zhang), 2)
    refused = [r for r in results if isinstance(r, BusinessError)]
    assert len(refused) == 1 and refused[0].message == CHANGED_MEANWHILE, results
    card = Card.objects.get(pk=card.pk)
    changed = (card.employer == "合肥港务集团", card.mailing_address == "合肥市庐阳区")
    assert sorted(changed) == [False, True]
    assert AuditEvent.objects.filter(action="creditcard.info_update").count() == 1
