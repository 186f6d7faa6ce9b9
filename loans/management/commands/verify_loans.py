"""``manage.py verify_loans``: 贷款本金 against the 借据, each 借据 against its schedule and
repayments, each repayment against its entry (loans.verify). Exit code 1 when anything does not
add up (for monitoring)."""

import sys

from django.core.management.base import BaseCommand

from loans.verify import loan_problems


class Command(BaseCommand):
    help = "核对贷款：贷款本金、借据剩余本金、还款计划与还款分录（有问题则退出码为1）"

    def handle(self, *args, **options):
        problems = loan_problems()
        if not problems:
            self.stdout.write("贷款核对一致：贷款本金、借据剩余本金、还款计划与还款分录均无问题")
            return
        for problem in problems:
            self.stdout.write(f"不一致：{problem}")
        self.stderr.write(f"共{len(problems)}处不一致")
        sys.exit(1)
