"""The simulated billers' demo data (seed_demo part 38): the nine demo billers and a few of their
customers for the demo customers (by name only: this lower app knows no customer of ours).
payments' own demo registers the same codes on our side (Biller rows and ledger books).
Idempotent: a bill already there is left as the demo has paid it."""

from decimal import Decimal

from .models import SimBill
from .simulator import KNOWN_BILLERS, sim_bill_put, sim_biller_open

# (biller code, 缴费号码, 户名, 应缴金额, fixed, 账期, 地址, 话费余额, 国库申报序号, 税种明细)
DEMO_BILLS = (
    ("WATER01", "1001234501", "张伟", "86.40", False, "2026年11月", "合肥市蜀山区长江西路88号",
     None, "", ()),
    ("WATER01", "1001234502", "李娜", "52.80", False, "2026年11月", "合肥市包河区徽州大道16号",
     None, "", ()),
    ("POWER01", "3400123456", "张伟", "218.65", False, "2026年11月", "合肥市蜀山区长江西路88号",
     None, "", ()),
    ("POWER01", "3400123457", "王芳", "0.00", False, "2026年11月", "芜湖市镜湖区中山路8号",
     None, "", ()),
    ("GAS01", "2200887601", "张伟", "64.00", False, "2026年11月", "合肥市蜀山区长江西路88号",
     None, "", ()),
    ("HEAT01", "5100200301", "张伟", "1860.00", True, "2026-2027采暖季",
     "合肥市蜀山区长江西路88号", None, "", ()),
    ("HEAT01", "5100200302", "李娜", "1520.00", True, "2026-2027采暖季",
     "合肥市包河区徽州大道16号", None, "", ()),
    ("TAX01", "334010026110000001", "张伟", None, True, "2026年10月", "", None,
     "3401002611000001", (("个人所得税", "1200.00"), ("城市维护建设税", "84.00"),
                          ("教育费附加", "36.00"))),
    ("CMCC01", "13805510001", "张伟", "0.00", False, "", "", "12.50", "", ()),
    ("CMCC01", "13905510002", "李娜", "35.20", False, "2026年11月", "", "0.00", "", ()),
    ("CTT01", "055162881234", "张伟", "48.00", False, "2026年11月", "", "0.00", "", ()),
    ("CU01", "18655100001", "王芳", "0.00", False, "", "", "26.00", "", ()),
    ("CT01", "18955100004", "刘洋", "19.90", False, "2026年11月", "", "3.10", "", ()),
)


def demo_seed(out) -> None:
    for code in KNOWN_BILLERS:
        sim_biller_open(code)
    out.line("simulated billers (缴费单位模拟器) ready — 缴费号码:")
    for (code, number, name, owed, fixed, period, address, balance, serial,
         lines) in DEMO_BILLS:
        if not SimBill.objects.filter(biller__code=code, customer_no=number).exists():
            sim_bill_put(code, number, name=name,
                         amount_owed=None if owed is None else Decimal(owed), fixed=fixed,
                         period=period, address=address, balance=balance,
                         treasury_serial=serial, tax_lines=lines)
        bill = SimBill.objects.get(biller__code=code, customer_no=number)
        extra = "（固定金额）" if fixed else ""
        if balance is not None:
            extra += f" 话费余额 {bill.balance}"
        out.line(f"  {KNOWN_BILLERS[code]}（{code}） {number} {name} "
                 f"应缴 {bill.amount_owed}{extra}")
    out.success("缴费单位模拟器 ready")
