"""``manage.py card_activity``: a card purchase or refund sent through the acquirer (the
simulator in development and the demo), printing the issuer's answer.

    manage.py card_activity --card 6259180101000011 --purchase 128.50 --merchant 华联超市 [--mcc 5411]
    manage.py card_activity --card 6259180101000011 --refund 28.50 --original ACQ2026…
    [--date YYYY-MM-DD]  the purchase's 交易日期 (default: today)
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ebank.core.errors import BusinessError

from ...adapter import acquirer_adapter


class Command(BaseCommand):
    help = "通过收单机构发送一笔信用卡消费或退货，并显示发卡行的处理结果"

    def add_arguments(self, parser):
        parser.add_argument("--card", required=True, help="信用卡卡号")
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--purchase", help="消费金额")
        what.add_argument("--refund", help="退货金额")
        parser.add_argument("--merchant", default="", help="商户名称（消费）")
        parser.add_argument("--mcc", default="5411", help="商户类别码（消费，默认5411）")
        parser.add_argument("--original", default="", help="原消费的收单流水号（退货）")
        parser.add_argument("--date", default="", help="交易日期 YYYY-MM-DD（消费，默认当天）")
        parser.add_argument("--reference", default="", help="收单流水号（默认自动生成）")

    def handle(self, *args, **options):
        adapter = acquirer_adapter()
        try:
            if options["purchase"] is not None:
                if not options["merchant"].strip():
                    raise CommandError("消费须指定 --merchant 商户名称")
                txn_date = None
                if options["date"]:
                    try:
                        txn_date = date.fromisoformat(options["date"])
                    except ValueError as exc:
                        raise CommandError("--date 须为 YYYY-MM-DD") from exc
                outcome = adapter.purchase(
                    card_number=options["card"], amount=options["purchase"],
                    merchant=options["merchant"], mcc=options["mcc"], txn_date=txn_date,
                    reference=options["reference"])
            else:
                if not options["original"].strip():
                    raise CommandError("退货须指定 --original 原消费的收单流水号")
                outcome = adapter.refund(
                    card_number=options["card"], amount=options["refund"],
                    original_reference=options["original"], reference=options["reference"])
        except BusinessError as exc:
            raise CommandError(exc.message) from exc
        kind = "消费" if outcome.kind == "purchase" else "退货"
        replay = "（重复发送，原结果）" if outcome.replayed else ""
        if outcome.approved:
            self.stdout.write(f"{kind}成功{replay}：{outcome.merchant} ¥{outcome.amount:,.2f}，"
                              f"收单流水号 {outcome.reference}")
        else:
            self.stdout.write(f"{kind}被拒绝{replay}：{outcome.reason}（收单流水号 "
                              f"{outcome.reference}）")
