"""理财交易撤单 (WLT-CANCEL): the checks, the start and the X-CONFIRM executor.

撤单 is allowed while the order is 待确认 and before its ``cancel_until`` (the trade date's
15:00, a 认购's 募集期 last day 15:00, or a private product's 冷静期 when that ends later). The
executor locks the ``Order`` row first (the lock order of docs/wealth.md), checks both again,
then releases the hold (认购/申购) or unfreezes the shares (赎回). The nightly confirmation takes
the same Order lock, so of a 撤单 and the confirmation of one order exactly one happens.
"""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from ebank.core.audit import audit_record
from ebank.core.clock import SHANGHAI
from ebank.core.errors import BusinessError
from ebank.core.money import format_cny
from ebank.ledger.models import HoldStatus
from ebank.ledger.services import hold_release
from security.confirm.services import operation_start
from security.models import PendingOperation

from ..book import share_account_for, share_unfreeze
from ..models import BUY_KINDS, Order, OrderStatus
from .selectors import SETTLED_KINDS, order_lines

KIND_CANCEL = "wealth.cancel"
CANCEL_ACTION = "wealth.order_cancel"
AUDIT_LABELS = {CANCEL_ACTION: "理财交易撤单"}

TOO_LATE = "已过撤单时间，该交易不能撤单"
ALREADY_CONFIRMED = "该交易已确认，不能撤单"
ALREADY_CANCELLED = "该交易已撤单"
ALREADY_FAILED = "该交易已失败，无需撤单"
NOT_HERE = "该交易不能在此撤单"
CANCELLED_MONEY = "撤单成功，冻结资金已解冻"
CANCELLED_SHARES = "撤单成功，冻结份额已解冻"


class CancelRefused(BusinessError):
    code = "wealth_cancel_refused"
    default_message = "该交易不能撤单"


def cancel_check(order: Order, now: datetime | None = None) -> None:
    """Whether ``order`` may be cancelled at ``now``; CancelRefused with the reason if not."""
    now = now or timezone.now()
    if order.kind not in SETTLED_KINDS:
        raise CancelRefused(NOT_HERE)
    if order.status in (OrderStatus.CONFIRMED, OrderStatus.PAID):
        raise CancelRefused(ALREADY_CONFIRMED)
    if order.status == OrderStatus.CANCELLED:
        raise CancelRefused(ALREADY_CANCELLED)
    if order.status == OrderStatus.FAILED:
        raise CancelRefused(ALREADY_FAILED)
    if order.cancel_until is None or now >= order.cancel_until:
        raise CancelRefused(TOO_LATE)


def order_cancel_start(*, user, order: Order) -> PendingOperation:
    """The 撤单 page's 确认: X-CONFIRM with the 数字证书 (the manual's 验证数字证书密码)."""
    cancel_check(order)
    payload = {"order": order.number}
    if order.kind in BUY_KINDS:
        payload["amount"] = f"{order.amount:.2f}"
    # The page's own 交易类型 is 理财交易撤单: the order's kind is the 原交易类型.
    summary = [("原交易类型" if label == "交易类型" else label, value)
               for label, value in order_lines(order) if label not in ("申请金额", "状态")]
    return operation_start(user=user, kind=KIND_CANCEL, payload=payload, summary=summary,
                           back_url=reverse("wealth:cancel_list"))


def order_cancel_execute(*, operation: PendingOperation) -> dict:
    """Under the Order lock: still 待确认 and inside its window, then the hold released (or the
    shares unfrozen), the order 已撤单, an audit row."""
    order = (Order.objects.select_for_update(of=("self",)).select_related("product")
             .filter(number=operation.payload["order"],
                     customer_id=operation.user.customer_id).first())
    if order is None:
        raise CancelRefused("没有这笔理财交易")
    now = timezone.now()
    cancel_check(order, now)
    if order.kind in BUY_KINDS:
        if order.hold_id is None:
            raise CancelRefused("该交易没有冻结资金，不能撤单")
        hold = hold_release(hold=order.hold)
        if hold.status != HoldStatus.RELEASED:
            raise CancelRefused("资金冻结已结束，不能撤单")
        message = CANCELLED_MONEY
        lines = [["解冻金额", format_cny(order.amount)]]
    else:
        share_unfreeze(account=share_account_for(product=order.product,
                                                 customer=order.customer),
                       shares=order.shares)
        message = CANCELLED_SHARES
        lines = [["解冻份额", f"{order.shares:,.4f}份"]]
    order.status = OrderStatus.CANCELLED
    order.closed_at = now
    order.save(update_fields=["status", "closed_at"])
    audit_record(action=CANCEL_ACTION, actor=operation.user, customer_id=order.customer_id,
                 object_ref=f"wealth_order:{order.number}",
                 detail={"kind": order.kind, "product": order.product.code,
                         "amount": str(order.amount) if order.amount is not None else "",
                         "shares": str(order.shares) if order.shares is not None else ""})
    return {"message": message,
            "lines": [["交易流水号", order.number],
                      ["产品", f"{order.product.name}（{order.product.code}）"],
                      ["原交易类型", order.get_kind_display()], *lines,
                      ["撤单时间", timezone.localtime(now, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")]]}
