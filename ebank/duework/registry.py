"""Which function runs which kind of deferred work: an explicit registry, no dynamic imports.

A handler is registered with :func:`due_handler` in a module that its app's
``AppConfig.ready()`` imports, so every process (web, worker, the ``run_due_work`` poller)
knows every kind. Where that module is:

* transfers keeps its handlers beside the services they drive, in ``transfers/services/``:
  ``transfers.execute`` (普通到账/次日到账) in ``execution.py``; ``transfers.inter_execute``
  (预约 inter-bank), ``transfers.inter_poll_returns`` and ``transfers.inter_resend`` in
  ``inter.py`` (the last two wrap functions of ``clearing_answers.py``). ``TransfersConfig.ready()``
  imports those modules;
* a new app keeps them in ``<app>/handlers.py`` (docs/new-menu-app.md)::

    # deposits/handlers.py
    from ebank.duework.registry import due_handler

    @due_handler("deposits.mature", label="定期存款到期处理")
    def deposit_mature_due(work: DueWork) -> None:
        deposit_mature(deposit_id=work.payload["deposit_id"], ...)

    # deposits/apps.py
    class DepositsConfig(AppConfig):
        def ready(self):
            from . import handlers  # noqa: F401  (registers the due-work handlers)

Kinds are ``"<app>.<verb>"``. A handler runs inside the dispatcher's transaction with the
DueWork row locked (see :mod:`ebank.duework.services`): it calls the *inner* (plain
``atomic``) variants of business services, never the ``durable=True`` top-level ones, and must
be safe to run again after a rollback (idempotency keys derived from ``work.pk`` do that).
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from .models import DueWork

DueHandler = Callable[["DueWork"], None]

_handlers: dict[str, DueHandler] = {}
# What staff call each kind (the admin's 延时任务 list); a kind without one shows its code.
_labels: dict[str, str] = {}


def due_handler(kind: str, *, label: str = "") -> Callable[[DueHandler], DueHandler]:
    """Register the decorated function as the handler of ``kind``, named ``label`` in Chinese."""
    if not kind or len(kind) > 64:
        raise ImproperlyConfigured(f"due-work kind must be 1–64 characters: {kind!r}")
    if label:
        _labels[kind] = label

    def register(handler: DueHandler) -> DueHandler:
        existing = _handlers.get(kind)
        # The same function again is a re-import (e.g. autoreload); another one is a clash
        # that would silently change what a scheduled row does.
        if existing is not None and _qualname(existing) != _qualname(handler):
            raise ImproperlyConfigured(
                f"due-work kind {kind!r} is already handled by {_qualname(existing)}"
            )
        _handlers[kind] = handler
        return handler

    return register


def handler_for(kind: str) -> DueHandler | None:
    return _handlers.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_handlers)


def due_kind_label(kind: str) -> str:
    return _labels.get(kind, kind)


def _qualname(fn: DueHandler) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"
