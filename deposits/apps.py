from django.apps import AppConfig

from ebank.core.demo import demo_part
from ebank.core.menu import MenuSpec, menu_group, menu_leaf


class DepositsConfig(AppConfig):
    name = "deposits"
    label = "deposits"
    verbose_name = "定期存款与智能存款"

    def ready(self):
        from ebank.ledger.business_types import business_types

        from .business_types import DepositBusinessType

        # Ledger business types (ebank.ledger.business_types).
        business_types(DepositBusinessType)

        # Menu group (ebank.core.menu): 定期存款/智能存款, after 基金/投资理财.
        menu_group(70, MenuSpec("定期存款/智能存款", children=(
            menu_leaf("我的定期存款", "deposits:index"),
            menu_leaf("整存整取", "deposits:fixed_open"),
            menu_leaf("定期支取", "deposits:fixed_withdraw"),
            menu_leaf("卡内预约转存", "deposits:plans"),
            menu_leaf("存本取息", "deposits:payouts"),
            menu_leaf("大额存单", "deposits:cd_products"),
            menu_leaf("大额存单支取", "deposits:cd_list"),
        )))

        # Audit action labels (ebank.core.audit): the deposits' own and the rate table's writes.
        from ebank.core.audit import audit_actions

        from .audit_labels import LABELS
        from .rates import AUDIT_LABELS as RATE_AUDIT_LABELS
        audit_actions(LABELS)
        audit_actions(RATE_AUDIT_LABELS)

        # X-CONFIRM operation kinds (security.confirm.registry), the nightly batch steps
        # 活期积数累计, 活期结息, 定期到期处理 and 卡内预约转存 (ebank.duework.nightly), and each deposit's facts beside its sub-account
        # on 账户总览 / 账户详情 (accounts.pages.facts).
        from accounts.pages.facts import sub_account_facts_provider

        from . import maturity, nightly, operations, plan_nightly  # noqa: F401
        from .selectors import deposit_facts
        sub_account_facts_provider(deposit_facts)

        # 大额存单 / 存本取息 (DEP-CD, DEP-CBQX): X-CONFIRM kinds, the nightly steps 大额存单到期处理
        # (215) and 存本取息付息 (220), the counter action 存本取息开户, the products' facts.
        from . import cd_payout_nightly, interest_account  # noqa: F401
        from .largecd import operations as cd_operations  # noqa: F401
        from .models import Product
        from .payout import counter as payout_counter  # noqa: F401
        from .payout import operations as payout_operations  # noqa: F401
        from .payout.services import payout_interest_today, payout_lines
        from .product_facts import deposit_product_facts
        deposit_product_facts(Product.INTEREST_PAYOUT, interest=payout_interest_today,
                              lines=payout_lines)

        # 大额存单产品 in the staff admin (Django's autodiscover reads deposits/admin.py only).
        from . import admin_cd  # noqa: F401

        # Demo data (ebank.core.demo): the rate table, after the bank, its customers and staff
        # (30); the place of the app's menu group.
        from .demo import demo_seed
        demo_part(70, demo_seed)

        # The staff index (security.staff.admin_sections): 定期存款 beside the sub-accounts
        # that hold them; 活期积数 with head office's books. 存款利率表 and 大额存单产品 stay in
        # the app's own section (定期存款与智能存款).
        from security.staff.admin_sections import admin_section_place
        admin_section_place("deposits", "deposit", section="accounts", order=50)
        admin_section_place("deposits", "currentaccrual", section="books", order=50)
