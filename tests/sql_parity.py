"""Shared by the tests that hold an explicit SQL selector (ebank.core.sql) to the queryset it
mirrors: the same objects field by field, and which statements ran.

    path = sql_path_fixture(selectors, payees)   # module-level: the fixture ``path``

runs each test twice, on the SQL path and on the ORM fallback (what SQLite runs), with the
statements the selectors ran through ``fetch_one``/``fetch_all`` in ``path.statements``.
"""

import pytest


def loaded(obj) -> dict:
    """Every field the object holds (deferred ones are not read: that would be a query)."""
    deferred = obj.get_deferred_fields()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields
            if f.attname not in deferred}


def same(found, orm, *, also_loaded: frozenset = frozenset()) -> None:
    """``found`` holds what ``orm`` holds; ``also_loaded``: fields it may know beyond that."""
    assert type(found) is type(orm) and found.pk == orm.pk
    assert found.get_deferred_fields() - also_loaded == orm.get_deferred_fields() - also_loaded
    assert ({k: v for k, v in loaded(found).items() if k not in also_loaded}
            == {k: v for k, v in loaded(orm).items() if k not in also_loaded})
    assert found._state.db == orm._state.db and found._state.adding is orm._state.adding is False


def ran(queries, sql: str, path) -> None:
    """One statement: on the SQL path, the selector's own (on the ORM path, the queryset's)."""
    assert len(queries) == 1
    assert path.statements == ([sql] if path == "sql" else [])


class SqlPath(str):
    statements: list


def _recording(fetch, path):
    def recorded(sql, params, *, using):
        path.statements.append(sql)
        return fetch(sql, params, using=using)
    return recorded


def sql_path_fixture(*modules):
    """The ``path`` fixture over the selector modules ``modules``."""

    @pytest.fixture(params=["sql", "orm"])
    def path(request, monkeypatch):
        chosen = SqlPath(request.param)
        chosen.statements = []
        for module in modules:
            if request.param == "orm":
                monkeypatch.setattr(module, "raw_sql_usable", lambda using: False)
            for name in ("fetch_one", "fetch_all"):
                if hasattr(module, name):
                    monkeypatch.setattr(module, name, _recording(getattr(module, name), chosen))
        return chosen

    return path
