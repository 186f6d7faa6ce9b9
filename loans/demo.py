"""seed_demo's part 80 (ebank.core.demo): the LPR table and the loan shelf. Idempotent: a row
already there is left as it is, and a second run prints the same lines. No 贷款参数 row: the
defaults apply (双人审批 above ¥200,000.00, 罚息 ×1.5, an approval valid 90 days)."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from ebank.core.money import format_cny

from .models import LoanProduct, LprRate, LprTerm

LPR_FROM = date(2025, 5, 20)
LPR = ((LprTerm.ONE_YEAR, Decimal("3.00")), (LprTerm.FIVE_YEAR, Decimal("3.50")))
SHELF = (
    {"code": "PL01", "name": "个人消费贷款", "min_amount": Decimal("1000.00"),
     "max_amount": Decimal("500000.00"), "terms": "6,12,24,36", "spread": Decimal("0.60"),
     "purposes": "装修、购车、教育、旅游、其他消费",
     "description": "用于个人及家庭消费，等额本息或等额本金按月还款"},
    {"code": "PB01", "name": "个人经营贷款", "min_amount": Decimal("10000.00"),
     "max_amount": Decimal("1000000.00"), "terms": "12,24,36,60", "spread": Decimal("0.85"),
     "purposes": "经营周转、设备购置、其他经营",
     "description": "用于个体工商户、小微企业主生产经营"},
)


@transaction.atomic
def demo_seed(out) -> None:
    for term, rate in LPR:
        LprRate.objects.get_or_create(term=term, effective_from=LPR_FROM,
                                      defaults={"rate": rate})
    products = []
    for spec in SHELF:
        product, _ = LoanProduct.objects.get_or_create(
            code=spec["code"], defaults={k: v for k, v in spec.items() if k != "code"})
        products.append(product)
    out.success("demo loans ready:")
    for term, rate in LPR:
        out.line(f"  {LprTerm(term).label} {rate:.2f}%（{LPR_FROM:%Y-%m-%d}起）")
    for product in products:
        out.line(f"  {product.code} {product.name} {format_cny(product.min_amount)}–"
                 f"{format_cny(product.max_amount)} {product.terms}个月 加点{product.spread:.2f}%")
