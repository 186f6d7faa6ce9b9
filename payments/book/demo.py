"""seed_demo's part 41 (registered in PaymentsConfig.ready()): 张伟's 缴费登记簿 — his 电费 户号
and his mobile number, each with a 备注名. Idempotent."""

from accounts.models import Customer
from payments.models import BillBookEntry, BillKind

ZHANG_CIF = "3401010001"
ENTRIES = (
    (BillKind.POWER, "3400123456", "家里电费"),
    (BillKind.MOBILE, "13805510001", "我的手机"),
)


def demo_seed(out) -> None:
    customer = Customer.objects.filter(cif_no=ZHANG_CIF).first()
    if customer is None:
        out.line("  缴费登记簿: 张伟 not found, nothing seeded")
        return
    for kind, number, alias in ENTRIES:
        BillBookEntry.objects.get_or_create(customer=customer, kind=kind, customer_no=number,
                                            defaults={"alias": alias})
    out.success("demo 缴费登记簿 ready:")
    for kind, number, alias in ENTRIES:
        out.line(f"  张伟 {BillKind(kind).label} {number}（{alias}）")
