"""seed_demo's part (ebank.core.demo): 张伟's 信用卡 with three or four months of history.

The card is issued on the 6th of the month four months before today, 账单日 the 5th,
limit ¥50,000.00, and linked to his e-banking. Each past month gets purchases (one of them
refunded in part), the first month a 取现 with its fee; the statement run makes each past 账单日's
statement, and every statement whose due date has passed is repaid in full from his 借记卡 twelve
days after its 账单日 — so the cash interest shows on the next statement, and the latest
statement is left to pay (its minimum included). The history is posted as the acquirer and the
repayment page would have posted it on those days (the engine with the days' dates); this
month's purchases go through the acquirer simulator (``manage.py card_activity`` does the same).
Idempotent: nothing is done when 张伟 already has a card.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from accounts.demo import DEMO_PIN
from accounts.models import Customer, LinkedMedium, MediumKind, SubAccountKind
from ebank.core.clock import business_day
from ebank.ledger.bank_books import bank_book_id

from .cards import card_issue
from .engine import charge_post, credit_post, money
from .models import CardBook, CardBusinessType, CreditKind, ItemKind
from .settings import card_setting_on
from .statements.run import statement_run

ZHANG_CIF = "3401010001"
STATEMENT_DAY = 5
# (day of the period, amount, merchant, MCC): each past month's purchases.
PURCHASES = (
    (2, "268.00", "合肥百货大楼", "5311"),
    (6, "1580.00", "苏宁易购（合肥长江路店）", "5732"),
    (9, "96.50", "星巴克（万达广场店）", "5814"),
    (13, "420.00", "中石化加油站（蜀山）", "5541"),
    (18, "2399.00", "京东商城", "5964"),
    (24, "158.80", "华联超市", "5411"),
)
TODAY_PURCHASES = (("188.00", "合肥百货大楼", "5311"), ("56.00", "肯德基（之心城店）", "5814"))


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, STATEMENT_DAY + 1)


def _statement_dates(issued: date, today: date) -> list[date]:
    days, cursor = [], issued
    while True:
        cursor = (cursor.replace(day=28) + timedelta(days=5)).replace(day=STATEMENT_DAY) \
            if cursor.day >= STATEMENT_DAY else cursor.replace(day=STATEMENT_DAY)
        if cursor >= today:
            return days
        days.append(cursor)


def demo_seed(out) -> None:
    customer = Customer.objects.filter(cif_no=ZHANG_CIF).first()
    if customer is None:
        out.line("  信用卡: 张伟 not found; skipped")
        return
    card = customer.credit_cards.first()
    if card is None:
        card = _card_with_history(customer)
    statements = card.statements.count()
    out.success(f"信用卡: 张伟 {card.medium.number} 账单日每月{card.statement_day}日, "
                f"额度 ¥{card.credit_limit:,.2f}, {statements} statements (交易密码 {DEMO_PIN})")


def _card_with_history(customer):
    today = business_day()
    issued = _months_back(today, 4)
    debit = customer.media.filter(kind=MediumKind.DEBIT_CARD).order_by("id").first()
    with transaction.atomic():
        card = card_issue(customer=customer, credit_limit=Decimal("50000.00"),
                          statement_day=STATEMENT_DAY, issued_on=issued, pin=DEMO_PIN)
        if LinkedMedium.objects.filter(customer=customer).exists():
            last = LinkedMedium.objects.filter(customer=customer).aggregate(
                p=Max("position"))["p"]
            LinkedMedium.objects.create(customer=customer, medium=card.medium, position=last + 1,
                                        alias="我的信用卡")
        _history(card, issued, today, debit)
    for amount, merchant, mcc in TODAY_PURCHASES:
        from ebank.acquirer.adapter import acquirer_adapter

        acquirer_adapter().purchase(card_number=card.medium.number, amount=Decimal(amount),
                                    merchant=merchant, mcc=mcc, txn_date=today,
                                    reference=f"DEMO-{card.pk}-{today:%Y%m%d}-{merchant}"[:64])
    return card


def _history(card, issued: date, today: date, debit) -> None:
    acquirer = bank_book_id(CardBook.ACQUIRER)
    debit_ledger = (debit.sub_accounts.get(kind=SubAccountKind.CURRENT_MAIN).ledger_account_id
                    if debit is not None else None)
    period_start = issued
    for month, statement_day in enumerate(_statement_dates(issued, today)):
        for offset, amount, merchant, mcc in PURCHASES:
            day = period_start + timedelta(days=offset)
            if day > statement_day:
                continue
            charge_post(card=card, kind=ItemKind.PURCHASE, amount=Decimal(amount),
                        business_type=CardBusinessType.PURCHASE, credit_ledger_id=acquirer,
                        txn_date=day, posted_on=day, reference=f"DEMO-{day:%Y%m%d}-{offset}",
                        description=f"消费 {merchant}", merchant=merchant, mcc=mcc,
                        check_limit=True)
        if month == 0 and debit_ledger is not None:
            day = period_start + timedelta(days=10)
            setting = card_setting_on(day)
            amount = Decimal("3000.00")
            fee = max(setting.cash_fee_minimum, money(amount * setting.cash_fee_rate))
            charge_post(card=card, kind=ItemKind.CASH, amount=amount,
                        business_type=CardBusinessType.CASH, credit_ledger_id=debit_ledger,
                        txn_date=day, posted_on=day, reference=f"DEMO-CASH-{day:%Y%m%d}",
                        description="信用卡取现", check_limit=True, interest_from=day)
            charge_post(card=card, kind=ItemKind.CASH_FEE, amount=fee,
                        business_type=CardBusinessType.CASH_FEE,
                        credit_ledger_id=bank_book_id(CardBook.FEE_INCOME), txn_date=day,
                        posted_on=day, reference=f"DEMO-CASHFEE-{day:%Y%m%d}",
                        description="取现手续费")
        if month == 1:
            day = period_start + timedelta(days=20)
            original = card.items.filter(kind=ItemKind.PURCHASE, merchant__startswith="苏宁",
                                         statement__isnull=True).first()
            if original is not None and day <= statement_day:
                credit_post(card=card, kind=CreditKind.REFUND, amount=Decimal("300.00"),
                            business_type=CardBusinessType.REFUND, debit_ledger_id=acquirer,
                            txn_date=day, posted_on=day, reference=f"DEMO-RF-{day:%Y%m%d}",
                            description=f"退货 {original.merchant}", merchant=original.merchant,
                            refund_of=original)
        statement_run(statement_day)
        statement = card.statements.get(statement_date=statement_day)
        repay_day = statement_day + timedelta(days=12)
        if statement.due_date < today and debit_ledger is not None and statement.balance > 0:
            credit_post(card=card, kind=CreditKind.REPAYMENT, amount=statement.balance,
                        business_type=CardBusinessType.REPAYMENT, debit_ledger_id=debit_ledger,
                        txn_date=repay_day, posted_on=repay_day,
                        reference=f"DEMO-REPAY-{repay_day:%Y%m%d}", description="信用卡还款",
                        from_medium=debit)
        period_start = statement_day + timedelta(days=1)
