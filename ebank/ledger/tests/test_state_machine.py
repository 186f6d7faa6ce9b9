"""Random movements, holds, captures, releases and replays never break the books.

After every step: each cached balance equals its postings, each cached hold total equals its
active holds, no customer account is below zero, and all accounts together sum to zero.
"""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from ebank.core.errors import BusinessError
from ebank.ledger.models import BusinessType, LedgerAccount
from ebank.ledger.selectors import ledger_violations
from ebank.ledger.services import Leg, entry_post, hold_capture, hold_place, hold_release
from transfers.models import TransferBusinessType

from .factories import BankLedgerAccountFactory, CustomerLedgerAccountFactory

amounts = st.integers(min_value=1, max_value=500_000).map(lambda cents: Decimal(cents) / 100)


class LedgerMachine(RuleBasedStateMachine):
    holds = Bundle("holds")

    @initialize()
    def open_books(self):
        self.bank = BankLedgerAccountFactory()
        self.customers = [CustomerLedgerAccountFactory() for _ in range(4)]
        self.keys: list[tuple[str, list[Leg]]] = []
        self.counter = 0

    def _key(self) -> str:
        self.counter += 1
        return f"sm:{self.bank.pk}:{self.counter}"

    def _try(self, fn):
        try:
            with transaction.atomic():
                return fn()
        except BusinessError:
            return None

    @rule(who=st.integers(0, 3), amount=amounts)
    def deposit(self, who, amount):
        legs = [Leg.debit(self.bank.pk, amount), Leg.credit(self.customers[who].pk, amount)]
        key = self._key()
        self._try(lambda: entry_post(idempotency_key=key, business_type=BusinessType.CASH_DEPOSIT,
                                     reference=key, legs=legs))
        self.keys.append((key, legs))

    @rule(src=st.integers(0, 3), dst=st.integers(0, 3), amount=amounts)
    def transfer(self, src, dst, amount):
        if src == dst:
            return
        legs = [Leg.debit(self.customers[src].pk, amount), Leg.credit(self.customers[dst].pk, amount)]
        key = self._key()
        if self._try(lambda: entry_post(idempotency_key=key, reference=key, legs=legs,
                                        business_type=TransferBusinessType.INTRA_TRANSFER)):
            self.keys.append((key, legs))

    @rule(src=st.integers(0, 3), dst=st.integers(0, 3), amount=amounts)
    def funds_move(self, src, dst, amount):
        # The one-call path of external transfers (PL/pgSQL on PostgreSQL) keeps the same books.
        from accounts.services import funds_move

        if src == dst:
            return
        key = self._key()
        self._try(lambda: funds_move(debit_ledger_id=self.customers[src].pk,
                                     credit_ledger_id=self.customers[dst].pk, amount=amount,
                                     business_type=TransferBusinessType.INTRA_TRANSFER,
                                     idempotency_key=key, reference=key))

    @rule(data=st.data())
    def replay(self, data):
        if not self.keys:
            return
        key, legs = data.draw(st.sampled_from(self.keys))
        result = self._try(lambda: entry_post(idempotency_key=key, reference=key, legs=legs,
                                              business_type=BusinessType.CASH_DEPOSIT
                                              if legs[0].account_id == self.bank.pk
                                              else TransferBusinessType.INTRA_TRANSFER))
        assert result is None or result.replayed

    @rule(target=holds, who=st.integers(0, 3), amount=amounts)
    def place_hold(self, who, amount):
        key = self._key()
        return self._try(lambda: hold_place(account_id=self.customers[who].pk, amount=amount,
                                            idempotency_key=key, reference=key))

    @rule(hold=consumes(holds))
    def release(self, hold):
        if hold is not None:
            self._try(lambda: hold_release(hold=hold))

    @rule(hold=consumes(holds))
    def capture(self, hold):
        if hold is None:
            return
        key = self._key()
        legs = [Leg.debit(hold.account_id, hold.amount), Leg.credit(self.bank.pk, hold.amount)]
        self._try(lambda: hold_capture(hold=hold, idempotency_key=key, reference=key, legs=legs,
                                       business_type=TransferBusinessType.INTER_TRANSFER))

    @invariant()
    def books_agree(self):
        if not hasattr(self, "bank"):
            return
        assert ledger_violations() == []
        for account in LedgerAccount.objects.filter(pk__in=[c.pk for c in self.customers]):
            assert account.balance - account.held >= 0


@pytest.mark.django_db
def test_random_movements_keep_the_books_true():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(max_examples=25, stateful_step_count=25, deadline=None,
                          suppress_health_check=list(HealthCheck)),
    )
