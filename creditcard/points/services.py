"""积分礼品兑换 (CC-POINTS): start → X-CONFIRM (a security tool) → the executor; and the staff's
已发货 / 撤销 (creditcard/points/admin.py).

The executor locks the customer's lots (``book.points_spend``, soonest-expiring first) and then
the gift row, so two redemptions of one customer queue on the lots and two of one gift queue on
its stock: neither the points nor the stock can be overspent. A 撤销 gives the points back to
the very lots they came from (``book.points_give_back``, validity unchanged) and the quantity
back to the stock.
"""

import secrets

from django.db import transaction
from django.db.models import F
from django.urls import reverse

from accounts.models import Customer
from ebank.core.audit import audit_record
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from security.confirm.services import operation_start
from security.models import PendingOperation

from ..models import Gift, Redemption, RedemptionStatus
from . import book

KIND_REDEEM = "creditcard.redeem"
QUANTITY_MAX = 99

REDEEM_ACTION = "creditcard.redeem"
SHIP_ACTION = "creditcard.redemption_ship"
CANCEL_ACTION = "creditcard.redemption_cancel"
AUDIT_LABELS = {REDEEM_ACTION: "积分礼品兑换", SHIP_ACTION: "积分兑换发货",
                CANCEL_ACTION: "积分兑换撤销"}


def redemption_number_new() -> str:
    """兑换编号: JD + the business day + 10 random digits (20 characters)."""
    return f"JD{business_day():%Y%m%d}{secrets.randbelow(10**10):010d}"


def gifts_available():
    """The catalogue the customer chooses from: 上架 and in stock, cheapest first."""
    return Gift.objects.filter(active=True, stock__gt=0).order_by("points", "code")


def redemption_start(*, user, gift: Gift, quantity: int, recipient: str, phone: str,
                     address: str, postcode: str) -> PendingOperation:
    """确定 on 积分礼品兑换 → the confirmation page (a USBKey or token: a customer without one is
    refused here with the flow's message, before anything is written). Points and stock are
    checked now for a clear message and again, under locks, by the executor."""
    customer = user.customer
    if not (1 <= quantity <= QUANTITY_MAX):
        raise BusinessError(f"兑换数量应为1至{QUANTITY_MAX}")
    if not gift.active:
        raise BusinessError("该礼品已下架，请选择其他礼品")
    if gift.stock < quantity:
        raise BusinessError(f"礼品库存不足（剩余{gift.stock}件）")
    needed = gift.points * quantity
    balance = book.points_balance(customer)
    if balance < needed:
        raise BusinessError(f"积分不足：兑换需{needed}分，当前可用积分{balance}分")
    return operation_start(
        user=user, kind=KIND_REDEEM,
        payload={"gift_id": gift.pk, "gift_points": gift.points, "quantity": quantity,
                 "recipient": recipient, "phone": phone, "address": address,
                 "postcode": postcode},
        summary=[("礼品编号", gift.code), ("礼品名称", gift.name),
                 ("所需积分", f"{gift.points}分"), ("兑换数量", str(quantity)),
                 ("消耗积分", f"{needed}分"), ("当前积分", f"{balance}分"),
                 ("收件人", recipient), ("联系电话", phone), ("收件地址", address),
                 ("邮政编码", postcode)],
        back_url=reverse("creditcard:gifts"))


def redemption_execute(*, operation: PendingOperation) -> Redemption:
    """The executor's work (in the confirmation's transaction): lots, then the gift, re-checked
    under their locks; the REDEEM move, the 兑换 row, the stock; an audit row. A refusal raises
    BusinessError and writes nothing."""
    existing = Redemption.objects.filter(operation=operation).first()
    if existing is not None:
        return existing
    p = operation.payload
    customer: Customer = operation.user.customer
    today = business_day()
    quantity = int(p["quantity"])
    gift = Gift.objects.filter(pk=p["gift_id"]).first()
    if gift is None or not gift.active:
        raise BusinessError("该礼品已下架，请选择其他礼品")
    if gift.points != int(p["gift_points"]):
        raise BusinessError("礼品所需积分已调整，请重新选择礼品")
    needed = gift.points * quantity
    number = redemption_number_new()
    with transaction.atomic():
        try:
            taken = book.points_spend(
                customer=customer, points=needed, on=today,
                reference=f"redeem:{operation.public_id}",
                description=f"积分兑换 {gift.name}×{quantity}（{number}）")
        except book.PointsShort as short:
            raise BusinessError(f"积分不足：兑换需{needed}分，当前可用积分{short.available}分",
                                code="points_short") from None
        locked = Gift.objects.select_for_update().get(pk=gift.pk)
        if not locked.active:
            raise BusinessError("该礼品已下架，请选择其他礼品")
        if locked.stock < quantity:
            raise BusinessError(f"礼品库存不足（剩余{locked.stock}件）", code="stock_short")
        Gift.objects.filter(pk=gift.pk).update(stock=F("stock") - quantity)
        redemption = Redemption.objects.create(
            number=number, customer=customer, gift=locked, quantity=quantity, points=needed,
            recipient=p["recipient"], phone=p["phone"], address=p["address"],
            postcode=p["postcode"], redeemed_on=today, operation=operation, lots=taken)
        audit_record(action=REDEEM_ACTION, actor=operation.user, customer_id=customer.pk,
                     object_ref=number,
                     detail={"gift": locked.code, "quantity": quantity, "points": needed,
                             "operation": operation.public_id})
    return redemption


def redemption_ship(*, staff, redemption: Redemption, ip: str | None = None) -> Redemption:
    """已发货 (a supervisor): only an 已受理 redemption."""
    with transaction.atomic():
        locked = Redemption.objects.select_for_update().get(pk=redemption.pk)
        if locked.status != RedemptionStatus.ACCEPTED:
            raise BusinessError(f"该兑换{locked.get_status_display()}，不能标记发货")
        locked.status = RedemptionStatus.SHIPPED
        locked.save(update_fields=["status"])
        audit_record(action=SHIP_ACTION, actor=staff, customer_id=locked.customer_id,
                     object_ref=locked.number, ip_address=ip, channel="admin",
                     detail={"gift": locked.gift.code, "quantity": locked.quantity})
    return locked


def redemption_cancel(*, staff, redemption: Redemption, reason: str,
                      ip: str | None = None) -> tuple[Redemption, int, int]:
    """撤销 (a supervisor, before shipping): the points go back to the lots they came from
    (those already past their expiry lapse), the quantity back to the stock; an audit row with
    the reason. Lock order as the executor: lots, then the gift. Returns (redemption, points
    given back, points lapsed)."""
    with transaction.atomic():
        locked = Redemption.objects.select_for_update().get(pk=redemption.pk)
        if locked.status != RedemptionStatus.ACCEPTED:
            raise BusinessError(f"该兑换{locked.get_status_display()}，不能撤销")
        today = business_day()
        given, lapsed = book.points_give_back(
            customer=locked.customer, taken=locked.lots, on=today,
            reference=f"restore:{locked.number}",
            description=f"兑换撤销退回 {locked.gift.name}×{locked.quantity}（{locked.number}）")
        Gift.objects.select_for_update().filter(pk=locked.gift_id).update(
            stock=F("stock") + locked.quantity)
        locked.status = RedemptionStatus.CANCELLED
        locked.save(update_fields=["status"])
        audit_record(action=CANCEL_ACTION, actor=staff, customer_id=locked.customer_id,
                     object_ref=locked.number, ip_address=ip, channel="admin",
                     detail={"reason": reason, "points_back": given, "points_lapsed": lapsed})
    return locked, given, lapsed
