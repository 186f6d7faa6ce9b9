"""``{% load loans_format %}``: ``{{ rate|rate }}`` — 3.6000 → 3.60% (loans.iou.rate_text)."""

from django import template

from ..iou import rate_text

register = template.Library()


@register.filter
def rate(value) -> str:
    return "" if value is None else rate_text(value)
