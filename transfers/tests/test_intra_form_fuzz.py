"""Hypothesis over the 关联账户互转, 行内转账, 收款人 and 转账查询 forms: never a 500, and junk never
moves money, creates a transfer or starts more than a confirmation."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ebank.ledger.models import Entry
from tests import customer_world as support
from transfers.models import Payee, Transfer

pytestmark = pytest.mark.django_db
world = support.world
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
junk = st.text(max_size=40)
amounts = st.one_of(junk, st.decimals(allow_nan=True, allow_infinity=True).map(str),
                    st.sampled_from(["0", "-1", "1e9", "１００", "¥1,000.00元", "1,00", "0.001",
                                     "999999999999999.99", " "]))


def _nothing_moved(before):
    assert (Entry.objects.count(), Transfer.objects.count()) == before


@FUZZ
@given(payer=st.one_of(junk, st.integers(-5, 10**20).map(str)),
       payee=st.one_of(junk, st.integers(-5, 10**20).map(str)), amount=amounts, purpose=junk)
def test_own_transfer_form_never_breaks(client, world, payer, payee, amount, purpose):
    client.force_login(world.zhang)
    before = (Entry.objects.count(), Transfer.objects.count())
    response = client.post(reverse("transfers:own"), {
        "from_sub_account": payer, "to_sub_account": payee, "amount": amount,
        "purpose": purpose})
    assert response.status_code in (200, 302)
    _nothing_moved(before)


@FUZZ
@given(payer=st.one_of(junk, st.integers(-5, 10**20).map(str)),
       mode=st.one_of(junk, st.sampled_from(["REAL_TIME", "NORMAL", "NEXT_DAY"])),
       amount=amounts, account=st.one_of(junk, st.from_regex(r"[0-9 -]{0,40}", fullmatch=True)),
       name=junk, purpose=junk, save=st.sampled_from(["", "on", "x"]))
def test_intra_transfer_form_never_breaks(client, world, payer, mode, amount, account, name,
                                          purpose, save):
    client.force_login(world.zhang)
    before = (Entry.objects.count(), Transfer.objects.count())
    response = client.post(reverse("transfers:intra"), {
        "from_sub_account": payer, "mode": mode, "amount": amount, "payee_account": account,
        "payee_name": name, "purpose": purpose, "save_payee": save})
    assert response.status_code in (200, 302)
    _nothing_moved(before)


@FUZZ
@given(kind=st.one_of(junk, st.sampled_from(["intra", "inter"])), account=junk, name=junk,
       bank_query=junk, bank_code=junk, bank_pick=junk)
def test_payee_form_never_breaks(client, world, kind, account, name, bank_query, bank_code,
                                 bank_pick):
    client.force_login(world.zhang)
    payees = Payee.objects.count()
    response = client.post(reverse("transfers:payee_add"), {
        "kind": kind, "account_number": account, "name": name, "bank_query": bank_query,
        "bank_code": bank_code, "bank_pick": bank_pick})
    assert response.status_code in (200, 302)
    assert Payee.objects.count() <= payees + (1 if response.status_code == 302 else 0)


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["date_from", "date_to", "status", "page", "q",
                                               "payee"]), junk, max_size=6))
def test_query_pages_never_break_on_junk(client, world, params):
    client.force_login(world.zhang)
    for name in ("transfers:history", "transfers:payees", "transfers:scheduled",
                 "transfers:intra"):
        assert client.get(reverse(name), params).status_code in (200, 404)
