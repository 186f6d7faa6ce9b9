from django.apps import AppConfig

from ebank.core.menu import menu_group, menu_leaf


class LoansConfig(AppConfig):
    name = "loans"
    label = "loans"
    verbose_name = "贷款业务"

    def ready(self):
        # Bank books (ebank.ledger.bank_books): opened by bank_books_open() with the ledger's.
        from ebank.ledger.bank_books import bank_book
        from ebank.ledger.models import Side

        from .models import LoanBook
        bank_book(LoanBook.PRINCIPAL, "贷款本金", Side.DEBIT)

        # Menu item (ebank.core.menu): plain text until the page ``loans:index`` exists.
        menu_group(80, menu_leaf("贷款业务", "loans:index"))
