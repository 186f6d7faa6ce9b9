"""seed_demo's part 36 (registered in TransfersConfig.ready()): the demo customers' cards at the
simulated other banks — 张伟's 中国工商银行 card with ¥30,000.00 and three history rows, 李娜's
中国建设银行 card with ¥8,000.00 (same name and ID number as here, DOMAIN-RULES §7)."""

from decimal import Decimal

from accounts.models import Customer
from ebank.core.crypto import decrypt_text
from ebank.otherbanks.demo import DemoHolder, sim_demo_seed

# cif_no → (bank code, card number, balance)
CARDS = {
    "3401010001": ("102", "6222020200112233445", Decimal("30000.00")),  # 张伟
    "3401010002": ("105", "6217000130005566778", Decimal("8000.00")),  # 李娜
}


def demo_seed(out) -> None:
    holders = [
        DemoHolder(name=customer.name, id_number=decrypt_text(customer.id_number_encrypted),
                   bank_code=CARDS[customer.cif_no][0], card_number=CARDS[customer.cif_no][1],
                   balance=CARDS[customer.cif_no][2])
        for customer in Customer.objects.filter(cif_no__in=CARDS).order_by("cif_no")
    ]
    sim_demo_seed(out, holders)
