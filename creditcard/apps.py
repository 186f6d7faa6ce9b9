from django.apps import AppConfig

from ebank.core.menu import menu_group, menu_leaf


class CreditcardConfig(AppConfig):
    name = "creditcard"
    label = "creditcard"
    verbose_name = "信用卡业务"

    def ready(self):
        # Bank books (ebank.ledger.bank_books): opened by bank_books_open() with the ledger's.
        from ebank.ledger.bank_books import bank_book
        from ebank.ledger.models import Side

        from .models import CardBook
        bank_book(CardBook.RECEIVABLE, "信用卡应收款", Side.DEBIT)

        # Menu item (ebank.core.menu): plain text until the page ``creditcard:index`` exists.
        menu_group(50, menu_leaf("信用卡业务", "creditcard:index"))
