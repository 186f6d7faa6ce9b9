"""SMS to a 短信服务 subscriber of the paying account when a bill payment was reversed (冲正):
the reason and 款项已退回. After the reversal commits; the account named by its last four
digits only."""


from django.conf import settings

from security.tools.services import subscriber_sms_send

from .models import BillKind, BillPayment, BillPaymentStatus

PURPOSE_BILL_REVERSED = "bill_reversed"
SMS_PURPOSES = {PURPOSE_BILL_REVERSED: "缴费冲正通知"}  # registered by PaymentsConfig.ready()


def bill_reversal_sms_text(*, payment: BillPayment) -> str:
    return (f"【{settings.BANK_NAME}】您尾号{payment.sub_account.medium.number[-4:]}的账户"
            f"{BillKind(payment.kind).label}（缴费号码{payment.customer_no}）"
            f"{payment.amount:,.2f}元未能缴纳，原因：{payment.failure_reason}。"
            f"款项已退回您的账户，详情请登录网上银行缴费记录查询。")


def bill_reversal_sms_send(*, number: str) -> bool:
    """Text the paying account's subscriber about a reversed payment; True when sent."""
    payment = (BillPayment.objects.select_related("sub_account__medium")
               .filter(number=number, status=BillPaymentStatus.REVERSED).first())
    if payment is None:
        return False
    return subscriber_sms_send(sub_account_id=payment.sub_account_id,
                               text=lambda: bill_reversal_sms_text(payment=payment),
                               purpose=PURPOSE_BILL_REVERSED, reference=payment.number)
