"""What head office may set on a product and a 净值 (the admin's forms and ``publish_nav`` ask
the same questions, so a file cannot publish what the admin would refuse).

Each check returns ``{field: message}`` in Chinese (empty when all is well); nothing here writes.
"""

from datetime import date
from decimal import Decimal

from ebank.core.clock import business_day

from ..models import (
    Income,
    Nav,
    Order,
    OrderStatus,
    Product,
    ProductKind,
    ShareEntry,
    WealthBusinessType,
    level_rank,
)
from ..trading import is_trading_day

ONE = Decimal("1.0000")
CENT = Decimal("0.01")
# 薪加利 is bought to the fen: its 起购金额 stays small and its 递增金额 at most a yuan.
XJL_MIN_CEILING = Decimal("1000.00")
XJL_STEP_CEILING = Decimal("1.00")
# A 私募 product's 冷静期 is at least 24 hours (DOMAIN-RULES §5).
PRIVATE_COOLING_HOURS = 24
FEE_RATE_CEILING = Decimal("5")   # % — a 认购/申购/赎回费率 above this is a typing mistake


def product_rules_check(values: dict) -> dict[str, str]:
    """The rules of one product's fields (``values``: the form's cleaned data, or the stored
    product's for a change): 募集期 and dates in order, 薪加利's amounts, 冷静期 for 私募."""
    errors: dict[str, str] = {}
    kind = values.get("kind")
    raise_start, raise_end = values.get("raise_start"), values.get("raise_end")
    start, end = values.get("start_date"), values.get("end_date")
    if (raise_start is None) != (raise_end is None):
        errors["raise_end" if raise_end is None else "raise_start"] = \
            "募集开始日与募集结束日须同时填写"
    elif raise_start is not None and raise_end < raise_start:
        errors["raise_end"] = "募集结束日不能早于募集开始日"
    elif raise_end is not None and start is not None and start <= raise_end:
        errors["start_date"] = "成立日须晚于募集结束日"
    if end is not None and start is not None and end <= start:
        errors["end_date"] = "到期日须晚于成立日"
    if kind == ProductKind.CLOSED:
        if raise_start is None and "raise_start" not in errors:
            errors["raise_start"] = "封闭式产品须设置募集期"
        if end is None:
            errors["end_date"] = "封闭式产品须设置到期日"
    if kind == ProductKind.XJL:
        if raise_start is not None or raise_end is not None:
            errors["raise_start"] = "薪加利没有募集期"
        if end is not None:
            errors["end_date"] = "薪加利没有到期日"
        if values.get("private"):
            errors["private"] = "薪加利不是私募产品"
        for field in ("subscribe_fee_rate", "purchase_fee_rate", "redeem_fee_rate"):
            if values.get(field):
                errors[field] = "薪加利不收取认购、申购、赎回费"
    min_amount, step = values.get("min_amount"), values.get("step_amount")
    if min_amount is not None and min_amount <= 0:
        errors["min_amount"] = "起购金额须大于零"
    if step is not None and step <= 0:
        errors["step_amount"] = "递增金额须大于零"
    if kind == ProductKind.XJL and min_amount is not None and step is not None \
            and "min_amount" not in errors and "step_amount" not in errors:
        if step > XJL_STEP_CEILING:
            errors["step_amount"] = f"薪加利递增金额须在0.01元至{XJL_STEP_CEILING:,.2f}元之间"
        elif min_amount > XJL_MIN_CEILING:
            errors["min_amount"] = f"薪加利起购金额不能高于{XJL_MIN_CEILING:,.2f}元"
        elif min_amount < step:
            errors["min_amount"] = "薪加利起购金额不能低于递增金额"
    cooling = values.get("cooling_hours") or 0
    if values.get("private"):
        if cooling < PRIVATE_COOLING_HOURS:
            errors["cooling_hours"] = f"私募产品的冷静期不少于{PRIVATE_COOLING_HOURS}小时"
    elif cooling:
        errors["cooling_hours"] = "只有私募产品设置冷静期"
    for field in ("subscribe_fee_rate", "purchase_fee_rate", "redeem_fee_rate"):
        rate = values.get(field)
        if rate is not None and field not in errors and not 0 <= rate <= FEE_RATE_CEILING:
            errors[field] = f"费率须在0至{FEE_RATE_CEILING}%之间"
    for field in ("min_redeem_shares", "min_hold_shares"):
        shares = values.get(field)
        if shares is not None and shares < 0:
            errors[field] = "份额不能为负数"
    return errors


# Once a product is sold (an order pending or settled, or a customer holding shares) its 募集期,
# 成立日 and 到期日 are the contract the customers bought: they never change. While orders wait
# for confirmation the fee rates they were shown stay too (the confirmation charges the stored
# rate). The risk level may be raised (a stricter rating) but not lowered once sold.
SOLD_DATES = ("raise_start", "raise_end", "start_date", "end_date")
FEE_FIELDS = ("subscribe_fee_rate", "purchase_fee_rate", "redeem_fee_rate")


def product_change_check(stored: Product, values: dict) -> dict[str, str]:
    """What head office may not change on ``stored`` now (``values``: the form's data)."""
    from ..models import ShareAccount

    errors: dict[str, str] = {}
    changed = [f for f in (*SOLD_DATES, *FEE_FIELDS, "risk_level")
               if f in values and values[f] != getattr(stored, f)]
    if not changed:
        return errors
    orders = Order.objects.filter(product=stored)
    pending = orders.filter(status=OrderStatus.PENDING).exists()
    sold = pending or orders.filter(status__in=(OrderStatus.CONFIRMED, OrderStatus.PAID)) \
        .exists() or ShareAccount.objects.filter(product=stored, customer__isnull=False,
                                                 shares__gt=0).exists()
    for field in changed:
        if field in SOLD_DATES and sold:
            errors[field] = "产品已有客户交易或持有份额，募集期、成立日和到期日不能修改"
        elif field in FEE_FIELDS and pending:
            errors[field] = "产品有待确认的交易，费率不能修改"
        elif field == "risk_level" and sold \
                and level_rank(values[field]) < level_rank(stored.risk_level):
            errors[field] = "产品已有客户交易或持有份额，风险等级只能调高，不能调低"
    return errors


def nav_used(product: Product, day: date) -> bool:
    """Whether a settled order, a day of 薪加利 income or the 到期兑付 (the 到期日's 净值) already
    used the 净值 of ``day``: such a 净值 is history and is never changed nor deleted."""
    return (Order.objects.filter(product=product, trade_date=day,
                                 status__in=(OrderStatus.CONFIRMED, OrderStatus.PAID)).exists()
            or Income.objects.filter(product=product, date=day).exists()
            or (day == product.end_date and ShareEntry.objects.filter(
                business_type=WealthBusinessType.MATURITY, reference=product.code).exists()))


def nav_rules_check(*, product: Product, day: date, nav: Decimal | None,
                    income_per_10k: Decimal | None, seven_day_yield: Decimal | None,
                    today: date | None = None) -> dict[str, str]:
    """The rules of one 净值 row: 薪加利's is 1.0000 with its 万份收益 and 七日年化; the others carry
    neither; the date is a day the product has a 净值 of, not in the future."""
    errors: dict[str, str] = {}
    today = today or business_day()
    if nav is not None and nav <= 0:
        errors["nav"] = "单位净值须大于零"
    if product.kind == ProductKind.XJL:
        if nav is not None and nav != ONE:
            errors["nav"] = "薪加利的单位净值固定为1.0000"
        if income_per_10k is None:
            errors["income_per_10k"] = "薪加利须填写万份收益"
        elif income_per_10k < 0:
            errors["income_per_10k"] = "万份收益不能为负数"
        if seven_day_yield is None:
            errors["seven_day_yield"] = "薪加利须填写七日年化收益率"
        elif seven_day_yield < 0:
            errors["seven_day_yield"] = "七日年化收益率不能为负数"
    else:
        if income_per_10k is not None:
            errors["income_per_10k"] = "只有薪加利填写万份收益"
        if seven_day_yield is not None:
            errors["seven_day_yield"] = "只有薪加利填写七日年化收益率"
    if day is not None:
        if day > today:
            errors["date"] = "不能发布未来日期的净值"
        elif day < product.start_date:
            errors["date"] = f"净值日期不能早于成立日{product.start_date:%Y-%m-%d}"
        elif product.kind == ProductKind.OPEN and not is_trading_day(day):
            errors["date"] = "开放式产品的净值日期须为交易日"
        elif product.kind == ProductKind.CLOSED and day != product.end_date \
                and not is_trading_day(day):
            errors["date"] = "净值日期须为交易日或产品到期日"
    return errors


def nav_differs(row: Nav, nav: Decimal, income_per_10k, seven_day_yield) -> bool:
    return (row.nav, row.income_per_10k, row.seven_day_yield) != (nav, income_per_10k,
                                                                  seven_day_yield)
