"""Explicit SQL for the few reads every request (or every transfer) makes.

The ORM compiles a queryset anew each time it runs it; for a ``select_related`` of forty
columns that costs more than PostgreSQL spends answering. Where a bench row shows it matters
(docs/benchmarks.md: the session row on every logged-in request, the reads of the transfer
flow), a selector writes its statement once, as text, and builds the model instances from the
row with Django's public ``Model.from_db`` — the instances are the ORM's own (deferred fields,
``refresh_from_db``, saving all work), only the compiling is skipped.

On PostgreSQL only: psycopg hands back the Python types the ORM would (Decimal, aware
datetimes, dates). Elsewhere (SQLite, the embedded demo) a selector uses its ORM queryset, which
also keeps Django's guards (``select_for_update`` outside a transaction is refused there too).
Every selector built on this module is tested against its queryset's answer.
"""

from collections.abc import Sequence
from functools import cache

from django.db import connections
from django.db.models import Model


def raw_sql_usable(using: str) -> bool:
    """Whether the explicit statements serve on ``using`` (PostgreSQL) or the ORM does."""
    return connections[using].vendor == "postgresql"


@cache
def _fields(model: type[Model], names: tuple[str, ...] | None) -> tuple:
    fields = model._meta.concrete_fields
    if names is None:
        return tuple(fields)
    chosen = tuple(f for f in fields if f.attname in names)
    missing = set(names) - {f.attname for f in chosen}
    if missing:
        raise ValueError(f"{model.__name__} has no columns {sorted(missing)}")
    return chosen


def columns(model: type[Model], alias: str, names: Sequence[str] | None = None) -> str:
    """``alias.col, …`` for ``model``'s concrete fields (or those of ``names``, by attname), in
    field order: what :func:`loaded` reads back."""
    return ", ".join(f'{alias}."{field.column}"'
                     for field in _fields(model, tuple(names) if names else None))


def width(model: type[Model], names: Sequence[str] | None = None) -> int:
    """How many values :func:`columns` selects (to slice a row)."""
    return len(_fields(model, tuple(names) if names else None))


@cache
def _loading(model: type[Model], names: tuple[str, ...] | None) -> tuple:
    """(attnames, primary key's position, (position, from_db_value) of each converting field)."""
    fields = _fields(model, names)
    pk = next((i for i, field in enumerate(fields) if field.primary_key), None)
    converters = tuple((i, field.from_db_value) for i, field in enumerate(fields)
                       if hasattr(field, "from_db_value"))  # e.g. JSONField: text → object
    return [field.attname for field in fields], pk, converters


def loaded(model: type[Model], values: Sequence, *, using: str,
           names: Sequence[str] | None = None) -> Model | None:
    """The instance for the values of :func:`columns`; None when the primary key is NULL (a LEFT
    JOIN found nothing). Fields not selected stay deferred, as after ``.only()``."""
    attnames, pk, converters = _loading(model, tuple(names) if names else None)
    if len(values) != len(attnames):
        raise ValueError(f"{model.__name__}: {len(values)} values for {len(attnames)} columns")
    if pk is not None and values[pk] is None:
        return None
    if converters:
        values = list(values)
        connection = connections[using]
        for i, from_db_value in converters:
            if values[i] is not None:
                values[i] = from_db_value(values[i], None, connection)
    return model.from_db(using, attnames, values)


def fetch_one(sql: str, params: Sequence, *, using: str) -> tuple | None:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def fetch_all(sql: str, params: Sequence, *, using: str) -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
