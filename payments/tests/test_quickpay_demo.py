from io import StringIO

import pytest
from django.core.management import call_command

from ebank.ledger.models import LedgerAccount
from ebank.merchants.models import MerchantBinding, MerchantOrder
from payments.models import QuickPayAgreement, QuickPayDebit, QuickPayMerchant


@pytest.mark.django_db
def test_the_demo_gives_zhang_wei_an_agreement_with_three_debits_once():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # twice: nothing doubled
    agreement = QuickPayAgreement.objects.get()
    assert agreement.customer.name == "张伟" and agreement.medium.kind == "debit_card"
    assert QuickPayDebit.objects.filter(agreement=agreement).count() == 3
    assert MerchantBinding.objects.count() == 1 and MerchantOrder.objects.count() == 3
    # 快付通 in the bank's registry once, with its 收款户.
    merchant = QuickPayMerchant.objects.get()
    assert (merchant.code, agreement.merchant_code) == ("KFT01", "KFT01")
    assert LedgerAccount.objects.filter(code="MERCHANT:KFT01:ACCT").count() == 1


@pytest.mark.django_db
def test_the_demo_needs_no_sms_code_from_the_outbox(settings):
    """The benches seed with production settings: a real gateway's outbox holds no code, and
    the seed must still open the agreement (bench/web_load.py failed on it once)."""
    settings.SMS_BACKEND = "security.tools.sms.HttpSmsBackend"
    settings.SMS_GATEWAY_URL = "https://127.0.0.1:9/unreachable"
    settings.SMS_GATEWAY_KEY = "test"
    call_command("seed_demo", stdout=StringIO())
    agreement = QuickPayAgreement.objects.get()
    assert agreement.customer.name == "张伟"
    assert QuickPayDebit.objects.filter(agreement=agreement).count() == 3
