import pytest

import tests.duework.handlers  # noqa: F401  (registers the test handlers, as ready() would)
from ebank.ledger.models import AccountOwner
from ebank.ledger.services import ledger_account_open


@pytest.fixture
def clearing_account():
    return ledger_account_open(code="duework-test-clearing", name="测试清算往来",
                               owner=AccountOwner.BANK, allow_negative=True)


@pytest.fixture
def customer_account():
    return ledger_account_open(code="duework-test-customer", name="测试客户活期")
