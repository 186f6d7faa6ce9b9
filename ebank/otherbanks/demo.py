"""The simulated other banks and the demo customers' accounts there (``manage.py seed_demo``).

Card passwords are the demo's (DEMO_CARD_PASSWORD), printed below like the other demo secrets.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from ebank.core.crypto import decrypt_text

from .simulator import SimulatedOtherBanks

DEMO_CARD_PASSWORD = "147258"  # noqa: S105 - the simulated other bank's demo cards only

BANKS = (("102", "中国工商银行"), ("103", "中国农业银行"), ("104", "中国银行"),
         ("105", "中国建设银行"))

# cif_no → (bank code, card number, balance)
ACCOUNTS = {
    "3401010001": ("102", "6222020200112233445", Decimal("30000.00")),  # 张伟
    "3401010002": ("105", "6217000130005566778", Decimal("8000.00")),  # 李娜
}


def _history(now: datetime) -> tuple[tuple, ...]:
    return (
        (now - timedelta(days=20), "12000.00", "工资", "合肥某科技有限公司"),
        (now - timedelta(days=12), "-860.50", "消费", "合肥某超市"),
        (now - timedelta(days=3), "-1200.00", "转账", "赵敏"),
    )


def demo_seed(out) -> None:
    from accounts.models import Customer

    sim = SimulatedOtherBanks()
    for code, name in BANKS:
        sim.bank_open(code, name)
    now = timezone.now().replace(microsecond=0)
    made = []
    for cif_no, (bank_code, number, balance) in ACCOUNTS.items():
        customer = Customer.objects.filter(cif_no=cif_no).first()
        if customer is None:
            continue
        sim.account_open(bank_code=bank_code, number=number, holder_name=customer.name,
                         id_number=decrypt_text(customer.id_number_encrypted),
                         password=DEMO_CARD_PASSWORD, balance=balance, history=_history(now))
        made.append(f"  {customer.name} {dict(BANKS)[bank_code]} {number} 密码 {DEMO_CARD_PASSWORD}")
    out.line("simulated other banks (他行模拟器) ready:")
    for line in made:
        out.line(line)
