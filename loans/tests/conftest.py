"""The loans tests' world: tests/customer_world's personas (张伟 with a USBKey, 李娜 without a
tool) and the shelf of loans/tests/support.py."""

import pytest

from tests.customer_world import World, world_build

from .support import shelf_seed


@pytest.fixture
def world(db, settings, tmp_path) -> World:
    bank = world_build(settings, tmp_path)
    bank.product = shelf_seed()
    return bank


@pytest.fixture
def teller(world):
    """A 柜员 of 张伟's branch (340101)."""
    from .review_support import teller_make
    return teller_make()


@pytest.fixture
def supervisor(world):
    """A 主管 of 张伟's branch (340101)."""
    from .review_support import supervisor_make
    return supervisor_make()
