"""Two drawdowns of one approval confirmed at once (two sessions, PostgreSQL, real threads): the
second waits for the application's lock and sees what the first drew, so no more than the
approval is ever drawn."""

import contextlib
import threading
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from ebank.core.errors import BusinessError
from loans.draw import services
from loans.models import Loan
from security.models import OperationStatus
from tests.concurrency.helpers import run_concurrently
from tests.customer_world import confirm

from .support import application_approved, shanghai

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_draws_at_once_never_exceed_the_approval(world, monkeypatch):
    approval = application_approved(user=world.zhang, account=world.main(world.zhang_card),
                                    product=world.product)
    both_checked = threading.Barrier(2)
    real_preview = services.iou_preview

    def preview_after_both_checked(**kwargs):
        # without the application's lock both threads pass the checks and meet here
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait(timeout=3)
        return real_preview(**kwargs)

    with time_machine.travel(shanghai(date(2026, 1, 21)), tick=False):
        operations = [services.draw_start(user=world.zhang, application=approval,
                                          amount=Decimal("60000.00")) for _ in range(2)]
        monkeypatch.setattr(services, "iou_preview", preview_after_both_checked)
        results = run_concurrently(lambda i: confirm(operations[i], user=world.zhang), 2)
    refused = [r for r in results if isinstance(r, BusinessError)]
    done = [r for r in results if not isinstance(r, BaseException)]
    assert len(refused) == 1 and "可发放金额¥40,000.00" in refused[0].message, results
    assert len(done) == 1 and done[0].status == OperationStatus.EXECUTED
    assert Loan.objects.count() == 1
    approval.refresh_from_db()
    assert approval.drawn_amount == Decimal("60000.00")
