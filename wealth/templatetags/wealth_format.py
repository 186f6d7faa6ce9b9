"""``{% load wealth_format %}``: ``{{ value|shares }}`` — shares as the statements print them,
``12,345.6789`` (4 decimals, thousands grouped); an empty value renders as nothing."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def shares(value) -> str:
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.4f}"
