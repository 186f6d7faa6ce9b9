"""The authentication backend: Django's model backend, loading the user's customer with it.

Every customer page needs ``request.user.customer`` (the header shows the name; every selector
starts from the customer). Django's ``ModelBackend.get_user`` loads the user alone, so each
page paid a second query for the customer; this loads both in one — and when the session store
has already brought the user with the session row (``security.session_engines``: the session,
the user and the customer in one statement), it takes that user instead of asking again.

Those statements run on every logged-in request, and the ORM spends about twice as long
compiling them (a 40-column select_related) as PostgreSQL spends answering. So each is compiled
once per process (:class:`CompiledQuery`) and then executed as it is, the rows turned into
objects by the same code Django's ``ModelIterable`` uses — the objects are what the ORM query
returns (a test compares them field by field).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.query import get_related_populators

_PLACEHOLDER_PK = -7_654_321  # compiled once with this, executed with the real pk


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
        if row is None:
            return None
        if self.converters:
            row = next(iter(self.compiler.apply_converters([row], self.converters)))
        obj = self.model.from_db(self.alias, list(self.init_list), row[self.start:self.end])
        for populator in self.populators:
            populator.populate(row, obj)
        return obj


@lru_cache(maxsize=4)
def _user_query(alias: str) -> CompiledQuery | None:
    queryset = (get_user_model()._default_manager.select_related("customer")
                .filter(pk=_PLACEHOLDER_PK))
    return CompiledQuery.of(queryset, [_PLACEHOLDER_PK], alias=alias)


def user_with_customer(user_id, *, alias: str = DEFAULT_DB_ALIAS):
    """The user with ``user.customer`` loaded (None for staff), or None if there is none."""
    model = get_user_model()
    query = _user_query(alias)
    if query is None:
        return model._default_manager.select_related("customer").filter(pk=user_id).first()
    try:
        pk = model._meta.pk.to_python(user_id)
    except (ValidationError, TypeError, ValueError):  # a malformed id in a session: nobody
        return None
    return query.first([pk])


# The user the session store read with the session row, offered to get_user() while
# SessionUserMiddleware resolves request.user (and only then).
_session_user: ContextVar = ContextVar("session_user", default=None)


@contextmanager
def session_user_offered(user):
    token = _session_user.set(user)
    try:
        yield
    finally:
        _session_user.reset(token)


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        offered = _session_user.get()
        if offered is not None and str(offered.pk) == str(user_id):
            user = offered
        else:
            user = user_with_customer(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
