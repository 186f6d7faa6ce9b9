"""The access matrix's factories for creditcard's URLs (tests/test_access_matrix.py).

Each makes the object for ``owner`` (a User) and returns the URL's kwargs.
"""


# --- 账户管理 (creditcard/account): a statement of a card of the owner's -------------------------

def _statement(owner):
    from creditcard.tests.account_support import linked_card_for, statement_make

    card = linked_card_for(owner.customer)
    return {"pk": statement_make(card).pk}


OBJECT_URLS = {
    # --- 账户管理
    "creditcard:statement": _statement,
    "creditcard:statement_pdf": _statement,
    "creditcard:statement_xlsx": _statement,
}
