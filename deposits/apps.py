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
            # 零存整取 (deposits/instalment/): 卡内活期转定期 储种 零存整取 (开户/续存),
            # the manual's 零存整取存折续存, and its 销户/到期支取.
            menu_leaf("零存整取", "deposits:instalment"),
            menu_leaf("零存整取存折续存", "deposits:instalment_book"),
            menu_leaf("零存整取支取", "deposits:instalment_withdraw"),
            menu_leaf("零存宝", "deposits:lcb_open"),
            # 智能存款 (deposits/smart).
            menu_leaf("悠悦宝", "deposits:youyuebao_open"),
            menu_leaf("悠悦宝支取", "deposits:youyuebao_withdraw"),
            menu_leaf("利先得支取", "deposits:lixiande_withdraw"),
            menu_leaf("通知存款开户", "deposits:notice_open"),
            menu_leaf("通知存款支取", "deposits:notice_withdraw"),
            menu_leaf("活期宝", "deposits:hqb"),
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

        # 零存整取 (deposits/instalment/): its X-CONFIRM kinds, the nightly step 零存整取违约检查
        # and its 账户总览 facts (每月存额, 已存期数, 违约).
        from .instalment import nightly as _instalment_nightly  # noqa: F401
        from .instalment import operations as _instalment_operations  # noqa: F401
        from .instalment.services import fact_lines, interest_to_date
        from .models import Product
        from .product_facts import deposit_product_facts
        deposit_product_facts(Product.INSTALMENT, interest=interest_to_date, lines=fact_lines)

        # 通知存款 and 活期宝 (deposits/notice/): X-CONFIRM kinds, the nightly 活期宝归集, the
        # counter action 活期宝签约, the products' lines on 账户总览.
        # 大额存单产品 in the staff admin (Django's autodiscover reads deposits/admin.py only).
        from . import admin_cd  # noqa: F401

        # Demo data (ebank.core.demo): the rate table, after the bank, its customers and staff
        # (30); the place of the app's menu group.
        from .demo import demo_seed
        from .notice import counter, facts  # noqa: F401
        from .notice import operations as notice_operations  # noqa: F401
        demo_part(70, demo_seed)

        # The staff index (security.staff.admin_sections): 定期存款 beside the sub-accounts
        # that hold them; 活期积数 with head office's books. 存款利率表 and 大额存单产品 stay in
        # the app's own section (定期存款与智能存款).
        from security.staff.admin_sections import admin_section_place
        admin_section_place("deposits", "deposit", section="accounts", order=50)
        admin_section_place("deposits", "currentaccrual", section="books", order=50)

        # 零存宝 (DEP-LCB): its X-CONFIRM kinds, 账户总览 facts and the setting's admin.
        from .lingcunbao import admin as lcb_admin  # noqa: F401
        from .lingcunbao import facts as lcb_facts  # noqa: F401
        from .lingcunbao import operations as lcb_operations  # noqa: F401

        # 智能存款 (deposits/smart): 悠悦宝 and 利先得 — their X-CONFIRM kinds, product facts,
        # the counter action 利先得开户 and the admin of 悠悦宝网银业务设置.
        from .smart import admin, counter, facts  # noqa: F401, I001
