from importlib import import_module

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

        # Menu group (ebank.core.menu): 定期存款/智能存款, after 基金/投资理财, in the manual's
        # order — 定期存款 (整存整取 and 零存整取, 卡内预约转存), then 智能存款.
        menu_group(70, MenuSpec("定期存款/智能存款", children=(
            menu_leaf("我的定期存款", "deposits:index"),
            menu_leaf("整存整取", "deposits:fixed_open"),
            menu_leaf("定期支取", "deposits:fixed_withdraw"),
            menu_leaf("零存整取", "deposits:instalment"),
            menu_leaf("零存整取支取", "deposits:instalment_withdraw"),
            menu_leaf("零存整取存折续存", "deposits:instalment_book"),
            menu_leaf("卡内预约转存", "deposits:plans"),
            menu_leaf("悠悦宝", "deposits:youyuebao_open"),
            menu_leaf("悠悦宝支取", "deposits:youyuebao_withdraw"),
            menu_leaf("零存宝", "deposits:lcb_open"),
            menu_leaf("利先得支取", "deposits:lixiande_withdraw"),
            menu_leaf("活期宝", "deposits:hqb"),
            menu_leaf("存本取息", "deposits:payouts"),
            menu_leaf("通知存款开户", "deposits:notice_open"),
            menu_leaf("通知存款支取", "deposits:notice_withdraw"),
            menu_leaf("大额存单", "deposits:cd_products"),
            menu_leaf("大额存单支取", "deposits:cd_list"),
        )))

        # Staff permissions on the deposits' models (security.staff.roles): tellers read them,
        # head office keeps the rate table and the products.
        from security.staff.roles import Role, role_grant
        role_grant(Role.TELLER, (
            ("deposits", "depositrate", ("view",)),
            ("deposits", "deposit", ("view",)),
            ("deposits", "largecdproduct", ("view",)),
            ("deposits", "lingcunbaosetting", ("view",)),
            ("deposits", "youyuebaosetting", ("view",)),
        ))
        role_grant(Role.HEAD_OFFICE, (
            ("deposits", "depositrate", ("add", "change", "delete")),
            ("deposits", "largecdproduct", ("add", "change", "delete")),
            ("deposits", "lingcunbaosetting", ("add", "change", "delete")),
            ("deposits", "youyuebaosetting", ("add", "change", "delete")),
            ("deposits", "currentaccrual", ("view",)),
        ))

        # Audit action labels (ebank.core.audit): the deposits' own and the rate table's writes.
        from ebank.core.audit import audit_actions

        from .audit_labels import LABELS
        from .rates import AUDIT_LABELS as RATE_AUDIT_LABELS
        audit_actions(LABELS)
        audit_actions(RATE_AUDIT_LABELS)

        # Each deposit's facts beside its sub-account on 账户总览 / 账户详情
        # (accounts.pages.facts); each product's part of them registers in its area's facts.py
        # (deposits.product_facts).
        from accounts.pages.facts import sub_account_facts_provider

        from .selectors import deposit_facts
        sub_account_facts_provider(deposit_facts)

        # What the modules register at import: X-CONFIRM kinds (security.confirm.registry),
        # nightly steps (ebank.duework.nightly), counter actions (security.staff.counter),
        # product facts, and the admin of the settings (Django's autodiscover reads
        # deposits/admin.py only).
        for module in (
            "operations", "maturity", "nightly", "plan_nightly", "admin_cd",  # 整存整取, 活期, 预约
            "instalment.operations", "instalment.nightly", "instalment.facts",  # 零存整取
            "lingcunbao.operations", "lingcunbao.facts", "lingcunbao.admin",  # 零存宝
            "smart.operations", "smart.counter", "smart.facts", "smart.admin",  # 悠悦宝, 利先得
            "smart.nightly",
            "notice.operations", "notice.counter", "notice.facts", "notice.nightly",  # 通知, 活期宝
            "largecd.operations", "largecd.facts", "cd_payout_nightly",  # 大额存单
            "payout.operations", "payout.counter", "payout.facts", "interest_account",  # 存本取息
        ):
            import_module(f"{self.name}.{module}")

        # Demo data (ebank.core.demo): the rate table and the demo customers' deposits, after
        # the bank, its customers and staff (30); the place of the app's menu group.
        from .demo import demo_seed
        demo_part(70, demo_seed)

        # The staff index (security.staff.admin_sections): 定期存款 beside the sub-accounts
        # that hold them; 活期积数 with head office's books. 存款利率表, 大额存单产品 and the
        # products' settings stay in the app's own section (定期存款与智能存款).
        from security.staff.admin_sections import admin_section_place
        admin_section_place("deposits", "deposit", section="accounts", order=50)
        admin_section_place("deposits", "currentaccrual", section="books", order=50)
