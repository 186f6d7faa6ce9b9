"""``manage.py verify_wealth``: the share book and, per product, orders against holds and frozen
shares (wealth.catalog.verify). Exit code 1 when anything does not add up (for monitoring)."""

import sys

from django.core.management.base import BaseCommand

from wealth.catalog.verify import wealth_problems


class Command(BaseCommand):
    help = "核对理财：份额账、待确认交易的资金冻结与冻结份额（有问题则退出码为1）"

    def handle(self, *args, **options):
        problems = wealth_problems()
        if not problems:
            self.stdout.write("理财核对一致：份额账、资金冻结与冻结份额均无问题")
            return
        for problem in problems:
            self.stdout.write(f"不一致：{problem}")
        self.stderr.write(f"共{len(problems)}处不一致")
        sys.exit(1)
