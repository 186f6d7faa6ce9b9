"""STF-MSG: staff answer customers' 留言 (SVC-MSG) within two working days (due_date)."""

from django.db import transaction
from django.utils import timezone

from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError
from security.models import CustomerMessage, User

from .common import staff_scope_check


@transaction.atomic(durable=True)
def customer_message_reply(*, acting_user: User, message: CustomerMessage,
                           reply: str) -> CustomerMessage:
    """Answer one 留言 once; the customer reads it in 留言管理."""
    message = CustomerMessage.objects.select_for_update(of=("self",)).select_related(
        "user__customer").get(pk=message.pk)
    customer = message.user.customer
    if customer is None:
        raise BusinessError("该留言不属于客户")
    staff_scope_check(staff=acting_user, customer=customer)
    reply = (reply or "").strip()
    if not reply:
        raise BusinessError("请填写回复内容")
    if message.replied_at is not None:
        raise BusinessError("该留言已回复")
    message.reply = reply
    message.replied_at = timezone.now()
    message.replied_by = acting_user
    message.save(update_fields=["reply", "replied_at", "replied_by"])
    audit_record(action="customer_message_reply", actor=acting_user, customer_id=customer.pk,
                 object_ref=f"customer_message:{message.pk}", channel="admin",
                 detail={"overdue": message.due_date < timezone.localdate()})
    return message
