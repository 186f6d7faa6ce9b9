"""自助缴费's demo data (seed_demo part 40, after the simulated billers at 38): the nine demo
billers registered on our side (Biller, the head-office default BranchBiller, and their two
ledger books each) through ``biller_register``. Idempotent."""

from .models import BillKind
from .services import biller_register

DEMO_BILLERS = (
    ("WATER01", BillKind.WATER, "合肥供水集团"),
    ("POWER01", BillKind.POWER, "国网安徽省电力有限公司"),
    ("GAS01", BillKind.GAS, "合肥燃气集团"),
    ("HEAT01", BillKind.HEATING, "合肥热电集团"),
    ("TAX01", BillKind.TAX, "国家税务总局安徽省税务局"),
    ("CMCC01", BillKind.MOBILE, "中国移动安徽公司"),
    ("CTT01", BillKind.TIETONG, "中国铁通安徽分公司"),
    ("CU01", BillKind.UNICOM, "中国联通安徽省分公司"),
    ("CT01", BillKind.TELECOM, "中国电信安徽分公司"),
)


def demo_billers_register() -> None:
    for code, kind, name in DEMO_BILLERS:
        biller_register(code=code, kind=kind, name=name, branch_codes=("",))


def demo_seed(out) -> None:
    demo_billers_register()
    out.line("缴费单位 (自助缴费): " + "、".join(f"{name}（{code}）"
                                               for code, _kind, name in DEMO_BILLERS))
    out.success("自助缴费 ready")
