from django.apps import AppConfig

from ebank.core.demo import demo_part
from ebank.core.menu import MenuSpec, menu_group, menu_leaf


class AccountsConfig(AppConfig):
    name = "accounts"
    label = "accounts"
    verbose_name = "账户管理"

    def ready(self):
        from . import nightly  # noqa: F401  (registers the nightly batch steps)

        # Menu group (ebank.core.menu): 账户管理, after 首页.
        menu_group(20, MenuSpec("账户管理", children=(
            menu_leaf("账户总览", "accounts:overview"),
            menu_leaf("交易明细查询", "accounts:history"),
            menu_leaf("网银日志查询", "security:audit_log"),
            menu_leaf("关联账户管理", "accounts:linked"),
            menu_leaf("账户挂失", "accounts:loss"),
            menu_leaf("电子回单查询", "accounts:receipts"),
            menu_leaf("电子回单校验", "accounts:receipt_verify"),
        )))

        # Audit action labels (ebank.core.audit).
        from ebank.core.audit import audit_actions

        from .audit_labels import LABELS
        audit_actions(LABELS)

        # Demo data (ebank.core.demo): the bank, its customers and media, after the bank codes.
        from .demo import demo_seed
        demo_part(20, demo_seed)
