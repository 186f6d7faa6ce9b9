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
            # 他行账户管理 and 资金归集管理 are pages of transfers (they need the confirmation
            # flow); named here by URL only, as the manual places them under 账户管理.
            menu_leaf("他行账户查询签约", "transfers:otherbank_sign_query"),
            menu_leaf("他行账户支付签约", "transfers:otherbank_sign_pay"),
            menu_leaf("签约协议管理", "transfers:otherbank_agreements"),
            menu_leaf("他行账户查询", "transfers:otherbank_balance"),
            menu_leaf("操作记录查询", "transfers:otherbank_log"),
            menu_leaf("电子回单查询", "accounts:receipts"),
            menu_leaf("电子回单校验", "accounts:receipt_verify"),
            menu_leaf("自动归集设置", "transfers:collect_new"),
            menu_leaf("归集管理查询", "transfers:collect_list"),
        )))

        # Audit action labels (ebank.core.audit).
        from ebank.core.audit import audit_actions

        from .audit_labels import LABELS
        audit_actions(LABELS)

        # Demo data (ebank.core.demo): the bank, its customers and media, after the bank codes.
        from .demo import demo_seed
        demo_part(20, demo_seed)
