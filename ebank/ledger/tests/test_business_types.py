"""Business types come from a registry: a new app's types need no ledger migration, unknown codes
are refused at posting, the labels show where they always did."""

from decimal import Decimal as D
from io import StringIO

import pytest
from django.contrib.admin.utils import display_for_field
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from accounts.services import funds_move
from ebank.ledger import business_types as registry
from ebank.ledger.business_types import (
    UnknownBusinessType,
    business_type,
    business_type_choices,
    business_type_label,
)
from ebank.ledger.models import BusinessType, Entry
from ebank.ledger.services import Leg, entry_post
from payments.models import PaymentBusinessType
from transfers.models import TransferBusinessType

from .factories import BankLedgerAccountFactory, CustomerLedgerAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    cash = BankLedgerAccountFactory(code="T:CASH")
    alice, bob = CustomerLedgerAccountFactory(code="T:ALICE"), CustomerLedgerAccountFactory()
    entry_post(idempotency_key="fund", business_type=BusinessType.CASH_DEPOSIT, reference="fund",
               legs=[Leg.debit(cash.pk, D("100.00")), Leg.credit(alice.pk, D("100.00"))])
    return alice, bob


@pytest.fixture
def registry_restored(monkeypatch):
    monkeypatch.setattr(registry, "_labels", dict(registry._labels))


def test_the_ledger_and_the_apps_register_every_type_of_today():
    assert dict(business_type_choices()) == {
        "opening_balance": "开户存入", "cash_deposit": "现金存入", "cash_withdrawal": "现金支取",
        "fee": "手续费", "interest": "利息", "adjustment": "调账",
        "own_transfer": "关联账户互转", "intra_transfer": "行内转账", "inter_transfer": "跨行转账",
        "inter_transfer_return": "跨行退汇", "bill_payment": "缴费", "bill_reversal": "缴费冲正",
        "biller_settlement": "代收款项结算", "quickpay_debit": "快捷支付",
        "quickpay_settlement": "快捷支付结算",
        "card_purchase": "信用卡消费", "card_refund": "信用卡退货", "card_cash": "信用卡取现",
        "card_cash_fee": "信用卡取现手续费", "card_interest": "信用卡利息",
        "card_late_fee": "信用卡违约金", "card_instalment_fee": "信用卡分期手续费",
        "card_repayment": "信用卡还款", "card_auto_repayment": "信用卡自动还款",
        "deposit_open": "定期开户", "deposit_top_up": "定期续存", "deposit_withdraw": "定期支取",
        "deposit_maturity": "到期支取", "deposit_rollover": "到期转存",
        "deposit_interest_payout": "存本取息付息", "deposit_interest_clawback": "利息扣回",
        "current_interest": "活期结息", "deposit_sweep": "活期宝归集",
        "inter_pull": "跨行资金归集",
        "wealth_subscribe": "理财认购", "wealth_purchase": "理财申购", "wealth_redeem": "理财赎回",
        "wealth_maturity": "理财到期兑付", "xjl_in": "薪加利转入",
        "xjl_out_instant": "薪加利实时转出", "xjl_out": "薪加利普通转出", "xjl_income": "薪加利收益",
            "loan_draw": "个人贷款发放", "loan_repay": "个人贷款还款", "loan_prepay": "个人贷款提前还款",
            "loan_deduct": "贷款到期扣款",
    }
    assert PaymentBusinessType.BILL_PAYMENT == "bill_payment"
    assert Entry._meta.get_field("business_type").choices  # the registry, read when used


def test_a_new_type_needs_no_migration(registry_restored):
    field = Entry._meta.get_field("business_type")
    assert field.deconstruct()[3]["choices"] is business_type_choices  # what migrations name
    business_type("deposit_open", "定期开户")
    assert ("deposit_open", "定期开户") in list(field.choices)
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_a_taken_code_keeps_its_label(registry_restored):
    assert business_type("fee", "手续费") == "fee"  # ready() run twice: harmless
    with pytest.raises(ImproperlyConfigured, match="'fee' 已注册为“手续费”"):
        business_type("fee", "年费")
    with pytest.raises(ImproperlyConfigured):
        business_type("x" * 33, "太长")


def test_an_unknown_type_is_refused_at_posting_and_nothing_is_written(pair):
    alice, bob = pair
    legs = [Leg.debit(alice.pk, D("1.00")), Leg.credit(bob.pk, D("1.00"))]
    with pytest.raises(UnknownBusinessType, match="未知的业务类型“lottery”"):
        entry_post(idempotency_key="u1", business_type="lottery", reference="u1", legs=legs)
    with pytest.raises(UnknownBusinessType):
        funds_move(debit_ledger_id=alice.pk, credit_ledger_id=bob.pk, amount=D("1.00"),
                   idempotency_key="u2", business_type="lottery", reference="u2")
    assert not Entry.objects.filter(idempotency_key__in=["u1", "u2"]).exists()


def test_a_registered_app_type_posts_and_shows_its_label(pair):
    alice, bob = pair
    posted = funds_move(debit_ledger_id=alice.pk, credit_ledger_id=bob.pk, amount=D("1.00"),
                        idempotency_key="p1", business_type=PaymentBusinessType.BILL_PAYMENT,
                        reference="p1")
    entry = Entry.objects.get(pk=posted.entry_id)
    assert entry.get_business_type_display() == "缴费" and "缴费" in str(entry)
    assert business_type_label(TransferBusinessType.INTER_TRANSFER_RETURN) == "跨行退汇"
    assert business_type_label("retired_code") == "retired_code"
    # The admin's list shows the label (交易明细 reads business_type_label, receipts get it from
    # the app's TextChoices: TransferBusinessType.INTER_TRANSFER.label).
    field = Entry._meta.get_field("business_type")
    assert display_for_field("bill_payment", field, "-") == "缴费"
    assert display_for_field("fee", field, "-") == BusinessType.FEE.label
