"""``manage.py reconcile_billers --date YYYY-MM-DD [--biller CODE]``: 缴费对账 of one business
date (docs/payments.md, 对账与结算): each biller's 对账文件 against our bill payments of that date,
every difference printed and recorded (admin 缴费对账差异), then a summary.

Exit status 0 when every biller's file was read (differences are for staff, not errors); 1 when
a biller's file could not be had (its run is recorded 对账文件未取得; rerun later).
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ebank.core.money import format_cny
from payments.models import Biller, DifferenceStatus, ReconcileRunStatus
from payments.reconcile.services import reconcile_run


class Command(BaseCommand):
    help = "缴费对账：按账务日期核对各缴费单位的对账文件与我方缴费记录"

    def add_arguments(self, parser):
        parser.add_argument("--date", required=True, help="账务日期 YYYY-MM-DD")
        parser.add_argument("--biller", help="只对账这一个缴费单位（代码）")

    def handle(self, *args, **options):
        try:
            day = date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['date']}") from exc
        billers = Biller.objects.order_by("code")
        if options.get("biller"):
            billers = billers.filter(code=options["biller"])
            if not billers.exists():
                raise CommandError(f"没有缴费单位 {options['biller']}")
        failed, differences, open_count = [], 0, 0
        for biller in billers:
            run = reconcile_run(biller=biller, day=day)
            if run.status == ReconcileRunStatus.FAILED:
                failed.append(biller.code)
                self.stderr.write(f"{biller.code} {biller.name} {day}: 对账文件未取得：{run.error}")
                continue
            self.stdout.write(
                f"{biller.code} {biller.name} {day}: 我方成功 {run.our_count} 笔 "
                f"{format_cny(run.our_amount)}，对方 {run.their_count} 笔 "
                f"{format_cny(run.their_amount)}，相符 {run.matched_count} 笔，"
                f"差异 {run.difference_count} 笔")
            for row in run.differences.order_by("reference"):
                ours = ("无" if row.our_amount is None else
                        f"{format_cny(row.our_amount)} {row.get_our_status_display()}")
                theirs = ("无" if row.their_amount is None else
                          f"{format_cny(row.their_amount)} {row.their_reference}")
                self.stdout.write(
                    f"  {row.get_kind_display()} {row.reference} 缴费号码 {row.customer_no} "
                    f"我方 {ours} / 对方 {theirs} [{row.get_status_display()}]")
                differences += 1
                open_count += row.status == DifferenceStatus.OPEN
        self.stdout.write(f"对账完成：{day} 缴费单位 {billers.count()} 个，差异 {differences} 笔"
                          f"（待处理 {open_count} 笔），对账文件未取得 {len(failed)} 个")
        if failed:
            raise CommandError(f"对账文件未取得：{'、'.join(failed)}")
