from django.apps import AppConfig

from ebank.core.menu import MenuSpec, menu_group, menu_leaf
from ebank.ledger.business_types import business_types

# The manual's 贷款业务 menu (个人贷款) in its order.
LOAN_MENU = (
    ("个人贷款申请", "loans:apply"),
    ("个人贷款发放", "loans:draw"),
    ("个人贷款还款", "loans:repay"),
    ("个人贷款查询", "loans:list"),
)


class LoansConfig(AppConfig):
    """贷款业务 (LN-*): docs/loans.md."""

    name = "loans"
    label = "loans"
    verbose_name = "贷款业务"

    def ready(self):
        # The registries that import models (the app registry is ready only now).
        from ebank.core.audit import audit_actions
        from ebank.core.demo import demo_part
        from ebank.ledger.bank_books import bank_book
        from ebank.ledger.models import Side
        from security.staff.admin_sections import admin_section_place
        from security.staff.roles import Role, role_grant
        from security.tools.sms import sms_purposes

        # Ledger business types (ebank.ledger.business_types).
        from .models import LoanBook, LoanBusinessType
        business_types(LoanBusinessType)

        # Bank books (ebank.ledger.bank_books): opened by bank_books_open() with the ledger's.
        bank_book(LoanBook.PRINCIPAL, "贷款本金", Side.DEBIT)
        bank_book(LoanBook.INTEREST_INCOME, "贷款利息收入", Side.CREDIT)
        bank_book(LoanBook.PENALTY_INCOME, "贷款罚息收入", Side.CREDIT)

        # Menu group (ebank.core.menu): 贷款业务 after 定期存款/智能存款.
        menu_group(80, MenuSpec("贷款业务", children=tuple(
            menu_leaf(label, url_name) for label, url_name in LOAN_MENU)))

        # What the modules register at import: the X-CONFIRM kinds (security.confirm.registry)
        # loans.apply, loans.draw and loans.repay; the 复核 kind loans.approve
        # (security.staff.approvals.registry); the 柜面业务 panel's 贷款申请待审批
        # (security.staff.admin_index); the nightly steps (ebank.duework.nightly) 贷款到期扣款
        # (430), 贷款罚息复利计提 (440) and 贷款批复过期 (450); the admins.
        # Then the audit action labels (ebank.core.audit) and SMS purposes (security.tools.sms)
        # of apply, the book, the deduction and the review.
        from . import admin, nightly  # noqa: F401
        from .apply import operations as apply_operations  # noqa: F401
        from .apply.services import AUDIT_LABELS as APPLY_AUDIT_LABELS
        from .book import AUDIT_LABELS as BOOK_AUDIT_LABELS
        from .deduct import AUDIT_LABELS as DEDUCT_AUDIT_LABELS
        from .deduct import SMS_PURPOSES as DEDUCT_SMS_PURPOSES
        from .draw import operations as draw_operations  # noqa: F401
        from .repay import repayment  # noqa: F401
        from .review import admin as review_admin  # noqa: F401
        from .review import nightly as review_nightly  # noqa: F401
        from .review.services import AUDIT_LABELS as REVIEW_AUDIT_LABELS
        from .review.services import SMS_PURPOSES as REVIEW_SMS_PURPOSES
        audit_actions({**APPLY_AUDIT_LABELS, **BOOK_AUDIT_LABELS, **DEDUCT_AUDIT_LABELS,
                       **REVIEW_AUDIT_LABELS})
        sms_purposes({**DEDUCT_SMS_PURPOSES, **REVIEW_SMS_PURPOSES})

        # The staff index (security.staff.admin_sections): the 借据 beside the customers'
        # accounts; repayments, deductions and accruals with the transactions; applications,
        # the shelf, the LPR table and the settings in the app's own section.
        admin_section_place("loans", "loan", section="accounts", order=70)
        admin_section_place("loans", "repayment", section="transactions", order=90)
        admin_section_place("loans", "deduction", section="transactions", order=91)
        admin_section_place("loans", "accrual", section="transactions", order=92)

        # Staff permissions (security.staff.roles): tellers read the 借据 side and the shelf and
        # review applications (change = 审批); head office keeps the shelf, LPR and settings.
        role_grant(Role.TELLER, tuple(("loans", model, ("view",)) for model in (
            "loan", "instalment", "repayment", "deduction", "accrual", "loanproduct", "lprrate",
            "loansetting")))
        role_grant(Role.TELLER, (("loans", "loanapplication", ("view", "change")),))
        role_grant(Role.HEAD_OFFICE, (("loans", "loanproduct", ("add", "change")),
                                      ("loans", "lprrate", ("add", "change")),
                                      ("loans", "loansetting", ("add", "change"))))

        # Demo data (ebank.core.demo): the LPR table and the shelf.
        from .demo import demo_seed
        demo_part(80, demo_seed)
