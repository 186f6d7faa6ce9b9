import factory

from ebank.ledger.models import AccountOwner, LedgerAccount, Side


class CustomerLedgerAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LedgerAccount

    code = factory.Sequence(lambda n: f"TEST:CUST:{n:06d}")
    name = factory.Sequence(lambda n: f"测试客户账户{n}")
    owner = AccountOwner.CUSTOMER
    normal_side = Side.CREDIT
    allow_negative = False


class BankLedgerAccountFactory(CustomerLedgerAccountFactory):
    code = factory.Sequence(lambda n: f"TEST:BANK:{n:06d}")
    name = factory.Sequence(lambda n: f"测试本行账户{n}")
    owner = AccountOwner.BANK
    normal_side = Side.DEBIT
    allow_negative = True
