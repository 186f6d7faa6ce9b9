"""What other apps know about a sub-account, shown on 账户总览 and 账户详情.

accounts may not import the menu apps (docs/architecture.md), yet 账户总览 must show a 定期
deposit's product, term, rate, dates and interest to date, which live in ``deposits``. So the
pages ask a small registry: an app registers a provider from its ``AppConfig.ready()``::

    from accounts.pages.facts import sub_account_facts_provider
    sub_account_facts_provider(deposit_facts)

A provider is ``fn(*, sub_account_ids, on) -> {sub_account_id: SubAccountFacts}`` — one query
for the whole page, whatever the number of rows — and answers only for the sub-accounts it
knows. The pages show each answer's ``title`` and ``lines`` (label, value) beside the
sub-account; without a provider (or for a sub-account no provider knows) nothing more is shown.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class SubAccountFacts:
    title: str
    lines: tuple[tuple[str, str], ...] = field(default_factory=tuple)


Provider = Callable[..., dict[int, SubAccountFacts]]
_providers: dict[str, Provider] = {}


def sub_account_facts_provider(fn: Provider) -> Provider:
    """Register ``fn`` (by its qualified name: a re-import replaces, never doubles)."""
    _providers[f"{fn.__module__}.{fn.__qualname__}"] = fn
    return fn


def sub_account_facts(*, sub_account_ids: Iterable[int], on: date) -> dict[int, SubAccountFacts]:
    ids = sorted(set(sub_account_ids))
    if not ids:
        return {}
    found: dict[int, SubAccountFacts] = {}
    for provider in _providers.values():
        found.update(provider(sub_account_ids=ids, on=on))
    return found
