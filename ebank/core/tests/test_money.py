"""Money helpers: parsing what customers type, showing amounts, and Chinese capitals.

The capitals table follows docs/money.md; the examples marked PBoC are the ones printed in
《正确填写票据和结算凭证的基本规定》 (where PBoC allows two spellings, the one we chose).
"""

from decimal import Decimal

import pytest
from django.template import Context, Template
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ebank.core.errors import BusinessError
from ebank.core.money import (
    MAX_AMOUNT,
    as_money,
    chinese_capitals,
    format_amount,
    format_cny,
    parse_amount,
    parse_chinese_capitals,
)

# Amounts a customer can move: 0.01 up to the top of the range, built from whole 分 so that no
# float ever touches them. Uniform cents are almost all twelve-digit amounts without zeros, so
# half the examples are drawn digit by digit with zeros likely: the 零 rules live in the zeros.
_uniform_cents = st.integers(min_value=1, max_value=int(MAX_AMOUNT * 100))
_zero_heavy_cents = (
    st.lists(st.sampled_from("00000000123456789"), min_size=1, max_size=14)
    .map(lambda digits: int("".join(digits)))
    .filter(lambda cents: cents > 0)
)
amounts = st.one_of(_uniform_cents, _zero_heavy_cents).map(
    lambda cents: (Decimal(cents) / 100).quantize(Decimal("0.01"))
)

CAPITALS = [
    ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
    ("100000.00", "壹拾万元整"),
    ("10.05", "壹拾元零伍分"),
    ("1000010.00", "壹佰万零壹拾元整"),
    ("0.10", "壹角整"),
    ("0.05", "伍分"),
    ("0.00", "零元整"),
    ("105000.00", "壹拾万伍仟元整"),
    ("100000000.00", "壹亿元整"),
    ("1010.10", "壹仟零壹拾元壹角整"),
    # PBoC
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("107000.53", "壹拾万柒仟元伍角叁分"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "叁佰贰拾伍元零肆分"),
    ("1409.50", "壹仟肆佰零玖元伍角整"),
    ("6007.14", "陆仟零柒元壹角肆分"),
    # small amounts and 壹拾
    ("0.01", "壹分"),
    ("0.15", "壹角伍分"),
    ("1.00", "壹元整"),
    ("10.00", "壹拾元整"),
    ("110.00", "壹佰壹拾元整"),
    ("1000.50", "壹仟元伍角整"),
    # runs of zeros around 万 and 亿
    ("100500.00", "壹拾万零伍佰元整"),
    ("1005000.00", "壹佰万伍仟元整"),
    ("100000.05", "壹拾万元零伍分"),
    ("20000000.10", "贰仟万元壹角整"),
    ("100000001.00", "壹亿零壹元整"),
    ("100001000.00", "壹亿零壹仟元整"),
    ("100010000.00", "壹亿零壹万元整"),
    ("105000000.00", "壹亿零伍佰万元整"),
    ("1010000000.00", "壹拾亿壹仟万元整"),
    ("100000000000.00", "壹仟亿元整"),
    ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize(("amount", "spelled"), CAPITALS)
def test_capitals_of_known_amounts(amount, spelled):
    assert chinese_capitals(Decimal(amount)) == spelled
    assert parse_chinese_capitals(spelled) == Decimal(amount)


@settings(max_examples=500, deadline=None)
@given(amounts)
@example(Decimal("0.10"))
@example(Decimal("10.05"))
@example(Decimal("100000.00"))
@example(Decimal("1000010.00"))
@example(Decimal("0.01"))
@example(MAX_AMOUNT)
def test_capitals_round_trip(amount):
    spelled = chinese_capitals(amount)
    assert parse_chinese_capitals(spelled) == amount
    assert "零零" not in spelled
    assert not spelled.startswith("零")
    assert spelled.endswith("整") == (amount * 100 % 10 == 0)


@settings(max_examples=300, deadline=None)
@given(amounts)
@example(Decimal("0.10"))
@example(Decimal("10.05"))
@example(Decimal("100000.00"))
@example(Decimal("1000010.00"))
def test_typed_amount_round_trip(amount):
    assert parse_amount(format_amount(amount)) == amount
    assert parse_amount(format_cny(amount)) == amount
    assert parse_amount(str(amount)) == amount


@pytest.mark.parametrize(
    ("spelled", "amount"),
    [
        # the 零 PBoC lets a writer add or leave out
        ("壹仟陆佰捌拾元零叁角贰分", "1680.32"),
        ("壹拾万零柒仟元伍角叁分", "107000.53"),
        ("壹拾万零柒仟元零伍角叁分", "107000.53"),
        ("壹佰万零伍仟元整", "1005000.00"),
        # 整 after 角 is optional, 正 may stand for 整, 人民币 may lead
        ("壹仟肆佰零玖元伍角", "1409.50"),
        ("人民币壹佰元正", "100.00"),
        (" 人民币 壹佰元整 ", "100.00"),
        # traditional forms PBoC tells banks to accept
        ("貳萬陸仟圓整", "26000.00"),
        ("壹億元整", "100000000.00"),
        ("零圆整", "0.00"),
    ],
)
def test_capitals_variants_a_teller_would_accept(spelled, amount):
    assert parse_chinese_capitals(spelled) == Decimal(amount)


@pytest.mark.parametrize(
    "spelled",
    [
        "",
        "整",
        "人民币",
        "壹佰元",  # 到元为止须写整
        "壹佰元伍分整",  # 有分不写整
        "一百元整",  # 小写数字
        "拾元整",  # 壹拾
        "壹佰伍元整",  # 105: the 零 in the middle is required
        "壹佰万壹拾元整",  # 1000010: likewise
        "壹亿壹仟元整",  # 100001000: 万 not written, so the 零 is required
        "壹佰零零伍元整",
        "零壹元整",
        "壹元零伍角整",  # no zero between 元 and 角
        "壹拾零万元整",
        "壹拾万零元整",
        "壹万亿元整",
        "壹万壹亿元整",
        "伍角壹元整",
        "壹伍角",
        "壹佰",
        "壹万整",
        "壹佰佰元整",
        "壹拾佰元整",
        "伍伍元整",
        "壹元零",
        "万元整",
        "元整",
        "零角伍分",
        "壹元伍角伍角",
        "壹元五角",
    ],
)
def test_capitals_that_are_not_an_amount(spelled):
    with pytest.raises(ValueError, match="大写金额格式不正确"):
        parse_chinese_capitals(spelled)


@pytest.mark.parametrize("value", ["-0.01", "1000000000000.00", "1.005"])
def test_capitals_outside_what_a_receipt_spells(value):
    with pytest.raises(ValueError):
        chinese_capitals(Decimal(value))


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1,234.5", "1234.50"),
        ("１２３", "123.00"),
        (" 100 ", "100.00"),
        ("¥100.00", "100.00"),
        ("￥１，２３４．５６", "1234.56"),
        ("\u3000100\u3000", "100.00"),
        ("100元", "100.00"),
        ("¥ 1,000,000", "1000000.00"),
        ("0.01", "0.01"),
        (".5", "0.50"),
        ("100.", "100.00"),
        ("999,999,999,999.99", "999999999999.99"),
    ],
)
def test_parse_amount_reads_what_customers_type(typed, amount):
    parsed = parse_amount(typed)
    assert parsed == Decimal(amount)
    assert parsed.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "请输入金额"),
        ("   ", "请输入金额"),
        (None, "请输入金额"),
        ("abc", "请输入正确的金额"),
        ("12a", "请输入正确的金额"),
        ("1e5", "请输入正确的金额"),
        ("NaN", "请输入正确的金额"),
        ("Infinity", "请输入正确的金额"),
        ("-Infinity", "请输入正确的金额"),
        (".", "请输入正确的金额"),
        ("1.2.3", "请输入正确的金额"),
        ("1,00", "请输入正确的金额"),  # a decimal comma must not become 100
        ("1234,567", "请输入正确的金额"),
        ("1 000", "请输入正确的金额"),
        ("١٢٣", "请输入正确的金额"),
        ("①②③", "请输入正确的金额"),
        ("壹佰元", "请输入正确的金额"),
        ("¥¥100", "请输入正确的金额"),
        ("1.234", "金额最多两位小数"),
        ("1.500", "金额最多两位小数"),
        ("0", "金额必须大于零"),
        ("0.00", "金额必须大于零"),
        ("-5", "金额必须大于零"),
        ("-¥5", "金额必须大于零"),
        ("1,000,000,000,000", "金额超出范围"),
        ("1000000000000.00", "金额超出范围"),
        ("9" * 40, "金额超出范围"),
    ],
)
def test_parse_amount_refuses_with_a_message(typed, message):
    with pytest.raises(BusinessError) as refused:
        parse_amount(typed)
    assert refused.value.message.startswith(message)


def test_parse_amount_never_takes_a_float():
    with pytest.raises(TypeError):
        parse_amount(0.1)


@pytest.mark.parametrize(
    ("value", "shown", "with_symbol"),
    [
        (Decimal("1234.56"), "1,234.56", "¥1,234.56"),
        (Decimal("-1234.56"), "-1,234.56", "-¥1,234.56"),
        (Decimal("0"), "0.00", "¥0.00"),
        (Decimal("-0.00"), "0.00", "¥0.00"),
        (Decimal("1.5"), "1.50", "¥1.50"),
        (Decimal("1.5000"), "1.50", "¥1.50"),
        (1000000, "1,000,000.00", "¥1,000,000.00"),
        ("999999999999.99", "999,999,999,999.99", "¥999,999,999,999.99"),
    ],
)
def test_amounts_as_the_bank_shows_them(value, shown, with_symbol):
    assert format_amount(value) == shown
    assert format_cny(value) == with_symbol


@pytest.mark.parametrize("value", [1.5, True, None, [1]])
def test_formatting_refuses_what_is_not_money(value):
    with pytest.raises(TypeError):
        format_cny(value)


@pytest.mark.parametrize("value", [Decimal("1.005"), Decimal("NaN"), "abc", Decimal("1e40")])
def test_formatting_refuses_fractions_of_a_fen(value):
    with pytest.raises(ValueError):
        as_money(value)


def render(source: str, **context) -> str:
    return Template("{% load money %}" + source).render(Context(context))


def test_filters_render():
    rendered = render(
        "{{ v|cny }}|{{ v|amount }}|{{ v|capitals }}|{{ n|cny }}",
        v=Decimal("1234.56"),
        n=Decimal("-5"),
    )
    assert rendered == "¥1,234.56|1,234.56|壹仟贰佰叁拾肆元伍角陆分|-¥5.00"


def test_filters_take_a_decimal_kept_as_text():
    assert render("{{ v|capitals }}", v="100000.00") == "壹拾万元整"


@pytest.mark.parametrize("empty", [None, ""])
def test_filters_render_nothing_for_no_amount(empty):
    assert render("[{{ v|cny }}{{ v|amount }}{{ v|capitals }}]", v=empty) == "[]"


def test_parse_amount_named_says_the_fields_name():
    from ebank.core.money import parse_amount_named

    assert parse_amount_named("1,000.50", label="转出金额") == Decimal("1000.50")
    for typed, message in (("", "请输入转出金额"), (None, "请输入转出金额"),
                           ("abc", "请输入正确的转出金额")):
        with pytest.raises(BusinessError) as refused:
            parse_amount_named(typed, label="转出金额")
        assert (refused.value.message, refused.value.code) == (message, "amount")
