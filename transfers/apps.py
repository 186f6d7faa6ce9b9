from django.apps import AppConfig

from ebank.core.menu import MenuSpec, menu_group, menu_leaf
from ebank.ledger.business_types import business_types


class TransfersConfig(AppConfig):
    name = "transfers"
    label = "transfers"
    verbose_name = "转账汇款"

    def ready(self):
        # Ledger business types (ebank.ledger.business_types).
        from .models import TransferBusinessType
        business_types(TransferBusinessType)

        # Register the X-CONFIRM kinds (transfers.own, transfers.intra, transfers.inter), their
        # result pages (outcome) and the due-work handlers (transfers.execute and the inter-bank
        # ones). A Celery worker never loads the URLconf, so the registrations must not depend
        # on the views being imported.
        # Audit action labels (ebank.core.audit).
        from ebank.core.audit import audit_actions

        from .audit_labels import LABELS
        from .services import execution, inter, outcome, own_intra  # noqa: F401
        audit_actions(LABELS)

        # SMS purpose labels (security.tools.sms): the 短信发件箱 names the failure notice.
        from security.tools.sms import sms_purposes

        from .services.notify import PURPOSE_TRANSFER_FAILED
        sms_purposes({PURPOSE_TRANSFER_FAILED: "转账失败通知"})

        # Menu group (ebank.core.menu): 转账汇款, after 账户管理.
        menu_group(30, MenuSpec("转账汇款", children=(
            menu_leaf("关联账户互转", "transfers:own"),
            menu_leaf("行内转账", "transfers:intra"),
            menu_leaf("跨行转账", "transfers:inter"),
            menu_leaf("收款人管理", "transfers:payees"),
            menu_leaf("联行号查询", "transfers:bank_codes"),
            menu_leaf("预约交易管理", "transfers:reserved"),
            menu_leaf("定时转账", "transfers:scheduled"),
            menu_leaf("网银转账查询", "transfers:history"),
        )))

        # --- 他行账户管理 and 资金归集 (ACC-OTHERBANK, ACC-COLLECT, TRF-PULL) ---
        # Business type 跨行资金归集, the X-CONFIRM kinds (支付签约, 跨行资金归集, 自动归集设置),
        # their result page and the due handler transfers.collect_run (docs/otherbanks.md).
        from .collect import services as collect_services  # noqa: F401
        from .models import OtherBankBusinessType
        from .otherbank import services as otherbank_services  # noqa: F401
        business_types(OtherBankBusinessType)

        # Demo data (ebank.core.demo): the demo customers' cards at the simulated other banks,
        # after the e-banking users (30).
        from ebank.core.demo import demo_part

        from .otherbank.demo import demo_seed as otherbank_demo_seed
        demo_part(36, otherbank_demo_seed)

        # SMS purpose label (security.tools.sms): 自动归集's failure notice.
        from security.tools.sms import sms_purposes as collect_sms_purposes

        from .collect.notify import PURPOSE_COLLECT_FAILED, PURPOSE_COLLECT_PENDING
        collect_sms_purposes({PURPOSE_COLLECT_FAILED: "自动归集失败通知",
                              PURPOSE_COLLECT_PENDING: "自动归集结果待确认通知"})
