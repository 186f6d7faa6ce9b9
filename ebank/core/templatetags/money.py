"""``{% load money %}``: ``{{ value|cny }}``, ``{{ value|amount }}``, ``{{ value|capitals }}``.

An empty value (None, "") renders as nothing, so an optional amount (a fee not yet known) needs no
``{% if %}`` around it. Anything else that is not money raises instead of rendering blank: a
confirmation page or receipt that quietly drops the amount is worse than a page that fails.
"""

from django import template

from ebank.core.money import chinese_capitals, format_amount, format_cny

register = template.Library()


def _is_empty(value) -> bool:
    return value is None or value == ""


@register.filter
def cny(value) -> str:
    """``¥1,234.56``."""
    return "" if _is_empty(value) else format_cny(value)


@register.filter
def amount(value) -> str:
    """``1,234.56``, for table columns whose header already says 金额（元）."""
    return "" if _is_empty(value) else format_amount(value)


@register.filter
def capitals(value) -> str:
    """``壹仟贰佰叁拾肆元伍角陆分``; the template writes the 人民币 label."""
    return "" if _is_empty(value) else chinese_capitals(value)
