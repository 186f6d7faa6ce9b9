"""The bank's own books: the ledger accounts on the other side of customer movements."""

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from .models import AccountOwner, LedgerAccount, Side
from .services import ledger_account_open


class BankBook:
    """Codes of the ledger's own bank books (one place, so no code spells them twice). A product's
    books are its app's: loans' 贷款本金, creditcard's 信用卡利息收入 (registered in their ready())."""

    CASH = "BANK:CASH"
    IBPS_CLEARING = "BANK:IBPS"
    HVPS_CLEARING = "BANK:HVPS"
    FEE_INCOME = "BANK:FEE_INCOME"
    INTEREST_EXPENSE = "BANK:INTEREST_EXPENSE"
    SUSPENSE = "BANK:SUSPENSE"


# code → (name, normal side): every registered book. Assets grow with debits; income and suspense
# with credits.
BANK_BOOKS: dict[str, tuple[str, str]] = {}


def bank_book(code: str, name: str, normal_side: str) -> str:
    """Register a bank book (opened by :func:`bank_books_open`); returns ``code``.

    Apps register theirs from ``AppConfig.ready()``. The same book again is harmless; another
    name or side for a taken code is a programming error.
    """
    book = (str(name), str(normal_side))
    if normal_side not in Side.values:
        raise ImproperlyConfigured(f"本行账户 {code!r} 的余额方向无效: {normal_side!r}")
    existing = BANK_BOOKS.get(code)
    if existing is not None and existing != book:
        raise ImproperlyConfigured(f"本行账户 {code!r} 已注册为“{existing[0]}”")
    BANK_BOOKS[code] = book
    return code


bank_book(BankBook.CASH, "库存现金", Side.DEBIT)
bank_book(BankBook.IBPS_CLEARING, "网银互联清算往来", Side.DEBIT)
bank_book(BankBook.HVPS_CLEARING, "大额支付清算往来", Side.DEBIT)
bank_book(BankBook.FEE_INCOME, "手续费收入", Side.CREDIT)
bank_book(BankBook.INTEREST_EXPENSE, "利息支出", Side.DEBIT)
bank_book(BankBook.SUSPENSE, "暂收暂付款项", Side.CREDIT)


@transaction.atomic
def bank_books_open() -> dict[str, LedgerAccount]:
    """Open every registered bank book that is missing; idempotent."""
    return {
        code: ledger_account_open(code=code, name=name, owner=AccountOwner.BANK,
                                  normal_side=side, allow_negative=True)
        for code, (name, side) in BANK_BOOKS.items()
    }


def bank_book_id(code: str) -> int:
    return LedgerAccount.objects.values_list("id", flat=True).get(code=code)
