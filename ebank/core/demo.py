"""The demo bank's parts: each app registers what it adds to ``manage.py seed_demo``.

An app's ``demo.py`` has a ``demo_seed(out)`` that creates what is missing (idempotent) and
writes what it made through ``out``; its ``AppConfig.ready()`` registers it with its place::

    def ready(self):
        from .demo import demo_seed
        demo_part(20, demo_seed)

``order`` is explicit because parts build on each other: the ledger's books and the bank codes
(ebank.clearing, 10), then the bank, its customers and media (accounts, 20), then their
e-banking users and the staff (security, 30, which needs accounts' customers). A menu app adds
its part after those (its products on the demo customers' accounts).
"""

from collections.abc import Callable
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


class DemoOutput(Protocol):
    def line(self, text: str) -> None:
        """One line of what was made."""

    def success(self, text: str) -> None:
        """A heading: this part is ready."""


DemoSeed = Callable[[DemoOutput], None]

_parts: dict[int, DemoSeed] = {}


def demo_part(order: int, seed: DemoSeed) -> None:
    """Register ``seed(out)`` to run at ``order`` in ``seed_demo``.

    The same function again is harmless (``ready()`` run twice); another at a taken order is a
    programming error.
    """
    existing = _parts.get(order)
    if existing is not None and _qualified(existing) != _qualified(seed):
        raise ImproperlyConfigured(f"演示数据位置 {order} 已由 {_qualified(existing)} 使用")
    _parts[order] = seed


def demo_parts() -> list[DemoSeed]:
    """Every registered part, in order."""
    return [_parts[order] for order in sorted(_parts)]


def _qualified(fn: Callable) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"
