"""The simulated other banks: the adapter's contract (idempotent debits, answers after a
timeout), the behaviour switches per bank and per account, the adapter setting."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from ebank.core.clock import SHANGHAI
from ebank.otherbanks.adapters import (
    AgreementRevoked,
    OtherBankRefused,
    OtherBankTimeout,
    SigningResultInvalid,
    get_otherbank_adapter,
)
from ebank.otherbanks.models import (
    AgreementKind,
    SimAgreement,
    SimAgreementStatus,
    SimBehaviour,
    SimDebit,
)
from ebank.otherbanks.simulator import SimulatedOtherBanks

pytestmark = pytest.mark.django_db

CARD = "6222020200112233445"


@pytest.fixture
def sim():
    from datetime import datetime

    with time_machine.travel(datetime(2026, 6, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        adapter = SimulatedOtherBanks()
        adapter.bank_open("102", "中国工商银行")
        account = adapter.account_open(bank_code="102", number=CARD, holder_name="张伟",
                                       id_number="340101199001011234", password="147258",
                                       balance=Decimal("3000.00"))
        SimAgreement.objects.create(external_id="SA1", account=account, kind=AgreementKind.PAY,
                                    single_limit=Decimal("2000.00"),
                                    daily_limit=Decimal("2500.00"),
                                    valid_until=date(2027, 6, 10))
        SimAgreement.objects.create(external_id="SQ1", account=account,
                                    kind=AgreementKind.QUERY, valid_until=date(2027, 6, 10))
        yield adapter


def test_the_setting_names_a_known_adapter(settings):
    assert isinstance(get_otherbank_adapter(), SimulatedOtherBanks)
    settings.OTHERBANK_ADAPTER = "somewhere.Else"
    with pytest.raises(ImproperlyConfigured):
        get_otherbank_adapter()


def test_a_debit_is_idempotent_per_reference(sim):
    first = sim.debit(external_id="SA1", reference="R1", amount=Decimal("1000.00"), memo="张伟")
    again = sim.debit(external_id="SA1", reference="R1", amount=Decimal("1000.00"), memo="张伟")
    assert first == again and first.succeeded
    assert SimDebit.objects.count() == 1
    assert sim.balance("SQ1").balance == Decimal("2000.00")
    assert sim.debit_status("R1").succeeded and sim.debit_status("R2") is None


def test_the_other_bank_checks_balance_and_limits_and_debits_nothing_partly(sim):
    assert sim.debit(external_id="SA1", reference="R1", amount=Decimal("2000.01"),
                     memo="").reason == "超过协议单笔限额"
    assert sim.debit(external_id="SA1", reference="R2", amount=Decimal("2000.00"),
                     memo="").succeeded
    assert sim.debit(external_id="SA1", reference="R3", amount=Decimal("600.00"),
                     memo="").reason == "超过协议日累计限额"
    assert sim.debit(external_id="SA1", reference="R4", amount=Decimal("500.00"),
                     memo="").succeeded
    with time_machine.travel(date(2026, 6, 11), tick=False):
        answer = sim.debit(external_id="SA1", reference="R5", amount=Decimal("1000.00"), memo="")
    assert answer.reason == "付款账户余额不足"
    assert sim.balance("SQ1").balance == Decimal("500.00")


def test_an_account_switch_wins_over_its_banks(sim):
    sim.behave("102", SimBehaviour.REFUSE, "系统维护")
    with pytest.raises(OtherBankRefused, match="系统维护"):
        sim.balance("SQ1")
    sim.behave(CARD, SimBehaviour.NORMAL)
    assert sim.balance("SQ1").balance == Decimal("3000.00")
    sim.reset()
    with pytest.raises(ValueError):
        sim.behave("nobody", SimBehaviour.REFUSE)


def test_timeout_and_late(sim):
    sim.behave(CARD, SimBehaviour.TIMEOUT)
    with pytest.raises(OtherBankTimeout):
        sim.debit(external_id="SA1", reference="R1", amount=Decimal("10.00"), memo="")
    assert sim.debit_status("R1") is None
    sim.behave(CARD, SimBehaviour.LATE)
    with transaction.atomic(), pytest.raises(OtherBankTimeout):
        sim.debit(external_id="SA1", reference="R2", amount=Decimal("10.00"), memo="")
    assert sim.debit_status("R2").succeeded  # the money left, only the answer was lost


def test_revoke_ends_the_agreement_at_the_other_bank(sim):
    sim.behave(CARD, SimBehaviour.REVOKE)
    answer = sim.debit(external_id="SA1", reference="R1", amount=Decimal("10.00"), memo="")
    assert answer.revoked and not answer.succeeded
    assert SimAgreement.objects.get(external_id="SA1").status == SimAgreementStatus.REVOKED
    sim.reset()
    with pytest.raises(AgreementRevoked):
        sim.agreement_read("SA1")


def test_balance_and_history_are_read_only_through_a_query_agreement(sim):
    with pytest.raises(OtherBankRefused, match="非账户信息查询协议"):
        sim.balance("SA1")
    with pytest.raises(OtherBankRefused, match="非账户信息查询协议"):
        sim.history("SA1", date(2026, 6, 1), date(2026, 6, 10))
    assert sim.balance("SQ1").available == Decimal("3000.00")


def test_silent_debits_then_answers_nothing_until_it_speaks_again(sim):
    sim.behave(CARD, SimBehaviour.SILENT)
    with pytest.raises(OtherBankTimeout):
        sim.debit(external_id="SA1", reference="R1", amount=Decimal("10.00"), memo="")
    with pytest.raises(OtherBankTimeout):
        sim.debit_status("R1")
    with pytest.raises(OtherBankTimeout):
        sim.debit(external_id="SA1", reference="R1", amount=Decimal("10.00"), memo="")
    sim.reset()
    assert sim.debit_status("R1").succeeded
    assert sim.balance("SQ1").balance == Decimal("2990.00")  # taken once


def test_an_unsigned_result_is_refused(sim):
    with pytest.raises(SigningResultInvalid):
        sim.signing_result("state:forged")


def test_the_signing_page_without_a_valid_ticket_says_so(client):
    page = client.get("/otherbank-sim/sign?ticket=nope")
    assert page.status_code == 200 and "签约请求无效" in page.content.decode()
