"""Hot ORM queries compiled once per process, then executed as they are.

The busiest reads of a request — the session row with the user and the customer, a payer's
account with its medium, link, branch and balance, a payee's account — are ORM querysets with a
wide ``select_related``. Compiling one costs the ORM more than PostgreSQL spends answering it
(with prepared statements, docs/decisions.md), and it is the same SQL every time. So it is
compiled once per database alias with placeholder values and then run with the real ones; the
row becomes objects through the code Django's ``ModelIterable`` uses (``from_db`` and the
related populators), so the objects are what the queryset returns — deferred fields included
(tests compare them field by field).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.query import get_related_populators


@dataclass(frozen=True)
class CompiledQuery:
    """A single-object ORM query compiled once; ``first(params)`` runs it with new values."""

    model: type
    alias: str
    sql: str
    compiler: object
    converters: dict
    init_list: tuple[str, ...]
    start: int
    end: int
    populators: tuple

    @classmethod
    def of(cls, queryset, placeholders: list, *, alias: str) -> "CompiledQuery | None":
        """The compiled ``queryset``, or None if its parameters are not exactly
        ``placeholders`` (a shape this does not handle: the caller uses the ORM)."""
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if list(params) != list(placeholders):
            return None
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        return cls(
            model=queryset.model, alias=alias, sql=sql, compiler=compiler,
            converters=compiler.get_converters([s[0] for s in select[:compiler.col_count]]),
            init_list=tuple(f[0].target.attname for f in select[start:end]),
            start=start, end=end,
            populators=tuple(get_related_populators(klass_info, select, alias)),
        )

    def first(self, params: list):
        """The one object the query finds with ``params``, its related objects loaded."""
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            row = cursor.fetchone()
        return None if row is None else self._object(row)

    def all(self, params: list) -> list:
        """Every object the query finds with ``params``, in its order, related objects loaded."""
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        return [self._object(row) for row in rows]

    def _object(self, row):
        if self.converters:
            row = next(iter(self.compiler.apply_converters([row], self.converters)))
        obj = self.model.from_db(self.alias, list(self.init_list), row[self.start:self.end])
        for populator in self.populators:
            populator.populate(row, obj)
        return obj


class CompiledLookup:
    """A lookup defined once as ``build(*params) -> queryset``.

    ``first(*params)`` (at most one object) and ``all(*params)`` (every object, for a query that
    finds a handful) run the compiled form; where the placeholders do not come out of the
    compiler as they went in, they fall back to the queryset itself. Placeholders must be
    values no real call passes (negative ids, impossible strings, a date long past). Datetimes
    are adapted as the database backend adapts them (SQLite compares text)."""

    def __init__(self, build: Callable, *placeholders):
        self.build = build
        self.placeholders = list(placeholders)
        self._compiled: dict[str, CompiledQuery | None] = {}

    def first(self, *params, using: str = DEFAULT_DB_ALIAS):
        query = self._compiled_for(using)
        if query is None:
            return self.build(*params).using(using).first()
        return query.first(_adapted(params, using))

    def all(self, *params, using: str = DEFAULT_DB_ALIAS) -> list:
        query = self._compiled_for(using)
        if query is None:
            return list(self.build(*params).using(using))
        return query.all(_adapted(params, using))

    def _compiled_for(self, using: str) -> CompiledQuery | None:
        if using not in self._compiled:
            self._compiled[using] = CompiledQuery.of(
                self.build(*self.placeholders), _adapted(self.placeholders, using),
                alias=using)
        return self._compiled[using]


def _adapted(params, alias: str) -> list:
    ops = connections[alias].ops
    return [ops.adapt_datetimefield_value(p) if isinstance(p, datetime) else p for p in params]
