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
        from ebank.ledger.bank_books import bank_book
        from ebank.ledger.models import Side

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

        # Audit action labels (ebank.core.audit).
        from .book import AUDIT_LABELS
        audit_actions(AUDIT_LABELS)

        # 个人贷款申请 and its review (loans/apply, loans/review): the X-CONFIRM kind
        # loans.apply (security.confirm.registry); the 复核 kind loans.approve
        # (security.staff.approvals.registry), the admins and the 柜面业务 panel's 贷款申请待审批
        # (security.staff.admin_index); the nightly step 贷款批复过期 (ebank.duework.nightly, 450).
        from security.staff.roles import Role, role_grant
        from security.tools.sms import sms_purposes

        from .apply import operations as apply_operations  # noqa: F401
        from .apply.services import AUDIT_LABELS as APPLY_AUDIT_LABELS
        from .review import admin as review_admin  # noqa: F401
        from .review import nightly as review_nightly  # noqa: F401
        from .review.services import AUDIT_LABELS as REVIEW_AUDIT_LABELS
        from .review.services import SMS_PURPOSES as REVIEW_SMS_PURPOSES
        # Audit action labels (ebank.core.audit).
        audit_actions({**APPLY_AUDIT_LABELS, **REVIEW_AUDIT_LABELS})
        # SMS purposes (security.tools.sms): 审批结果通知.
        sms_purposes(REVIEW_SMS_PURPOSES)
        # Staff permissions (security.staff.roles): tellers read the applications and review
        # them (change = 审批), read the shelf; head office keeps the shelf, LPR and settings.
        role_grant(Role.TELLER, (("loans", "loanapplication", ("view", "change")),
                                 ("loans", "loanproduct", ("view",)),
                                 ("loans", "lprrate", ("view",)),
                                 ("loans", "loansetting", ("view",))))
        role_grant(Role.HEAD_OFFICE, (("loans", "loanproduct", ("add", "change")),
                                      ("loans", "lprrate", ("add", "change")),
                                      ("loans", "loansetting", ("add", "change"))))
        # Demo data (ebank.core.demo): the LPR table and the shelf.
        from ebank.core.demo import demo_part

        from .demo import demo_seed
        demo_part(80, demo_seed)
