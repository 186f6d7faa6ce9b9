"""Helpers of the 薪加利 tests: 转入/转出 through the real pages' services and X-CONFIRM."""

from decimal import Decimal

from tests.customer_world import confirm
from wealth.xjl import services


def main_of(world, medium):
    return world.main(medium)


def transfer_in(world, product, amount, *, user=None, medium=None):
    user = user or world.zhang
    medium = medium or world.zhang_card
    operation = services.xjl_in_start(user=user, product_id=product.pk,
                                      sub_account_id=world.main(medium).pk, amount=str(amount))
    return confirm(operation, user=user)


def transfer_out(world, product, amount, *, mode="instant", user=None, medium=None):
    user = user or world.zhang
    medium = medium or world.zhang_card
    operation = services.xjl_out_start(user=user, product_id=product.pk, mode=mode,
                                       sub_account_id=world.main(medium).pk, amount=str(amount))
    return confirm(operation, user=user)


def shares_of(product, customer) -> Decimal:
    account = product.share_accounts.filter(customer=customer).first()
    return account.shares if account else Decimal("0.0000")
