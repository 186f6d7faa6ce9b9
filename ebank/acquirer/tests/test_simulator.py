"""The simulated acquirer on its own: it keeps what it sent with the issuer's answer, sends a
reference once, refunds only its own approved purchases — against a stand-in issuer (the real
one is 信用卡业务's, tested in creditcard/tests/test_acquiring_*.py)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from ebank.acquirer import issuer as issuer_module
from ebank.acquirer.adapter import acquirer_adapter
from ebank.acquirer.issuer import IssuerAnswer, issuer_api
from ebank.acquirer.models import AcquirerTxn, AcquirerTxnKind, AcquirerTxnStatus
from ebank.acquirer.simulator import SimulatedAcquirer
from ebank.core.errors import BusinessError

pytestmark = pytest.mark.django_db

CARD = "6259180101000011"


class StandInIssuer:
    """Approves up to 1,000.00 a purchase; records every call."""

    def __init__(self):
        self.calls = []

    def card_authorise(self, **kwargs):
        self.calls.append(("authorise", kwargs))
        if kwargs["amount"] > Decimal("1000.00"):
            return IssuerAnswer(approved=False, reason="信用卡可用额度不足")
        return IssuerAnswer(approved=True, issuer_reference="item:1")

    def card_refund(self, **kwargs):
        self.calls.append(("refund", kwargs))
        return IssuerAnswer(approved=True, issuer_reference="credit:1")


@pytest.fixture
def issuer(monkeypatch):
    stand_in = StandInIssuer()
    monkeypatch.setattr(issuer_module, "_registered", [stand_in])
    return stand_in


def test_the_settings_pick_the_simulator():
    assert isinstance(acquirer_adapter(), SimulatedAcquirer)
    assert acquirer_adapter().simulated is True


def test_an_unregistered_issuer_is_a_configuration_error(monkeypatch):
    monkeypatch.setattr(issuer_module, "_registered", [])
    with pytest.raises(ImproperlyConfigured, match="发卡行接口未注册"):
        issuer_api()


def test_a_purchase_is_sent_and_kept_with_the_answer(issuer):
    outcome = SimulatedAcquirer().purchase(card_number="6259 1801 0100 0011",
                                           amount=Decimal("88.50"), merchant="华联超市",
                                           mcc="5411", txn_date=date(2026, 3, 1))
    assert outcome.approved and outcome.kind == "purchase" and outcome.reference.startswith("ACQ")
    (kind, sent), = issuer.calls
    assert kind == "authorise" and sent["card_number"] == CARD and sent["mcc"] == "5411"
    assert sent["reference"] == outcome.reference and sent["txn_date"] == date(2026, 3, 1)
    txn = AcquirerTxn.objects.get()
    assert (txn.kind, txn.status, txn.amount, txn.merchant_name, txn.issuer_reference) == (
        AcquirerTxnKind.PURCHASE, AcquirerTxnStatus.APPROVED, Decimal("88.50"), "华联超市",
        "item:1")
    assert CARD not in txn.card_masked and txn.card_masked.endswith("0011")


def test_a_declined_purchase_is_kept_with_the_issuer_reason(issuer):
    outcome = SimulatedAcquirer().purchase(card_number=CARD, amount="1000.01", merchant="金店")
    assert not outcome.approved and outcome.reason == "信用卡可用额度不足"
    txn = AcquirerTxn.objects.get()
    assert txn.status == AcquirerTxnStatus.DECLINED and txn.reason == "信用卡可用额度不足"


def test_the_same_reference_is_sent_once(issuer):
    first = SimulatedAcquirer().purchase(card_number=CARD, amount="10.00", merchant="便利店",
                                         reference="ACQ-REPLAY-1")
    again = SimulatedAcquirer().purchase(card_number=CARD, amount="10.00", merchant="便利店",
                                         reference="ACQ-REPLAY-1")
    assert first.approved and again.approved and again.replayed and not first.replayed
    assert len(issuer.calls) == 1 and AcquirerTxn.objects.count() == 1


def test_a_refund_needs_an_approved_purchase_of_the_same_card(issuer):
    sim = SimulatedAcquirer()
    bought = sim.purchase(card_number=CARD, amount="500.00", merchant="服装店")
    declined = sim.purchase(card_number=CARD, amount="5000.00", merchant="服装店")
    with pytest.raises(BusinessError, match="原交易不存在"):
        sim.refund(card_number=CARD, amount="1.00", original_reference=declined.reference)
    with pytest.raises(BusinessError, match="原交易不存在"):
        sim.refund(card_number="6259180101000029", amount="1.00",
                   original_reference=bought.reference)
    refund = sim.refund(card_number=CARD, amount="200.00", original_reference=bought.reference)
    assert refund.approved and refund.kind == "refund" and refund.merchant == "服装店"
    assert issuer.calls[-1] == ("refund", {"card_number": CARD, "amount": Decimal("200.00"),
                                           "original_reference": bought.reference,
                                           "reference": refund.reference})
    assert AcquirerTxn.objects.get(reference=refund.reference).original_reference == \
        bought.reference


@pytest.mark.parametrize(("amount", "merchant", "mcc", "message"), [
    ("0", "店", "5411", "交易金额须为大于零"),
    ("1.234", "店", "5411", "交易金额须为大于零"),
    ("abc", "店", "5411", "交易金额须为大于零"),
    ("1.00", "  ", "5411", "请输入商户名称"),
    ("1.00", "店", "54A1", "商户类别码"),
])
def test_bad_input_is_refused_before_anything_is_sent(issuer, amount, merchant, mcc, message):
    with pytest.raises(BusinessError, match=message):
        SimulatedAcquirer().purchase(card_number=CARD, amount=amount, merchant=merchant, mcc=mcc)
    assert issuer.calls == [] and not AcquirerTxn.objects.exists()
