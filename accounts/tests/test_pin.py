"""medium_pin_check: three wrong 交易密码 lock the medium for online use until the next day."""

import datetime

import pytest
import time_machine
from django.db import transaction

from accounts.demo import DEMO_PIN, seed_demo_bank
from accounts.models import Customer, Medium, MediumKind, MediumStatus
from accounts.pin import PIN_LOCKED_MESSAGE, medium_online_check, medium_pin_check
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from tests.committed import committed

NOON = datetime.datetime(2026, 11, 24, 4, 0, 0, tzinfo=datetime.UTC)  # 12:00 in Shanghai
LATE = datetime.datetime(2026, 11, 24, 15, 59, 0, tzinfo=datetime.UTC)  # 23:59 in Shanghai
WRONG = "999999"


@pytest.fixture
def card(db):
    seed_demo_bank()
    return Medium.objects.filter(kind=MediumKind.DEBIT_CARD).order_by("pk").first()


def stored(card) -> Medium:
    return Medium.objects.get(pk=card.pk)


@pytest.mark.django_db
class TestCount:
    def test_a_right_pin_passes_and_resets_the_count(self, card):
        with pytest.raises(BusinessError, match="您还可以输入2次"):
            medium_pin_check(medium=card, pin=WRONG)
        assert stored(card).pin_failures == 1 and card.pin_failures == 1
        medium_pin_check(medium=card, pin=DEMO_PIN)
        assert stored(card).pin_failures == 0

    def test_three_wrong_lock_for_the_business_day_and_the_next_day_clears_it(self, card):
        with time_machine.travel(NOON, tick=False):
            for remaining in (2, 1):
                with pytest.raises(BusinessError, match=f"交易密码错误，您还可以输入{remaining}次"):
                    medium_pin_check(medium=card, pin=WRONG)
            with pytest.raises(BusinessError, match=PIN_LOCKED_MESSAGE):
                medium_pin_check(medium=card, pin=WRONG)
        assert stored(card).pin_locked_on == datetime.date(2026, 11, 24)
        assert AuditEvent.objects.filter(action="medium.pin_locked").count() == 1
        # Still the same business day in Shanghai at 23:59: the right PIN is refused.
        with time_machine.travel(LATE, tick=False):
            with pytest.raises(BusinessError, match=PIN_LOCKED_MESSAGE):
                medium_pin_check(medium=card, pin=DEMO_PIN)
            with pytest.raises(BusinessError, match="今日网上交易已锁定"):
                medium_online_check(medium=stored(card))
        assert stored(card).pin_failures == 3  # refused while locked: not counted further
        with time_machine.travel(NOON + datetime.timedelta(days=1), tick=False):
            medium_online_check(medium=stored(card))
            medium_pin_check(medium=card, pin=DEMO_PIN)
        fresh = stored(card)
        assert fresh.pin_failures == 0 and fresh.pin_locked_on is None

    def test_a_new_day_starts_a_clean_count_even_after_a_wrong_pin(self, card):
        with time_machine.travel(NOON, tick=False):
            for _ in range(3):
                with pytest.raises(BusinessError):
                    medium_pin_check(medium=card, pin=WRONG)
        with (time_machine.travel(NOON + datetime.timedelta(days=1), tick=False),
              pytest.raises(BusinessError, match="您还可以输入2次")):
            medium_pin_check(medium=card, pin=WRONG)
        assert stored(card).pin_failures == 1 and stored(card).pin_locked_on is None

    @pytest.mark.parametrize("status, words", [
        (MediumStatus.ORAL_LOSS, "口头挂失"), (MediumStatus.WRITTEN_LOSS, "书面挂失"),
        (MediumStatus.FROZEN, "冻结"), (MediumStatus.CLOSED, "销户"),
    ])
    def test_a_medium_not_normal_is_refused_without_counting(self, card, status, words):
        Medium.objects.filter(pk=card.pk).update(status=status)
        with pytest.raises(BusinessError, match=words):
            medium_pin_check(medium=card, pin=DEMO_PIN)
        with pytest.raises(BusinessError, match=words):
            medium_online_check(medium=stored(card))
        assert stored(card).pin_failures == 0

    def test_the_audit_row_never_holds_the_pin(self, card):
        with pytest.raises(BusinessError):
            medium_pin_check(medium=card, pin=WRONG)
        event = AuditEvent.objects.get(action="medium.pin_wrong")
        assert WRONG not in str(event.detail) and card.number not in event.object_ref


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_caller_in_a_transaction_commits_the_count_and_raises_after(card):
    """The confirmation's way (operation_confirm): the refusal is caught, the transaction
    commits with the count in it, then the refusal is raised."""
    customer = card.customer
    refusal = None
    with transaction.atomic(durable=True):
        Customer.objects.filter(pk=customer.pk).update(address="改")  # the caller's own work
        try:
            medium_pin_check(medium=card, pin=WRONG)
        except BusinessError as exc:
            refusal = exc
    assert refusal is not None and "您还可以输入2次" in refusal.message
    assert committed(lambda: stored(card).pin_failures) == 1
    assert Customer.objects.get(pk=customer.pk).address == "改"
    assert AuditEvent.objects.filter(action="medium.pin_wrong").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_without_a_callers_transaction_each_wrong_pin_is_committed_before_it_is_refused(card):
    for failures in (1, 2, 3):
        with pytest.raises(BusinessError):
            medium_pin_check(medium=card, pin=WRONG)
        assert committed(lambda: stored(card).pin_failures) == failures
    assert committed(lambda: stored(card).pin_locked_on) is not None
