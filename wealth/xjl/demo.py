"""seed_demo's part 62 (ebank.core.demo): 薪加利 XJL001 with its last 30 days of 万份收益 and
七日年化, and 张伟's 20,000.00 转入 from his 借记卡, made when the demo is seeded.

XJL001 is the catalog's (demo part 60); when it is not there it is made here with the same code
and terms, and only the missing days' 万份收益 are published. 张伟's 风险测评 is the risk demo's
(part 61); one (C3) is recorded here, dated now, only when he has none valid. The 转入 goes
through the real service (``xjl_in_post``) at the moment of seeding, and every record of it
says so: the ledger entry (which cannot be dated back), the share postings, the order and the
电子回单 all carry the same time. Nothing is dated back to fake past income: as for any 转入,
the shares earn from the next day, and the nightly step ``xjl_income`` pays that day's income
once the fund's 万份收益 of it is published.
Idempotent: nothing is done twice, and the lines printed are read from the state.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Customer, MediumKind, SubAccountKind
from ebank.core.clock import business_day

from ..models import (
    Income,
    Nav,
    Order,
    OrderKind,
    ProductKind,
    RiskAssessment,
    RiskLevel,
)
from ..products import product_create
from ..risk.scoring import valid_until
from ..suitability import risk_assessment_current
from .services import xjl_in_post

ZHANG_CIF = "3401010001"
CODE = "XJL001"
DAYS = 30
DEMO_AMOUNT = Decimal("20000.00")
# A plausible money-market fund: 万份收益 about 0.45 yuan, 七日年化 about 1.65%.
INCOMES = ("0.4521", "0.4498", "0.4537", "0.4476", "0.4510", "0.4533", "0.4489")


def demo_product(today: date):
    from ..models import Product
    product = Product.objects.filter(code=CODE).first()
    if product is None:
        product = product_create(code=CODE, name="薪加利", issuer="安农基金管理有限公司",
                                 kind=ProductKind.XJL, risk_level=RiskLevel.R1,
                                 start_date=today - timedelta(days=365),
                                 min_amount=Decimal("1.00"), step_amount=Decimal("0.01"))
    have = set(Nav.objects.filter(product=product, date__gte=today - timedelta(days=DAYS))
               .values_list("date", flat=True))
    missing = []
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        if day in have:
            continue
        per_10k = Decimal(INCOMES[day.toordinal() % len(INCOMES)])
        seven_day = (per_10k * Decimal("365") / Decimal("100")).quantize(Decimal("0.0001"))
        missing.append(Nav(product=product, date=day, nav=Decimal("1.0000"),
                           income_per_10k=per_10k, seven_day_yield=seven_day,
                           published_by="demo"))
    Nav.objects.bulk_create(missing)
    return product


def _zhang_transfer_in(customer, product, today: date) -> None:
    if Order.objects.filter(customer=customer, product=product, kind=OrderKind.XJL_IN).exists():
        return
    if risk_assessment_current(customer, today) is None:
        taken = timezone.now()
        RiskAssessment.objects.create(customer=customer, level="C3", score=55, answers={},
                                      taken_at=taken,
                                      valid_until=valid_until(today))
    card = customer.media.filter(kind=MediumKind.DEBIT_CARD).order_by("id").first()
    account = card.sub_accounts.select_related("medium", "ledger_account").get(
        kind=SubAccountKind.CURRENT_MAIN)
    xjl_in_post(customer=customer, product=product, account=account,
                amount=DEMO_AMOUNT, key=f"xjl:demo:in:{customer.cif_no}")


def demo_seed(out) -> None:
    customer = Customer.objects.filter(cif_no=ZHANG_CIF).first()
    today = business_day()
    with transaction.atomic():
        product = demo_product(today)
        if customer is not None:
            _zhang_transfer_in(customer, product, today)
    out.success(f"薪加利: {product.code} {product.name}, 万份收益 {DAYS} days")
    if customer is None:
        out.line("  薪加利: 张伟 not found; skipped")
        return
    holding = product.share_accounts.filter(customer=customer).first()
    incomes = Income.objects.filter(customer=customer, product=product)
    total = sum((i.amount for i in incomes), Decimal("0.00"))
    out.line(f"  张伟 持有 {holding.shares if holding else 0:,.2f} 份, "
             f"{incomes.count()} 天收益 ¥{total:,.2f}")
