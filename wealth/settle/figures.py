"""The figures of a confirmation: pure functions, no database (DOMAIN-RULES §5).

Fee convention (docs/wealth.md): 认购 and 申购 charge their fee **价外** (外扣法, as Chinese
funds have since 2007): the amount paid is the net amount plus the fee, so

    净额 = 金额 / (1 + 费率)   to the fen, half-up
    费用 = 金额 − 净额
    份额 = 净额 / 净值         to 4 decimals, half-up

and 赎回 charges it on the gross amount (价内):

    金额 = 份额 × 净值         to the fen, half-up
    费用 = 金额 × 费率         to the fen, half-up
    到账 = 金额 − 费用

Rates are percentages as the product keeps them (0.5 means 0.5 %).
"""

from dataclasses import dataclass
from decimal import Decimal

from ..book import money_round, shares_round

HUNDRED = Decimal("100")


@dataclass(frozen=True)
class BuyFigures:
    amount: Decimal     # what the customer paid (the hold)
    net: Decimal        # what buys shares
    fee: Decimal
    shares: Decimal


@dataclass(frozen=True)
class RedeemFigures:
    amount: Decimal     # shares × 净值
    fee: Decimal
    net: Decimal        # what reaches the customer's 活期


def buy_figures(*, amount: Decimal, fee_rate: Decimal, nav: Decimal) -> BuyFigures:
    net = money_round(amount / (1 + fee_rate / HUNDRED))
    return BuyFigures(amount=amount, net=net, fee=amount - net, shares=shares_round(net / nav))


def redeem_figures(*, shares: Decimal, fee_rate: Decimal, nav: Decimal) -> RedeemFigures:
    amount = money_round(shares * nav)
    fee = money_round(amount * fee_rate / HUNDRED)
    return RedeemFigures(amount=amount, fee=fee, net=amount - fee)
