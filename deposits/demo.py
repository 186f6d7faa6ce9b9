"""seed_demo's part (ebank.core.demo) for deposits: the demo rate table of DOMAIN-RULES §1.

The rows are history (in force since 2025-01-01), so they are written directly rather than
through ``rates.rate_add``, which takes only rows in force from tomorrow on. Idempotent: a row
already there for the product, term and date is left as it is.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction

from accounts.demo import OPENED_ON as DEMO_OPENED_ON
from accounts.models import SubAccount, SubAccountKind

from .interest import add_months
from .models import Deposit, DepositRate, MaturityOption, Product
from .rates import rate_on, rate_text, term_text

DEMO_RATES_FROM = date(2025, 1, 1)

# (product, term in months, annual rate in percent): a plausible city bank (DOMAIN-RULES §1).
DEMO_RATES: tuple[tuple[str, int, str], ...] = (
    (Product.CURRENT, 0, "0.10"),
    (Product.FIXED, 3, "0.80"),
    (Product.FIXED, 6, "1.00"),
    (Product.FIXED, 12, "1.20"),
    (Product.FIXED, 24, "1.30"),
    (Product.FIXED, 36, "1.55"),
    (Product.FIXED, 60, "1.55"),
    (Product.INSTALMENT, 12, "0.85"),
    (Product.INSTALMENT, 36, "1.05"),
    (Product.INSTALMENT, 60, "1.05"),
    (Product.INTEREST_PAYOUT, 12, "0.85"),
    (Product.INTEREST_PAYOUT, 36, "1.05"),
    (Product.INTEREST_PAYOUT, 60, "1.05"),
    (Product.NOTICE_1D, 0, "0.20"),
    (Product.NOTICE_7D, 0, "0.55"),
    (Product.LARGE_CD, 12, "1.40"),
    (Product.LARGE_CD, 36, "1.80"),
    (Product.YOUYUEBAO, 12, "1.35"),
    (Product.LINGCUNBAO, 12, "0.95"),
    (Product.LIXIANDE, 12, "1.15"),
)


def demo_rates_seed() -> list[DepositRate]:
    """Every demo rate row, created where missing."""
    rows = []
    for product, term_months, rate in DEMO_RATES:
        row, _created = DepositRate.objects.get_or_create(
            product=product, term_months=term_months, effective_from=DEMO_RATES_FROM,
            defaults={"annual_rate": Decimal(rate)})
        rows.append(row)
    return rows


def demo_deposits_seed() -> list[Deposit]:
    """A ``Deposit`` for each demo 整存整取 sub-account the bank opened without one (张伟's
    定期一本通): three years from its opening day at the rate then in force, rolled over with its
    interest, so 账户总览 shows its terms and the nightly batch matures it."""
    made = []
    subs = (SubAccount.objects.filter(kind=SubAccountKind.FIXED_LUMP_SUM, deposit__isnull=True)
            .select_related("ledger_account").order_by("pk"))
    for sub in subs:
        row = rate_on(product=Product.FIXED, term_months=36, day=sub.opened_on)
        made.append(Deposit.objects.create(
            sub_account=sub, product=Product.FIXED, term_months=36,
            principal=sub.ledger_account.balance, annual_rate=row.annual_rate, rate_row=row,
            opened_on=sub.opened_on, value_date=sub.opened_on,
            matures_on=add_months(sub.opened_on, 36), maturity_option=MaturityOption.ROLL_ALL,
            auto_rollover=True, rollover_with_interest=True))
    return made


# --- 存本取息 (DEP-CBQX): opened at the counter, so the demo has one for 张伟 -------------------------

DEMO_PAYOUT_KEY = "demo:payout:3401010001"


def demo_payout_seed() -> Deposit | None:
    """张伟's 存本取息: ¥10,000 三年 按月, from his debit card on the seeding day (so its
    payouts start a month later, as the nightly 存本取息付息 runs), through the ledger (one fixed
    key: a second run finds it and makes nothing)."""
    from django.db import transaction

    from accounts.models import Customer, MediumKind
    from ebank.core.clock import business_day

    from .payout.services import payout_open_check, payout_open_post

    found = Deposit.objects.filter(product=Product.INTEREST_PAYOUT,
                                   sub_account__medium__customer__cif_no="3401010001").first()
    customer = Customer.objects.filter(cif_no="3401010001").first()
    if found is not None or customer is None:
        return found
    card = customer.media.filter(kind=MediumKind.DEBIT_CARD).first()
    source = (SubAccount.objects.select_related("medium__customer", "medium__branch",
                                                "ledger_account")
              .filter(medium=card, kind=SubAccountKind.CURRENT_MAIN).first())
    if source is None:
        return None
    on = business_day()
    with transaction.atomic():
        plan = payout_open_check(customer=customer, source=source, interest_account=None,
                                 term_months=36, frequency="monthly",
                                 amount=Decimal("10000.00"), on=on)
        return payout_open_post(actor=None, plan=plan, idempotency_key=DEMO_PAYOUT_KEY, on=on)


def demo_seed(out) -> None:
    rows = demo_rates_seed()
    demo_deposits_seed()
    demo_instalment_seed()  # 零存整取 (deposits/instalment/)
    demo_lixiande_seed()  # 利先得 (deposits/smart/)
    sweep = demo_sweep_seed()
    payout = demo_payout_seed()
    out.success(f"demo deposit rates ready: {len(rows)} rows in force from {DEMO_RATES_FROM}")
    for row in rows:
        term = "" if row.term_months == 0 else f" {term_text(row.term_months)}"
        out.line(f"  {row.get_product_display()}{term} {rate_text(row.annual_rate)}")
    # The demo bank's own deposits (opened with its media), the same lines on every run.
    for deposit in Deposit.objects.filter(sub_account__kind=SubAccountKind.FIXED_LUMP_SUM,
                                          opened_on=DEMO_OPENED_ON).order_by("pk"):
        out.line(f"  demo 整存整取 {deposit.sub_account}: ¥{deposit.principal}, "
                 f"{rate_text(deposit.annual_rate)}, 到期日 {deposit.matures_on}")
    # 张伟's 利先得 (deposits/smart), the same line on every run.
    for deposit in Deposit.objects.filter(
            product=Product.LIXIANDE,
            sub_account__medium__customer__cif_no=DEMO_LIXIANDE_CIF).order_by("pk"):
        out.line(f"  demo 利先得 {deposit.sub_account}: ¥{deposit.principal}, "
                 f"{rate_text(deposit.annual_rate)}, 开户时已付利息 ¥{deposit.interest_paid}, "
                 f"到期日 {deposit.matures_on}")
    if sweep is not None:
        out.line(f"  demo 活期宝 {sweep.medium.masked_number}: 留存金额 ¥{sweep.threshold}, "
                 f"签约日 {sweep.signed_on}")
    if payout is not None:
        out.line(f"  demo 存本取息 {payout.sub_account}: ¥{payout.principal}, 三年按月, "
                 f"{rate_text(payout.annual_rate)}, 到期日 {payout.matures_on}")


# --- 零存整取 (deposits/instalment/) -------------------------------------------------------------

DEMO_INSTALMENT_CUSTOMER = "3401010001"  # 张伟
DEMO_INSTALMENT_MONTHLY = Decimal("500.00")


def demo_instalment_seed():
    """张伟's 零存整取 on his 活期存折 (opened "at the counter" from the passbook's 活期, one year,
    ¥500 a month, the first month paid on the seeding day), so 零存整取存折续存 shows something.
    Idempotent: none is opened when the passbook already holds a 零存整取."""
    from django.db import transaction

    from accounts.models import Medium, MediumKind
    from accounts.receipts.services import ReceiptChannel
    from ebank.core.clock import business_day

    from .instalment.services import OpenPlan, open_post

    book = (Medium.objects.filter(customer__cif_no=DEMO_INSTALMENT_CUSTOMER,
                                  kind=MediumKind.CURRENT_PASSBOOK)
            .select_related("customer", "branch").order_by("pk").first())
    if book is None or Deposit.objects.filter(sub_account__medium=book,
                                              product=Product.INSTALMENT).exists():
        return None
    on = business_day()
    source = book.sub_accounts.select_related("medium__customer", "medium__branch",
                                              "ledger_account").get(
        kind=SubAccountKind.CURRENT_MAIN)
    plan = OpenPlan(source, 12, DEMO_INSTALMENT_MONTHLY,
                    rate_on(product=Product.INSTALMENT, term_months=12, day=on))
    with transaction.atomic():
        return open_post(user=None, plan=plan, idempotency_key=f"demo:instalment:{book.pk}",
                         on=on, target=book, channel=ReceiptChannel.COUNTER).deposit


# --- 智能存款 (deposits/smart): a 利先得 of 张伟, opened at the counter --------------------------

DEMO_LIXIANDE_CIF = "3401010001"  # 张伟
DEMO_LIXIANDE_AMOUNT = Decimal("10000.00")


def demo_lixiande_seed():
    """张伟's 利先得 (10,000, one year, interest paid up front from 利息支出 to his debit card),
    opened as the counter would, so 利先得支取 has something to show. Idempotent: nothing when he
    already holds one (open or closed); the posting's key is fixed too."""
    from accounts.models import Customer, MediumKind
    from ebank.core.clock import business_day

    from .smart.lixiande import lixiande_open_post

    customer = Customer.objects.filter(cif_no=DEMO_LIXIANDE_CIF).first()
    if customer is None or Deposit.objects.filter(
            product=Product.LIXIANDE, sub_account__medium__customer=customer).exists():
        return None
    card = customer.media.filter(kind=MediumKind.DEBIT_CARD).order_by("pk").first()
    if card is None:
        return None
    main = (SubAccount.objects.select_related("medium__customer", "medium__branch",
                                              "ledger_account")
            .get(medium=card, kind=SubAccountKind.CURRENT_MAIN))
    with transaction.atomic():
        return lixiande_open_post(customer=customer, main=main, amount=DEMO_LIXIANDE_AMOUNT,
                                  on=business_day(), idempotency_key=f"demo:lixiande:{card.pk}")


# --- 活期宝 (DEP-HQB; deposits/notice/) -------------------------------------------------------------

DEMO_SWEEP_CIF = "3402010001"  # 王芳 (¥150,000 on her card): ¥50,000 stays, the rest is swept
DEMO_SWEEP_THRESHOLD = Decimal("50000.00")


def demo_sweep_seed():
    """A 活期宝 agreement (signed at the counter on the bank’s opening day) on 王芳’s debit card,
    once: the nightly 活期宝归集 sweeps the excess, 活期宝 查询 shows it."""
    from accounts.models import Medium, MediumKind

    from .models import SweepAgreement, SweepStatus

    card = (Medium.objects.filter(customer__cif_no=DEMO_SWEEP_CIF, kind=MediumKind.DEBIT_CARD)
            .order_by("pk").first())
    if card is None:
        return None
    agreement = SweepAgreement.objects.filter(medium=card).order_by("pk").first()
    if agreement is None:
        agreement = SweepAgreement.objects.create(medium=card, threshold=DEMO_SWEEP_THRESHOLD,
                                                  signed_on=DEMO_OPENED_ON,
                                                  status=SweepStatus.ACTIVE)
    return agreement
