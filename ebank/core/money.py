"""Money as the bank writes it: ``Decimal`` with two places, ``¥1,234.56``, and Chinese capitals.

Every amount in the product is a ``decimal.Decimal`` quantized to 0.01 (one 分). Floats are refused
with ``TypeError`` wherever they could slip in: a float cannot hold 0.10 exactly, and an amount
that is off by a fraction of a 分 on a receipt is a wrong receipt.

The capitals follow the People's Bank of China rules for filling in bills and settlement vouchers
(《正确填写票据和结算凭证的基本规定》, appended to 《支付结算办法》). Where those rules leave a choice
(optional 零, 整 after 角) this module makes one and sticks to it; docs/money.md records the choice.
"""

from decimal import Decimal, InvalidOperation
from itertools import pairwise

from ebank.core.errors import BusinessError

CENT = Decimal("0.01")
# The largest amount the capitals can spell without 万亿, and the largest a customer may type.
MAX_AMOUNT = Decimal("999999999999.99")

_CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACE_WORDS = ("", "拾", "佰", "仟")
_GROUP_WORDS = {8: "亿", 4: "万", 0: "元"}
_FRACTION_WORDS = {-1: "角", -2: "分"}


def as_money(value: Decimal | int | str) -> Decimal:
    """An amount the code already holds (model field, session, context) as a 2-place Decimal.

    Unlike :func:`parse_amount` this is for trusted values, so bad ones are programming errors
    (``TypeError``/``ValueError``), not messages for the customer. A value with a fraction of a 分
    is refused rather than rounded: which rounding applies (interest, fees, FX) is a business
    decision the caller must have made before the amount is shown or spelled.
    """
    # bool is an int subclass; True as one yuan is always a bug.
    if isinstance(value, bool | float):
        raise TypeError(f"金额必须是 Decimal，不能是 {type(value).__name__}: {value!r}")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"不是金额: {value!r}") from None
    else:
        raise TypeError(f"金额必须是 Decimal，不能是 {type(value).__name__}: {value!r}")
    if not amount.is_finite():
        raise ValueError(f"不是金额: {value!r}")
    try:
        quantized = amount.quantize(CENT)
    except InvalidOperation:
        raise ValueError(f"金额过大: {value!r}") from None
    if quantized != amount:
        raise ValueError(f"金额超过两位小数: {value!r}")
    # -0.00 would print as "-0.00" and spell nothing sensible.
    return abs(quantized) if quantized.is_zero() else quantized


# --- what the customer types ------------------------------------------------------------------

# Chinese input methods in full-width mode produce ０-９，．￥ and the ideographic space. Only those
# are folded to ASCII; NFKC would also turn ① or ² into digits, which nobody types as an amount.
_FULL_WIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH_TO_ASCII.update({0x3000: ord(" "), 0xFFE5: ord("¥")})

_ASCII_DIGITS = frozenset("0123456789")


def _is_digits(text: str) -> bool:
    # str.isdigit() would accept Arabic-Indic and other scripts' digits too.
    return bool(text) and set(text) <= _ASCII_DIGITS


def _integer_part_is_well_grouped(integer_part: str) -> bool:
    """``1234`` or ``1,234``; but not ``1,00``, which a European customer may mean as 1.00."""
    if "," not in integer_part:
        return integer_part == "" or _is_digits(integer_part)
    head, *groups = integer_part.split(",")
    return (
        _is_digits(head)
        and len(head) <= 3
        and all(len(group) == 3 and _is_digits(group) for group in groups)
    )


def parse_amount(text: str | None) -> Decimal:
    """The amount a customer typed into a form, as a positive 2-place Decimal.

    Accepts thousands separators, full-width digits, surrounding spaces, a leading ``¥`` and a
    trailing ``元``. Raises :class:`BusinessError` with a message to show next to the field.
    """
    if text is None:
        raise BusinessError("请输入金额", code="amount_required")
    if not isinstance(text, str):
        # A float from code would be silently inexact; make the caller pass what was typed.
        raise TypeError(f"parse_amount 只接受客户输入的文本，不能是 {type(text).__name__}")
    typed = text.translate(_FULL_WIDTH_TO_ASCII).strip()
    if not typed:
        raise BusinessError("请输入金额", code="amount_required")
    typed = typed.removesuffix("元").rstrip()
    body = typed.lstrip("¥- ")
    # "-100", "¥-100" and "-¥100" all mean a negative amount, which gets its own message.
    prefix = typed[: len(typed) - len(body)].replace(" ", "")
    if prefix.count("¥") > 1 or prefix.count("-") > 1:
        raise BusinessError("请输入正确的金额", code="amount_format")
    negative = "-" in prefix

    integer_part, _, fraction = body.partition(".")
    well_formed = (
        (integer_part or fraction)
        and _integer_part_is_well_grouped(integer_part)
        and (fraction == "" or _is_digits(fraction))
    )
    if not well_formed:
        raise BusinessError("请输入正确的金额", code="amount_format")
    if len(fraction) > 2:
        raise BusinessError("金额最多两位小数", code="amount_precision")

    amount = Decimal((integer_part.replace(",", "") or "0") + "." + (fraction or "0"))
    if negative:
        amount = -amount
    if amount <= 0:
        raise BusinessError("金额必须大于零", code="amount_not_positive")
    if amount > MAX_AMOUNT:
        raise BusinessError(
            "金额超出范围，最大为 999,999,999,999.99 元", code="amount_out_of_range"
        )
    return amount.quantize(CENT)


# --- how the bank shows it --------------------------------------------------------------------


def format_amount(value: Decimal | int | str) -> str:
    """``1,234.56``; negative ``-1,234.56``."""
    return f"{as_money(value):,.2f}"


def format_cny(value: Decimal | int | str) -> str:
    """``¥1,234.56``; negative ``-¥1,234.56`` (the sign before the currency, as statements print it)."""
    amount = as_money(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{format_amount(abs(amount))}"


# --- Chinese capitals (大写金额) ----------------------------------------------------------------


def _zero_may_be_dropped(higher_exponent: int, lower_exponent: int) -> bool:
    """May the 零 for the zeros between these two non-zero digits be left out?

    PBoC allows it when the run of zeros ends at the 万 or 元 position and the next digit is
    non-zero (¥1,680.32 → 壹仟陆佰捌拾元叁角贰分, ¥107,000.53 → 壹拾万柒仟元伍角叁分): the word
    万/元, written anyway, already marks the gap. The same holds for 亿. It does not hold when the
    whole 万 group is zero, because then 万 is not written and nothing would mark the gap.
    """
    run_ends_at = lower_exponent + 1
    if run_ends_at in (8, 0):
        return True
    return run_ends_at == 4 and higher_exponent <= 7


def chinese_capitals(value: Decimal | int | str) -> str:
    """The amount in Chinese capitals as printed on receipts: ``壹仟贰佰叁拾肆元伍角陆分``.

    0.00 – 999,999,999,999.99 only; receipts spell the absolute amount, so a negative value is a
    caller's bug and raises ``ValueError``. No ``人民币`` prefix: the template puts the label.
    """
    amount = as_money(value)
    if amount < 0 or amount > MAX_AMOUNT:
        raise ValueError(f"大写金额只能表示 0.00 至 999,999,999,999.99: {amount}")
    cents = int(amount * 100)
    if cents == 0:
        return "零元整"
    yuan = cents // 100

    words: list[str] = []
    zeros_pending = False
    last_exponent = 12
    for exponent in range(11, -3, -1):
        digit = cents // 10 ** (exponent + 2) % 10
        if digit:
            if zeros_pending and not _zero_may_be_dropped(last_exponent, exponent):
                words.append("零")
            place = _FRACTION_WORDS[exponent] if exponent < 0 else _PLACE_WORDS[exponent % 4]
            words.append(_CAPITAL_DIGITS[digit] + place)
            zeros_pending = False
            last_exponent = exponent
        elif words:
            zeros_pending = True
        group_word = _GROUP_WORDS.get(exponent)
        # 元 is written whenever there are whole yuan; 万 and 亿 only when their group has digits.
        if group_word and (yuan // 10**exponent % 10000 if exponent else yuan):
            words.append(group_word)
    if cents % 10 == 0:
        words.append("整")
    return "".join(words)


# Besides the simplified characters, PBoC tells banks to accept these traditional forms.
_CAPITAL_DIGIT_VALUES = {ch: value for value, ch in enumerate(_CAPITAL_DIGITS) if value} | {
    "貳": 2,
    "陸": 6,
}
_PLACE_EXPONENTS = {"拾": 1, "佰": 2, "仟": 3}
_GROUP_EXPONENTS = {"亿": 8, "億": 8, "万": 4, "萬": 4, "元": 0, "圆": 0, "圓": 0}
_FRACTION_EXPONENTS = {"角": -1, "分": -2}


def parse_chinese_capitals(text: str) -> Decimal:
    """The amount spelled in Chinese capitals, as a 2-place Decimal; the inverse of the above.

    Accepts exactly what PBoC accepts on a voucher: an optional ``人民币`` prefix, ``整`` or ``正``,
    the 零 that PBoC makes optional written or not, 零 after 元 before 角, no 整 after 角, and the
    traditional 貳 陸 億 萬 圓/圆. Refuses everything else with ``ValueError``: a missing 零 or 整
    where PBoC requires it, 一二三 or 十, doubled 零, units out of order, 整 after 分.
    A verifier that must know the text is the bank's own spelling compares it with
    :func:`chinese_capitals` of the parsed amount instead.
    """
    if not isinstance(text, str):
        raise TypeError(f"大写金额必须是文本，不能是 {type(text).__name__}")
    body = text.strip().removeprefix("人民币").strip()

    def refuse(why: str) -> ValueError:
        return ValueError(f"大写金额格式不正确（{why}）: {text!r}")

    if body in ("零元整", "零元正", "零圆整", "零圆正", "零圓整", "零圓正"):
        return Decimal("0.00")
    ends_with_zheng = body.endswith(("整", "正"))
    if ends_with_zheng:
        body = body[:-1]

    # (digit, power of ten of its place, whether a 零 was written just before it)
    spelled: list[tuple[int, int, bool]] = []
    open_group: list[tuple[int, int, bool]] = []  # digits waiting for their 亿/万/元
    last_group_exponent = 12
    zero_written = False
    yuan_written = False
    position = 0
    while position < len(body):
        char = body[position]
        position += 1
        if char == "零":
            if zero_written or not (spelled or open_group):
                raise refuse("零的位置不对")
            zero_written = True
        elif char in _CAPITAL_DIGIT_VALUES:
            digit = _CAPITAL_DIGIT_VALUES[char]
            unit = body[position] if position < len(body) else ""
            if unit in _FRACTION_EXPONENTS:
                position += 1
                exponent = _FRACTION_EXPONENTS[unit]
                if open_group:
                    raise refuse("角分之前缺少元")
                if spelled and spelled[-1][1] <= exponent:
                    raise refuse("单位顺序不对")
                spelled.append((digit, exponent, zero_written))
            else:
                place = _PLACE_EXPONENTS.get(unit, 0)
                if place:
                    position += 1
                if yuan_written or (spelled and spelled[-1][1] < 0):
                    raise refuse("元之后不能再有整数位")
                if open_group and open_group[-1][1] <= place:
                    raise refuse("单位顺序不对")
                open_group.append((digit, place, zero_written))
            zero_written = False
        elif char in _GROUP_EXPONENTS:
            group_exponent = _GROUP_EXPONENTS[char]
            if zero_written:
                raise refuse("零之后缺少数字")
            if group_exponent >= last_group_exponent:
                raise refuse("亿万元顺序不对")
            # 元 also closes an empty group (壹拾万元整); 亿 and 万 never stand alone.
            if not open_group and (group_exponent or not spelled):
                raise refuse(f"{char}之前缺少数字")
            spelled.extend((d, place + group_exponent, z) for d, place, z in open_group)
            open_group = []
            last_group_exponent = group_exponent
            yuan_written = yuan_written or group_exponent == 0
        else:
            raise refuse(f"不认识的字“{char}”")
    if open_group or zero_written:
        raise refuse("缺少元")
    if not spelled:
        raise refuse("没有金额")
    if spelled[0][1] >= 0 and not yuan_written:
        raise refuse("缺少元")

    lowest_exponent = spelled[-1][1]
    if lowest_exponent == -2 and ends_with_zheng:
        raise refuse("有分时不写整")
    if lowest_exponent >= 0 and not ends_with_zheng:
        raise refuse("到元为止时须写整")

    for (_, higher, _), (_, lower, zero_before) in pairwise(spelled):
        gap = higher - lower - 1
        if gap == 0 and zero_before:
            raise refuse("中间没有0时不写零")
        if gap and not zero_before and not _zero_may_be_dropped(higher, lower):
            raise refuse("中间有0时须写零")

    cents = sum(digit * 10 ** (exponent + 2) for digit, exponent, _ in spelled)
    return (Decimal(cents) / 100).quantize(CENT)


def parse_amount_named(text, *, label: str) -> Decimal:
    """``parse_amount`` with the field's own name in the message (请输入还款金额, 请输入正确的转出金额),
    every refusal coded ``amount`` (the field it belongs to); what is not text counts as empty."""
    try:
        return parse_amount(text if isinstance(text, str) else "")
    except BusinessError as exc:
        message = exc.message
        if exc.code == "amount_required":
            message = f"请输入{label}"
        elif exc.code == "amount_format":
            message = f"请输入正确的{label}"
        raise BusinessError(message, code="amount") from None
