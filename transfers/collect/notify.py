"""SMS to the customer when an 自动归集 run failed, or when its result is not known yet
(处理中: the other bank answered nothing) — 短信服务 subscribers of the receiving account.

As transfers' failure notice: after the failure commits, only for an ACTIVE subscription on the
receiving sub-account, the accounts named by their last four digits only.
"""

import logging

from django.conf import settings

from security.models import SmsSubscription
from security.tools.services import sms_send
from transfers.models import CollectionRun, CollectionRunStatus

logger = logging.getLogger(__name__)

PURPOSE_COLLECT_FAILED = "collect_failed"
PURPOSE_COLLECT_PENDING = "collect_pending"


def collect_run_sms_text(*, run: CollectionRun) -> str:
    agreement = run.agreement
    what = (f"【{settings.BANK_NAME}】您设置的自动归集（{agreement.bank_name}尾号"
            f"{agreement.account_number[-4:]}转入尾号{run.to_sub_account.medium.number[-4:]}）"
            f"{run.run_date:%m月%d日}")
    if run.status == CollectionRunStatus.PROCESSING:
        return (f"{what}处理中，结果待确认：他行尚未返回扣款结果，我行将继续查询，"
                f"他行已扣款的款项将转入您的账户，详情请登录网上银行归集管理查询。")
    # Only a run the other bank refused, or that never reached it, is FAILED.
    return (f"{what}未能完成，原因：{run.reason}。他行账户未扣款，"
            f"详情请登录网上银行归集管理查询。")


def collect_run_sms_send(*, run_id: int) -> bool:
    """Text the receiving account's subscriber about a FAILED or still 处理中 run; True when
    sent."""
    run = (CollectionRun.objects.select_related("agreement", "to_sub_account__medium")
           .filter(pk=run_id, plan__isnull=False,
                   status__in=[CollectionRunStatus.FAILED, CollectionRunStatus.PROCESSING])
           .first())
    if run is None:
        return False
    subscription = SmsSubscription.objects.filter(sub_account_id=run.to_sub_account_id,
                                                  active=True).first()
    if subscription is None:
        return False
    text = collect_run_sms_text(run=run)
    try:
        if run.status == CollectionRunStatus.PROCESSING:
            sms_send(phone=subscription.phone, text=text, purpose=PURPOSE_COLLECT_PENDING)
        else:
            sms_send(phone=subscription.phone, text=text, purpose=PURPOSE_COLLECT_FAILED)
    except Exception:
        logger.warning("SMS for collection run %s not sent", run.reference, exc_info=True)
        return False
    return True


