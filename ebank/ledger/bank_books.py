"""The bank's own books: the ledger accounts on the other side of customer movements."""

from django.db import transaction

from .models import AccountOwner, LedgerAccount, Side
from .services import ledger_account_open


class BankBook:
    """Codes of the bank's own ledger accounts (one place, so no code spells them twice)."""

    CASH = "BANK:CASH"
    IBPS_CLEARING = "BANK:IBPS"
    HVPS_CLEARING = "BANK:HVPS"
    FEE_INCOME = "BANK:FEE_INCOME"
    INTEREST_EXPENSE = "BANK:INTEREST_EXPENSE"
    LOAN_PRINCIPAL = "BANK:LOAN_PRINCIPAL"
    CARD_RECEIVABLE = "BANK:CARD_RECEIVABLE"
    SUSPENSE = "BANK:SUSPENSE"


# code → (name, normal side). Assets grow with debits; income and suspense with credits.
BANK_BOOKS = {
    BankBook.CASH: ("库存现金", Side.DEBIT),
    BankBook.IBPS_CLEARING: ("网银互联清算往来", Side.DEBIT),
    BankBook.HVPS_CLEARING: ("大额支付清算往来", Side.DEBIT),
    BankBook.FEE_INCOME: ("手续费收入", Side.CREDIT),
    BankBook.INTEREST_EXPENSE: ("利息支出", Side.DEBIT),
    BankBook.LOAN_PRINCIPAL: ("贷款本金", Side.DEBIT),
    BankBook.CARD_RECEIVABLE: ("信用卡应收款", Side.DEBIT),
    BankBook.SUSPENSE: ("暂收暂付款项", Side.CREDIT),
}


@transaction.atomic
def bank_books_open() -> dict[str, LedgerAccount]:
    """Open every bank book that is missing; idempotent."""
    return {
        code: ledger_account_open(code=code, name=name, owner=AccountOwner.BANK,
                                  normal_side=side, allow_negative=True)
        for code, (name, side) in BANK_BOOKS.items()
    }


def bank_book_id(code: str) -> int:
    return LedgerAccount.objects.values_list("id", flat=True).get(code=code)
