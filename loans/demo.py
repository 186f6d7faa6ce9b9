"""seed_demo's part 80 (ebank.core.demo): the LPR table, the loan shelf and 张伟's 借据.
Idempotent: a row already there is left as it is, and a second run prints the same lines. No
贷款参数 row: the defaults apply (双人审批 above ¥200,000.00, 罚息 ×1.5, an approval valid 90
days).

张伟's 借据 is truthful: an application of ¥50,000.00 (个人消费贷款, 12 months, 等额本息, the
repayment day today's day of the month, his debit card) approved and drawn on the day the demo is
seeded, through the same drawdown as the page (贷款本金 → his card, an 电子回单, the schedule);
its first instalment falls due next month, so 个人贷款查询 and 个人贷款还款 have something to show
and the nightly batch deducts it when the day comes."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Customer, MediumKind, SubAccountKind
from ebank.core.clock import business_day
from ebank.core.money import format_cny
from security.models import User

from .book import application_lock, loan_disburse
from .models import ApplicationStatus, LoanApplication, LoanProduct, LprRate, LprTerm
from .rules import loan_setting_on, lpr_on, lpr_term_for, number_new
from .schedule import Method

ZHANG_CIF = "3401010001"
DEMO_AMOUNT = Decimal("50000.00")
DEMO_MONTHS = 12

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
    loan = _zhang_loan(products[0])
    if loan is None:
        out.line("  张伟's 借据: 张伟 or his e-banking user not found; skipped")
        return
    out.line(f"  张伟 借据 {format_cny(loan.amount)} {loan.months}期 {loan.get_method_display()} "
             f"执行年利率{loan.annual_rate:.2f}% 每月{loan.repayment_day}日还款")


def _zhang_loan(product: LoanProduct):
    """张伟's demo 借据 (the one he has, else one approved and drawn today); None without him."""
    customer = Customer.objects.filter(cif_no=ZHANG_CIF).first()
    user = User.objects.filter(customer=customer).order_by("pk").first() if customer else None
    if user is None:
        return None
    existing = customer.loans.order_by("pk").first()
    if existing is not None:
        return existing
    account = (customer.media.get(kind=MediumKind.DEBIT_CARD)
               .sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN))
    today = business_day()
    lpr = lpr_on(DEMO_MONTHS, today)
    now = timezone.now()
    application = LoanApplication.objects.create(
        number=number_new("SQ", today), customer=customer, user=user, product=product,
        amount=DEMO_AMOUNT, months=DEMO_MONTHS, purpose=product.purpose_list[0],
        method=Method.EQUAL_INSTALMENT, repayment_day=today.day, repayment_account=account,
        status=ApplicationStatus.APPROVED, applied_at=now, approved_amount=DEMO_AMOUNT,
        approved_months=DEMO_MONTHS, lpr_term=lpr_term_for(DEMO_MONTHS), lpr=lpr,
        spread=product.spread, annual_rate=lpr + product.spread, reviewed_at=now,
        valid_until=today + timedelta(days=loan_setting_on(today).approval_valid_days))
    return loan_disburse(application=application_lock(application.pk), amount=DEMO_AMOUNT,
                         on=today, actor=user, idempotency_key=f"demo:loan:{application.number}")
