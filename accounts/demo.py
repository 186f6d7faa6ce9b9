"""The demo bank: branches, customers with cards and passbooks, opening balances via the ledger.

Idempotent: running it again changes nothing. Every secret here is demo data, listed in the
README; none of it is ever created outside ``seed_demo``.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from ebank.ledger.bank_books import BankBook, bank_book_id, bank_books_open
from ebank.ledger.models import BusinessType
from ebank.ledger.services import Leg, entry_post
from ebank.limits.models import LimitLevel, LimitPolicy
from ebank.limits.services import limit_policy_set

from .models import Bank, Branch, Customer, IdType, Medium, MediumKind, SubAccountKind
from .services import customer_open, luhn_check_digit, medium_open, sub_account_open

DEMO_PIN = "135246"  # 交易密码 of every demo card and passbook (README)
CARD_BIN = "622679"
OPENED_ON = date(2025, 3, 18)

BRANCHES = [
    ("340000", "安徽省农村信用社联合社营业部", True, "合肥市蜀山区长江西路"),
    ("340101", "合肥科技农村商业银行", False, "合肥市庐阳区阜阳路"),
    ("340201", "芜湖扬子农村商业银行", False, "芜湖市镜湖区北京中路"),
]


@dataclass(frozen=True)
class DemoMedium:
    kind: str
    serial: int
    balance: Decimal
    is_settlement: bool = True
    fixed: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True)
class DemoCustomer:
    cif_no: str
    name: str
    branch_code: str
    id_number_body: str  # first 17 characters of the resident ID number
    phone: str
    address: str
    media: tuple[DemoMedium, ...]


CUSTOMERS = [
    DemoCustomer("3401010001", "张伟", "340101", "34010419850312351", "13805510001",
                 "合肥市蜀山区黄山路100号", (
                     DemoMedium(MediumKind.DEBIT_CARD, 1, Decimal("80000.00")),
                     DemoMedium(MediumKind.CURRENT_PASSBOOK, 2, Decimal("12345.67")),
                     DemoMedium(MediumKind.FIXED_ONEBOOK, 3, Decimal("0.00"),
                                fixed=((SubAccountKind.FIXED_LUMP_SUM, Decimal("50000.00")),)),
                 )),
    DemoCustomer("3401010002", "李娜", "340101", "34010219900721462", "13905510002",
                 "合肥市庐阳区长江中路8号", (
                     DemoMedium(MediumKind.DEBIT_CARD, 4, Decimal("20000.00")),
                     DemoMedium(MediumKind.CURRENT_ONEBOOK, 5, Decimal("5000.00")),
                 )),
    DemoCustomer("3402010001", "王芳", "340201", "34020219780205282", "13605530003",
                 "芜湖市镜湖区中山路66号", (
                     DemoMedium(MediumKind.DEBIT_CARD, 6, Decimal("150000.00")),
                 )),
    DemoCustomer("3400000001", "刘洋", "340000", "34011119951130573", "13705510004",
                 "合肥市包河区徽州大道9号", (
                     DemoMedium(MediumKind.DEBIT_CARD, 7, Decimal("3000.00")),
                     DemoMedium(MediumKind.CURRENT_PASSBOOK, 8, Decimal("800.00"),
                                is_settlement=False),
                 )),
]


def resident_id_number(body: str) -> str:
    """Complete a 17-character body with the GB 11643 check character."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(ch) * w for ch, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def demo_medium_number(branch_code: str, serial: int) -> str:
    body = f"{CARD_BIN}{branch_code[-4:]}{serial:08d}"
    return body + luhn_check_digit(body)


def _post_opening(ledger_account, amount: Decimal) -> None:
    if amount <= 0:
        return
    entry_post(
        idempotency_key=f"seed:opening:{ledger_account.code}",
        business_type=BusinessType.OPENING_BALANCE,
        reference=f"seed:{ledger_account.code}",
        memo="开户存入",
        legs=[Leg.debit(bank_book_id(BankBook.CASH), amount), Leg.credit(ledger_account.pk, amount)],
    )


# Bank-wide limits at the self-service maxima; one branch stricter, to show the hierarchy.
BANK_LIMITS = (Decimal("1000000.00"), Decimal("5000000.00"))
BRANCH_LIMITS = {"340201": (Decimal("500000.00"), Decimal("2000000.00"))}


def _seed_limits() -> None:
    if not LimitPolicy.objects.filter(level=LimitLevel.BANK).exists():
        limit_policy_set(level=LimitLevel.BANK, single_limit=BANK_LIMITS[0],
                         daily_limit=BANK_LIMITS[1])
    for code, (single, daily) in BRANCH_LIMITS.items():
        if not LimitPolicy.objects.filter(level=LimitLevel.BRANCH, scope=code).exists():
            limit_policy_set(level=LimitLevel.BRANCH, scope=code, single_limit=single,
                             daily_limit=daily)


@transaction.atomic
def seed_demo_bank() -> list[Customer]:
    bank, _ = Bank.objects.get_or_create(code="AHRCU", defaults={"name": "安徽农金"})
    branches = {}
    for code, name, head, address in BRANCHES:
        branches[code], _ = Branch.objects.get_or_create(
            code=code, defaults={"bank": bank, "name": name, "is_head_office": head,
                                 "address": address})
    bank_books_open()
    _seed_limits()

    customers = []
    for demo in CUSTOMERS:
        customer = Customer.objects.filter(cif_no=demo.cif_no).first()
        if customer is None:
            customer = customer_open(
                cif_no=demo.cif_no, name=demo.name, branch=branches[demo.branch_code],
                id_type=IdType.RESIDENT_ID, id_number=resident_id_number(demo.id_number_body),
                phone=demo.phone, address=demo.address,
            )
        for spec in demo.media:
            number = demo_medium_number(demo.branch_code, spec.serial)
            medium = Medium.objects.filter(number=number).first()
            if medium is None:
                medium = medium_open(customer=customer, number=number, kind=spec.kind,
                                     pin=DEMO_PIN, opened_on=OPENED_ON,
                                     is_settlement=spec.is_settlement)
                for kind, _amount in spec.fixed:
                    sub_account_open(medium=medium, kind=kind, opened_on=OPENED_ON)
            subs = list(medium.sub_accounts.select_related("ledger_account").order_by("seq"))
            current = [s for s in subs if s.kind == SubAccountKind.CURRENT_MAIN]
            if current:
                _post_opening(current[0].ledger_account, spec.balance)
            fixed_subs = [s for s in subs if s.kind != SubAccountKind.CURRENT_MAIN]
            for sub, (_kind, amount) in zip(fixed_subs, spec.fixed, strict=False):
                _post_opening(sub.ledger_account, amount)
        customers.append(customer)
    return customers


def demo_seed(out) -> None:
    """seed_demo's part (ebank.core.demo): the bank, and its customers' media printed."""
    customers = seed_demo_bank()
    out.success(f"demo bank ready: {len(customers)} customers")
    for customer in customers:
        # A 信用卡 is printed by 信用卡业务's own part (issued after this one runs).
        for medium in customer.media.exclude(kind=MediumKind.CREDIT_CARD).order_by("number"):
            out.line(f"  {customer.name:<4} {medium.get_kind_display():<6} {medium.number}")
    out.line(f"  交易密码 of every demo medium: {DEMO_PIN} (demo data only)")
