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

        # --- TRF-BATCH: 批量转账's operation kind and due handler (transfers/batch/services.py).
        from .batch import services as batch_services
        sms_purposes({batch_services.PURPOSE_BATCH_FAILURES: "批量转账失败通知"})
        # --- end TRF-BATCH
