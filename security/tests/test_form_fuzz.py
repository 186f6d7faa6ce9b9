"""Hypothesis over the confirmation form and every counter form: never a 500, nothing executed
or registered on bad input (failed-attempt counters and refusal audit rows are the only writes)."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ebank.ledger.models import Entry
from security.models import CounterReceipt, OperationStatus, User
from security.staff.counter.actions import COUNTER_ACTIONS as ACTIONS

from . import test_confirm_support as confirm_support
from .test_counter_fixtures import bank as counter_bank  # noqa: F401 - fixture
from .test_counter_fixtures import hq, otp_login, tools  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
bank = confirm_support.bank
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
junk = st.text(max_size=40)


@FUZZ
@given(pin=junk, method=st.one_of(st.sampled_from(["sms", "token", "usbkey", ""]), junk),
       credential=junk)
def test_the_confirmation_form_never_breaks_and_executes_nothing_on_junk(client, bank, pin,
                                                                         method, credential):
    client.force_login(bank.zhang)
    operation = bank.start_move(amount="10.00")
    entries = Entry.objects.count()
    response = client.post(reverse("security:confirm", args=[operation.public_id]),
                           {"pin": pin, "method": method, "credential": credential})
    assert response.status_code in (200, 302)
    operation.refresh_from_db()
    assert operation.status != OperationStatus.EXECUTED
    assert Entry.objects.count() == entries


@FUZZ
@given(action=st.sampled_from(sorted(ACTIONS)), fields=st.dictionaries(
    st.sampled_from(["id_type", "id_number", "id_copy_received", "medium", "initial_password",
                     "tool_kind", "cert_password", "kind", "reason", "fee_medium",
                     "new_password", "confirm_password"]), junk, max_size=12))
def test_counter_forms_never_break_and_register_nothing_on_junk(client, counter_bank, hq,  # noqa: F811
                                                                action, fields):
    otp_login(client, hq)
    customer = counter_bank["张伟"]
    receipts, users, entries = (CounterReceipt.objects.count(), User.objects.count(),
                                Entry.objects.count())
    response = client.post(reverse("admin:counter_action", args=[customer.pk, action]), fields)
    assert response.status_code in (200, 302, 403, 404)
    assert (CounterReceipt.objects.count(), User.objects.count(), Entry.objects.count()) == (
        receipts, users, entries)
