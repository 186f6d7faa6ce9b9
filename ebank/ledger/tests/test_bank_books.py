"""The bank's own books: the ledger's core books plus those the apps register."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from creditcard.models import CardBook
from ebank.ledger import bank_books
from ebank.ledger.bank_books import BankBook, bank_book, bank_book_id, bank_books_open
from ebank.ledger.models import AccountOwner, LedgerAccount, Side
from loans.models import LoanBook
from wealth.models import WealthBook

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry_restored(monkeypatch):
    monkeypatch.setattr(bank_books, "BANK_BOOKS", dict(bank_books.BANK_BOOKS))


def test_every_book_of_today_is_registered_with_its_name_and_side():
    assert bank_books.BANK_BOOKS == {
        BankBook.CASH: ("库存现金", Side.DEBIT),
        BankBook.IBPS_CLEARING: ("网银互联清算往来", Side.DEBIT),
        BankBook.HVPS_CLEARING: ("大额支付清算往来", Side.DEBIT),
        BankBook.FEE_INCOME: ("手续费收入", Side.CREDIT),
        BankBook.INTEREST_EXPENSE: ("利息支出", Side.DEBIT),
        LoanBook.PRINCIPAL: ("贷款本金", Side.DEBIT),
        LoanBook.INTEREST_INCOME: ("贷款利息收入", Side.CREDIT),
        LoanBook.PENALTY_INCOME: ("贷款罚息收入", Side.CREDIT),
        CardBook.ACQUIRER: ("银联清算往来（信用卡）", Side.CREDIT),
        CardBook.INTEREST_INCOME: ("信用卡利息收入", Side.CREDIT),
        CardBook.FEE_INCOME: ("信用卡手续费收入", Side.CREDIT),
        CardBook.PENALTY_INCOME: ("信用卡违约金收入", Side.CREDIT),
        WealthBook.FEE_INCOME: ("理财代销手续费收入", Side.CREDIT),
        WealthBook.XJL_EARNINGS: ("薪加利基金收益划入", Side.DEBIT),
        BankBook.SUSPENSE: ("暂收暂付款项", Side.CREDIT),
        "PAY:QUICKPAY": ("快捷支付待清算", Side.CREDIT),
    }


def test_opening_opens_every_registered_book_once(registry_restored):
    bank_book("BANK:DEPOSIT_TEST", "测试存款科目", Side.CREDIT)
    opened = bank_books_open()
    assert set(opened) == set(bank_books.BANK_BOOKS)
    again = bank_books_open()
    assert {code: account.pk for code, account in again.items()} == {
        code: account.pk for code, account in opened.items()}
    book = LedgerAccount.objects.get(pk=bank_book_id("BANK:DEPOSIT_TEST"))
    assert (book.name, book.owner, book.normal_side, book.allow_negative) == (
        "测试存款科目", AccountOwner.BANK, Side.CREDIT, True)
    assert LedgerAccount.objects.filter(owner=AccountOwner.BANK).count() == len(opened)


def test_a_taken_code_keeps_its_book(registry_restored):
    assert bank_book(BankBook.CASH, "库存现金", Side.DEBIT) == BankBook.CASH  # ready() twice
    with pytest.raises(ImproperlyConfigured, match="已注册为“库存现金”"):
        bank_book(BankBook.CASH, "现金", Side.DEBIT)
    with pytest.raises(ImproperlyConfigured, match="余额方向无效"):
        bank_book("BANK:X", "某科目", "X")
