"""seed_demo's part 52 (registered in CreditcardConfig.ready()): the 积分礼品 catalogue head
office keeps in the admin. Idempotent: a gift is created once by its code, never changed."""

from ..models import Gift

GIFTS = (
    ("GF0001", "定制保温杯", 3000, 200, "304不锈钢，500毫升"),
    ("GF0002", "旅行收纳套装", 6000, 120, "六件套"),
    ("GF0003", "蓝牙音箱", 18000, 50, "便携式，续航10小时"),
    ("GF0004", "空气炸锅", 36000, 30, "4.5升大容量"),
)


def demo_seed(out) -> None:
    for code, name, points, stock, description in GIFTS:
        Gift.objects.get_or_create(
            code=code, defaults={"name": name, "points": points, "stock": stock,
                                 "description": description, "active": True})
    out.success(f"积分礼品: {len(GIFTS)} gifts in the catalogue")
