"""The counter's tool fee gets its 电子回单 in the same transaction as the posting."""

import pytest
from django.conf import settings

from accounts.models import Receipt, ReceiptDirection
from accounts.receipts.services import receipt_verify
from accounts.selectors import current_main_account
from ebank.ledger.models import Entry
from security.models import ToolKind, ToolRegisterEntry
from security.staff.counter import services as counter
from security.tests import test_counter_fixtures as fx
from security.tests.test_counter_fixtures import card_of, ident, register

from .test_receipts_support import elements_of

bank = fx.bank
teller_hf = fx.teller_hf
tools = fx.tools
pytestmark = pytest.mark.django_db


def test_a_tool_issue_issues_the_fee_receipt(bank, teller_hf):
    register("张伟", teller_hf)
    counter.counter_tool_issue(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"),
                               kind=ToolKind.TOKEN, fee_medium=card_of("张伟"))
    entry_id = ToolRegisterEntry.objects.get(tool__kind=ToolKind.TOKEN).fee_entry_id
    receipt = Receipt.objects.get(entry_id=entry_id)
    card = card_of("张伟")
    assert receipt.sub_account == current_main_account(medium_number=card.number)
    assert receipt.customer == bank["张伟"]
    assert receipt.direction == ReceiptDirection.DEBIT
    assert receipt.amount == settings.TOOL_FEE_TOKEN
    assert (receipt.payer_name, receipt.payer_account) == ("张伟", card.number)
    assert receipt.payee_name == "本行手续费收入"
    assert (receipt.business, receipt.channel, receipt.purpose) == ("手续费", "柜面", "数字令牌工本费")
    assert receipt.posted_at == Entry.objects.get(pk=entry_id).posted_at.replace(microsecond=0)
    assert receipt_verify(**elements_of(receipt))


def test_a_refused_tool_issue_leaves_no_receipt(bank, teller_hf):
    register("张伟", teller_hf)
    with pytest.raises(Exception, match="不属于该客户"):
        counter.counter_tool_issue(acting_user=teller_hf, customer=bank["张伟"], **ident("张伟"),
                                   kind=ToolKind.USBKEY, fee_medium=card_of("李娜"),
                                   cert_password="Cert2026")
    assert not Receipt.objects.exists()
