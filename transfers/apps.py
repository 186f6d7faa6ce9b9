from django.apps import AppConfig

from ebank.core.demo import demo_part
from ebank.core.menu import MenuSpec, menu_group, menu_leaf
from ebank.ledger.business_types import business_types


class TransfersConfig(AppConfig):
    name = "transfers"
    label = "transfers"
    verbose_name = "转账汇款"

    def ready(self):
        # Ledger business types (ebank.ledger.business_types): transfers, and 跨行资金归集.
        from .models import OtherBankBusinessType, TransferBusinessType
        business_types(TransferBusinessType)
        business_types(OtherBankBusinessType)

        # Staff permissions (security.staff.roles): tellers read transfers and payees.
        from security.staff.roles import Role, role_grant
        role_grant(Role.TELLER, (("transfers", "transfer", ("view",)),
                                 ("transfers", "payee", ("view",))))

        # Audit action labels (ebank.core.audit).
        from ebank.core.audit import audit_actions

        from .audit_labels import LABELS
        audit_actions(LABELS)

        # SMS purpose labels (security.tools.sms): the 短信发件箱 names each notice.
        from security.tools.sms import sms_purposes

        from .batch.services import PURPOSE_BATCH_FAILURES
        from .collect.notify import PURPOSE_COLLECT_FAILED, PURPOSE_COLLECT_PENDING
        from .services.notify import PURPOSE_TRANSFER_FAILED
        sms_purposes({PURPOSE_TRANSFER_FAILED: "转账失败通知",
                      PURPOSE_BATCH_FAILURES: "批量转账失败通知",
                      PURPOSE_COLLECT_FAILED: "自动归集失败通知",
                      PURPOSE_COLLECT_PENDING: "自动归集结果待确认通知"})

        # Demo data (ebank.core.demo): the demo customers' cards at the simulated other banks,
        # after the e-banking users (30).
        from .otherbank.demo import demo_seed as otherbank_demo_seed
        demo_part(36, otherbank_demo_seed)

        # The X-CONFIRM kinds, their result pages and the due-work handlers of every area:
        # transfers.own/intra/inter (services/), transfers.periodic + transfers.periodic_run
        # (periodic/), transfers.batch + transfers.batch_run (batch/), the other-bank signing,
        # 跨行资金归集, 自动归集设置 and transfers.collect_run (otherbank/, collect/). A Celery
        # worker never loads the URLconf, so the registrations must not depend on the views.
        from .batch import services as batch_services  # noqa: F401
        from .collect import services as collect_services  # noqa: F401
        from .otherbank import services as otherbank_services  # noqa: F401
        from .periodic import services as periodic_services  # noqa: F401
        from .services import execution, inter, outcome, own_intra  # noqa: F401

        # Menu group (ebank.core.menu): 转账汇款, after 账户管理 — the manual's tree flattened:
        # 本行转账, 跨行转账, 批量转账, 定时转账, 转账管理. (他行账户管理 and 资金归集管理 are pages
        # of this app that the manual puts under 账户管理: accounts' group names them.)
        menu_group(30, MenuSpec("转账汇款", children=(
            menu_leaf("关联账户互转", "transfers:own"),
            menu_leaf("行内转账", "transfers:intra"),
            menu_leaf("跨行转账", "transfers:inter"),
            menu_leaf("跨行资金归集", "transfers:collect_pull"),
            menu_leaf("批量行内转账", "transfers:batch_intra"),
            menu_leaf("批量跨行转账", "transfers:batch_inter"),
            menu_leaf("联行号查询", "transfers:bank_codes"),
            menu_leaf("批量转账查询", "transfers:batch_list"),
            menu_leaf("定时转账设置", "transfers:periodic_new"),
            menu_leaf("定时转账维护", "transfers:scheduled"),
            menu_leaf("定时转账执行查询", "transfers:periodic_runs"),
            menu_leaf("预约交易管理", "transfers:reserved"),
            menu_leaf("收款人管理", "transfers:payees"),
            menu_leaf("网银转账查询", "transfers:history"),
        )))
