"""积分管理's nightly steps (ebank.duework.nightly; imported from CreditcardConfig.ready()).

* ``card_points_expire`` (320, 积分到期): lots whose last valid day is the business date (or
  earlier, after a missed run) and that still hold points → an EXPIRE move each, emptied
  (``book.points_expire``; a rerun finds nothing).
* ``ebank_points_earn`` (330, 网银交易积分): for the e-banking transfers of the business date,
  per customer floor(outgoing total / 1,000) × the setting's points per thousand, one lot per
  customer and date (``book.points_earn``, reference ``ebank:<customer>:<date>``). The totals
  come from the ledger in one query: the debits of 行内转账 and 跨行转账 on the customer's own
  sub-accounts, less the 跨行退汇 credited back the same day of a transfer sent that day.
  关联账户互转 (between one's own accounts) earns nothing.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Case, DecimalField, Exists, F, OuterRef, Sum, Value, When

from accounts.models import Customer
from ebank.core.clock import SHANGHAI
from ebank.duework.nightly import nightly_step
from ebank.ledger.models import Entry, Posting, Side

from ..models import PointsLot, PointsSource
from ..settings import card_setting_on
from . import book

# The transfers app's ledger business types (transfers.models.TransferBusinessType), spelled
# here: a menu app does not import another. test_points_ebank pins them to the registry.
TRANSFER_OUT_TYPES = ("intra_transfer", "inter_transfer")
TRANSFER_RETURN_TYPE = "inter_transfer_return"
THOUSAND = 1000


def ebank_transfer_totals(business_date: date) -> dict[int, object]:
    """{customer id: net outgoing transfers of the day} for those of at least 1,000 — one SQL
    query over the postings of the day (Asia/Shanghai) on customers' sub-accounts."""
    start = datetime.combine(business_date, time.min, tzinfo=SHANGHAI)
    end = start + timedelta(days=1)
    money = DecimalField(max_digits=18, decimal_places=2)
    # A 跨行退汇 counts back only when its transfer (the same reference) left that same day:
    # a return of an earlier day's transfer does not cancel this day's transfers.
    sent_same_day = Exists(Entry.objects.filter(
        business_type__in=TRANSFER_OUT_TYPES, reference=OuterRef("entry__reference"),
        posted_at__gte=start, posted_at__lt=end))
    rows = (Posting.objects
            .filter(posted_at__gte=start, posted_at__lt=end,
                    account__sub_account__isnull=False,
                    entry__business_type__in=(*TRANSFER_OUT_TYPES, TRANSFER_RETURN_TYPE))
            .values(customer_id=F("account__sub_account__medium__customer_id"))
            .annotate(total=Sum(Case(
                When(side=Side.DEBIT, entry__business_type__in=TRANSFER_OUT_TYPES,
                     then=F("amount")),
                When(sent_same_day, side=Side.CREDIT,
                     entry__business_type=TRANSFER_RETURN_TYPE, then=-F("amount")),
                default=Value(0), output_field=money)))
            .filter(total__gte=THOUSAND)
            .order_by("customer_id"))
    return {row["customer_id"]: row["total"] for row in rows}


@nightly_step("card_points_expire", order=320, label="积分到期")
def card_points_expire_step(business_date: date) -> int:
    return book.points_expire(business_date)


@nightly_step("ebank_points_earn", order=330, label="网银交易积分")
def ebank_points_earn_step(business_date: date) -> int:
    setting = card_setting_on(business_date)
    per_thousand = setting.points_per_thousand_transfers
    if per_thousand <= 0:
        return 0
    totals = ebank_transfer_totals(business_date)
    references = {customer_id: f"ebank:{customer_id}:{business_date:%Y%m%d}"
                  for customer_id in totals}
    done = set(PointsLot.objects.filter(reference__in=references.values())
               .values_list("reference", flat=True))
    customers = Customer.objects.in_bulk([pk for pk, ref in references.items() if ref not in done])
    earned = 0
    for customer_id, customer in sorted(customers.items()):
        total = totals[customer_id]
        points = int(total // THOUSAND) * per_thousand
        lot = book.points_earn(
            customer=customer, points=points, source=PointsSource.EBANK,
            earned_on=business_date, reference=references[customer_id],
            description=f"网银转账积分（{business_date:%Y-%m-%d}，¥{total:,.2f}）",
            valid_months=setting.points_valid_months)
        earned += 1 if lot is not None else 0
    return earned
