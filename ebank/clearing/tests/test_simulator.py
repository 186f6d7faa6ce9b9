from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from ebank.clearing.adapters import (
    AnswerOutcome,
    ClearingTimeout,
    OutwardInstruction,
    ReturnNotice,
    get_clearing_adapter,
)
from ebank.clearing.routing import Channel
from ebank.clearing.simulator import SimOutcome, SimulatedClearing

pytestmark = pytest.mark.django_db


@pytest.fixture
def sim():
    return SimulatedClearing()


def instruction(reference="T1", payee_account="6222000011112222", *, channel=Channel.IBPS,
                branch=""):
    return OutwardInstruction(
        reference=reference, channel=channel, amount=Decimal("1234.56"),
        payer_account="6228480011110000", payer_name="张三",
        payee_account=payee_account, payee_name="李四", payee_bank_code="102361000013",
        payee_branch_code=branch,
    )


@pytest.mark.parametrize(
    ("account", "outcome", "reason"),
    [
        ("6222000011112222", AnswerOutcome.SUCCESS, ""),
        ("6222000011114444", AnswerOutcome.FAILED, "收款人账号与户名不符"),
        ("6222000011116666", AnswerOutcome.FAILED, "收款行账户已销户"),
        ("6222000011115555", AnswerOutcome.ACCEPTED, ""),
    ],
)
def test_default_answers(sim, account, outcome, reason):
    answer = sim.send(instruction(payee_account=account))
    assert (answer.reference, answer.outcome, answer.reason) == ("T1", outcome, reason)


def test_accepted_then_returned_exactly_once(sim):
    sim.send(instruction("T1", "6222000011115555"))
    sim.send(instruction("T2", "6222000011112222"))
    assert sim.poll_returns() == [ReturnNotice("T1", "收款人账户已冻结")]
    assert sim.poll_returns() == []


def test_script_overrides_the_default_and_unscript_restores_it(sim):
    sim.script("6222000011112222", SimOutcome.FAILED, "收款行账户已销户")
    sim.script("6222000011114444", "SUCCESS")
    sim.script("6222000099990000", SimOutcome.RETURNED)
    assert sim.send(instruction("A", "6222000011112222")).reason == "收款行账户已销户"
    assert sim.send(instruction("B", "6222000011114444")).outcome == AnswerOutcome.SUCCESS
    assert sim.send(instruction("C", "6222000099990000")).outcome == AnswerOutcome.ACCEPTED
    assert sim.poll_returns() == [ReturnNotice("C", "收款行退回")]
    sim.unscript("6222000011112222")
    assert sim.send(instruction("D", "6222000011112222")).outcome == AnswerOutcome.SUCCESS


def test_resending_a_reference_returns_the_first_answer(sim):
    first = sim.send(instruction("T1", "6222000011114444"))
    sim.script("6222000011114444", SimOutcome.SUCCESS)
    assert sim.send(instruction("T1", "6222000011114444")) == first
    sim.send(instruction("T2", "6222000011115555"))
    sim.send(instruction("T2", "6222000011115555"))
    assert len(sim.poll_returns()) == 1


def test_state_is_shared_between_instances(sim):
    sim.set_maintenance(Channel.HVPS)
    sim.script("6222000011112222", SimOutcome.FAILED, "收款人账号与户名不符")
    other = SimulatedClearing()
    assert not other.status(Channel.HVPS).open
    assert other.send(instruction()).outcome == AnswerOutcome.FAILED


def test_maintenance_closes_a_channel_until_switched_back(sim):
    assert sim.status(Channel.IBPS).open and sim.status(Channel.HVPS).open
    sim.set_maintenance(Channel.IBPS, True)
    status = sim.status(Channel.IBPS)
    assert (status.open, status.message) == (False, "清算行已退出")
    assert sim.status(Channel.HVPS).open

    refused = sim.send(instruction("T1"))
    assert (refused.outcome, refused.reason) == (AnswerOutcome.FAILED, "清算行已退出")
    assert sim.sent("T1") is None  # never entered the system: may be sent again later

    sim.set_maintenance(Channel.IBPS, False)
    assert sim.send(instruction("T1")).outcome == AnswerOutcome.SUCCESS


def test_ibps_maintenance_is_bypassed_with_a_receiving_branch(sim):
    sim.set_maintenance(Channel.IBPS)
    sim.set_maintenance(Channel.HVPS)
    assert sim.send(instruction("T1", branch="102361000528")).outcome == AnswerOutcome.SUCCESS
    hvps = sim.send(instruction("T2", channel=Channel.HVPS, branch="102361000528"))
    assert hvps.reason == "清算行已退出"


def test_timeout_raises_and_records_nothing(sim):
    sim.script("6222000011112222", SimOutcome.TIMEOUT)
    with pytest.raises(ClearingTimeout):
        sim.send(instruction())
    assert sim.sent("T1") is None
    sim.unscript("6222000011112222")
    assert sim.send(instruction()).outcome == AnswerOutcome.SUCCESS


def test_sent_records_the_instruction_and_reset_forgets_everything(sim):
    sim.set_maintenance(Channel.HVPS)
    sim.send(instruction("T1", "6222000011115555"))
    assert sim.sent("T1").amount == Decimal("1234.56")
    sim.reset()
    assert sim.sent("T1") is None
    assert sim.status(Channel.HVPS).open
    assert sim.poll_returns() == []


def test_get_clearing_adapter_reads_the_setting(settings):
    assert isinstance(get_clearing_adapter(), SimulatedClearing)
    settings.CLEARING_ADAPTER = "ebank.clearing.simulator.NoSuchClearing"
    with pytest.raises(ImproperlyConfigured, match="NoSuchClearing"):
        get_clearing_adapter()
