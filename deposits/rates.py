"""利率表: which rate a deposit gets, which rows staff may still change, and the products' terms
and minimums (../shared/DOMAIN-RULES.md §1–2).

A deposit keeps the row in force on its opening (or rollover) day: ``rate_on`` finds it, the
opening service stores it on ``Deposit.rate_row`` (and copies the figure to
``Deposit.annual_rate``). 活期 settlement asks ``rate_on`` for the 活期 row on the settlement day.

How "a row in the past cannot be edited once used" is read (the rule is loose):

* A row is **read-only** as soon as a deposit references it, **or** its 生效日期 is today or
  earlier. A rate in force may have priced something that keeps no reference to the row (a 活期
  settlement, an early withdrawal's 活期 part, a quote on a page), so once in force it is
  history; a rate change is a new row with a later 生效日期 that supersedes it.
* So a new row takes effect **tomorrow at the earliest** (``rate_add`` refuses today or the
  past): today's rate never changes under a customer between two pages, and a typo in a new
  row can still be corrected (``rate_change``) or withdrawn (``rate_delete``) until it takes
  effect.
* Only 总行管理员 working at head office add, change or delete rows (the admin checks the same).

Every write is all-or-nothing with an audit row (``deposit_rate_add``, ``deposit_rate_change``,
``deposit_rate_delete``; labels in :data:`AUDIT_LABELS`, registered by
``DepositsConfig.ready()``). Plain ``atomic``, not durable: the admin's change and delete views
hold a transaction around them (as ``limit_policy_set``).
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError
from security.staff.roles import Role, has_role

from .models import DepositRate, Product

AUDIT_LABELS = {
    "deposit_rate_add": "存款利率录入",
    "deposit_rate_change": "存款利率修改",
    "deposit_rate_delete": "存款利率删除",
}

NO_RATE_MESSAGE = "该产品期限暂无适用利率"

# The terms (months) each product is offered for; 0 = no term (活期, 通知存款). 大额存单's
# "1m–5y" (DOMAIN-RULES §2) read as the terms Chinese banks issue it for within that range.
PRODUCT_TERMS: dict[str, tuple[int, ...]] = {
    Product.CURRENT: (0,),
    Product.FIXED: (3, 6, 12, 24, 36, 60),
    Product.INSTALMENT: (12, 36, 60),
    Product.INTEREST_PAYOUT: (12, 36, 60),
    Product.NOTICE_1D: (0,),
    Product.NOTICE_7D: (0,),
    Product.LARGE_CD: (1, 3, 6, 12, 24, 36, 60),
    Product.YOUYUEBAO: (12,),
    Product.LINGCUNBAO: (12,),
    Product.LIXIANDE: (12,),
}

# The smallest opening amount of each time-deposit product (yuan; DOMAIN-RULES §2 and the
# manual's notes). 零存整取 and 零存宝: the monthly (each) deposit. 悠悦宝's is its online
# minimum; the manual calls it a setting, this is the default the pages start from. 利先得 has
# no minimum in the manual or the rules: 整存整取's 50, of which it is a variant. 活期 has none.
PRODUCT_MINIMUM: dict[str, Decimal] = {
    Product.FIXED: Decimal("50"),
    Product.INSTALMENT: Decimal("5"),
    Product.INTEREST_PAYOUT: Decimal("5000"),
    Product.NOTICE_1D: Decimal("50000"),
    Product.NOTICE_7D: Decimal("50000"),
    Product.LARGE_CD: Decimal("200000"),
    Product.YOUYUEBAO: Decimal("10000"),
    Product.LINGCUNBAO: Decimal("1"),
    Product.LIXIANDE: Decimal("50"),
}

RATE_CEILING = Decimal(100)


def term_text(term_months: int) -> str:
    """一年, 三个月, 五年 …; 无固定期限 for 0."""
    if term_months == 0:
        return "无固定期限"
    if term_months % 12 == 0:
        return f"{_chinese_number(term_months // 12)}年"
    return f"{_chinese_number(term_months)}个月"


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return f"{digits[tens] if tens > 1 else ''}十{digits[ones] if ones else ''}"


def rate_text(annual_rate: Decimal) -> str:
    """A rate as staff and customers read it: at least two decimals, more only where the row
    has them (1.2000 → "1.20%", 1.2250 → "1.225%")."""
    shown = annual_rate.quantize(Decimal("0.0001")).normalize()
    if -shown.as_tuple().exponent < 2:
        shown = shown.quantize(Decimal("0.01"))
    return f"{shown}%"


# --- reads ------------------------------------------------------------------------------------


def rate_on(*, product: str, term_months: int, day: date) -> DepositRate:
    """The row in force on ``day``: the latest 生效日期 on or before it."""
    row = (DepositRate.objects
           .filter(product=product, term_months=term_months, effective_from__lte=day)
           .order_by("-effective_from").first())
    if row is None:
        raise BusinessError(NO_RATE_MESSAGE, code="deposit_rate_missing")
    return row


def rate_row_used(row: DepositRate) -> bool:
    """Whether a deposit keeps this row (opened or rolled over at it)."""
    return row.deposits.exists()


def rate_row_editable(row: DepositRate, today: date) -> bool:
    """Whether the row may still be changed or deleted: not yet in force and used by none."""
    return row.effective_from > today and not rate_row_used(row)


def rate_staff_may_edit(user) -> bool:
    """总行管理员 working at head office (the role alone is not enough: the branch decides reach)."""
    return has_role(user, Role.HEAD_OFFICE) and bool(getattr(user, "is_head_office", False))


# --- validation -------------------------------------------------------------------------------


def rate_validate(*, product: str, term_months: int, annual_rate: Decimal, effective_from: date,
                  today: date, replacing: DepositRate | None = None) -> Decimal:
    """The checks of a new (or changed) row; the rate as stored. BusinessError with the reason
    otherwise. The admin's form runs the same checks so a refusal shows on the form."""
    if product not in PRODUCT_TERMS:
        raise BusinessError("请选择存款产品", code="deposit_rate_product")
    if term_months not in PRODUCT_TERMS[product]:
        allowed = "、".join(term_text(t) for t in PRODUCT_TERMS[product])
        raise BusinessError(f"{Product(product).label}的存期只能是：{allowed}",
                            code="deposit_rate_term")
    try:
        rate = Decimal(annual_rate).quantize(Decimal("0.0001"))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise BusinessError("年利率格式不正确", code="deposit_rate_value") from exc
    if not Decimal(0) <= rate < RATE_CEILING:
        raise BusinessError("年利率须大于等于0且小于100（单位：%）", code="deposit_rate_value")
    if rate != Decimal(annual_rate):
        raise BusinessError("年利率最多保留四位小数", code="deposit_rate_value")
    if effective_from <= today:
        raise BusinessError("生效日期须晚于今天：已生效的利率不能更改，调整利率请录入新的生效日期",
                            code="deposit_rate_past")
    clash = DepositRate.objects.filter(product=product, term_months=term_months,
                                       effective_from=effective_from)
    if replacing is not None:
        clash = clash.exclude(pk=replacing.pk)
    if clash.exists():
        raise BusinessError("该产品期限在此生效日期已有利率", code="deposit_rate_duplicate")
    return rate


def _require_head_office(user) -> None:
    if not rate_staff_may_edit(user):
        raise BusinessError("只有总行管理员可以维护存款利率", code="deposit_rate_forbidden")


def _audit(*, action: str, row: DepositRate, acting_user, **detail) -> None:
    audit_record(action=action, actor=acting_user, channel="admin",
                 object_ref=f"deposit_rate:{row.pk}",
                 detail={"product": row.product, "term_months": row.term_months,
                         "annual_rate": str(row.annual_rate),
                         "effective_from": row.effective_from.isoformat(), **detail})


# --- writes -----------------------------------------------------------------------------------


@transaction.atomic
def rate_add(*, product: str, term_months: int, annual_rate: Decimal, effective_from: date,
             acting_user) -> DepositRate:
    """A new row of the rate table, in force from ``effective_from`` (tomorrow at the earliest)."""
    _require_head_office(acting_user)
    rate = rate_validate(product=product, term_months=term_months, annual_rate=annual_rate,
                         effective_from=effective_from, today=timezone.localdate())
    try:
        # A savepoint: a concurrent add of the same row leaves this transaction usable.
        with transaction.atomic():
            row = DepositRate.objects.create(
                product=product, term_months=term_months, annual_rate=rate,
                effective_from=effective_from, created_by_id=acting_user.pk)
    except IntegrityError as exc:
        raise BusinessError("该产品期限在此生效日期已有利率",
                            code="deposit_rate_duplicate") from exc
    _audit(action="deposit_rate_add", row=row, acting_user=acting_user)
    return row


def _locked_editable(row: DepositRate) -> DepositRate:
    locked = DepositRate.objects.select_for_update().filter(pk=row.pk).first()
    if locked is None:
        raise BusinessError("该利率已删除", code="deposit_rate_gone")
    if not rate_row_editable(locked, timezone.localdate()):
        raise BusinessError("该利率已生效或已被存款使用，不能修改；调整利率请录入新的生效日期",
                            code="deposit_rate_read_only")
    return locked


@transaction.atomic
def rate_change(*, row: DepositRate, annual_rate: Decimal, effective_from: date,
                acting_user) -> DepositRate:
    """Correct a row not yet in force (its rate or its 生效日期)."""
    _require_head_office(acting_user)
    locked = _locked_editable(row)
    rate = rate_validate(product=locked.product, term_months=locked.term_months,
                         annual_rate=annual_rate, effective_from=effective_from,
                         today=timezone.localdate(), replacing=locked)
    previous = {"previous_rate": str(locked.annual_rate),
                "previous_effective_from": locked.effective_from.isoformat()}
    locked.annual_rate = rate
    locked.effective_from = effective_from
    try:
        with transaction.atomic():
            locked.save(update_fields=["annual_rate", "effective_from"])
    except IntegrityError as exc:
        raise BusinessError("该产品期限在此生效日期已有利率",
                            code="deposit_rate_duplicate") from exc
    _audit(action="deposit_rate_change", row=locked, acting_user=acting_user, **previous)
    return locked


@transaction.atomic
def rate_delete(*, row: DepositRate, acting_user) -> None:
    """Withdraw a row not yet in force."""
    _require_head_office(acting_user)
    locked = _locked_editable(row)
    _audit(action="deposit_rate_delete", row=locked, acting_user=acting_user)
    locked.delete()
