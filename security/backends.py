"""The authentication backend: Django's model backend, loading the user's customer with it.

Every customer page needs ``request.user.customer`` (the header shows the name; every selector
starts from the customer). Django's ``ModelBackend.get_user`` loads the user alone, so each
page paid a second query for the customer; this loads both in one.

That one query runs on every logged-in request, and the ORM spends about twice as long
compiling it (a 40-column select_related) as PostgreSQL spends answering it. So it is compiled
once per process (:func:`_plan`) and then executed as it is, the rows turned into objects by
the same code Django's ``ModelIterable`` uses — the objects are what
``User.objects.select_related("customer").get(pk=…)`` returns (a test compares them).
"""

from dataclasses import dataclass
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.query import get_related_populators

_PLACEHOLDER_PK = -7_654_321  # compiled once with this, executed with the real pk


@dataclass(frozen=True)
class _Plan:
    sql: str
    compiler: object
    converters: dict
    init_list: tuple[str, ...]
    start: int
    end: int
    populators: tuple


@lru_cache(maxsize=4)
def _plan(alias: str) -> _Plan | None:
    query = (get_user_model()._default_manager.select_related("customer")
             .filter(pk=_PLACEHOLDER_PK).query)
    compiler = query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    if list(params) != [_PLACEHOLDER_PK]:  # not the shape this expects: use the ORM
        return None
    select, klass_info = compiler.select, compiler.klass_info
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    return _Plan(
        sql=sql,
        compiler=compiler,
        converters=compiler.get_converters([s[0] for s in select[:compiler.col_count]]),
        init_list=tuple(f[0].target.attname for f in select[start:end]),
        start=start,
        end=end,
        populators=tuple(get_related_populators(klass_info, select, alias)),
    )


def user_with_customer(user_id, *, alias: str = DEFAULT_DB_ALIAS):
    """The user with ``user.customer`` loaded (None for staff), or None if there is none."""
    model = get_user_model()
    plan = _plan(alias)
    if plan is None:
        return model._default_manager.select_related("customer").filter(pk=user_id).first()
    try:
        pk = model._meta.pk.to_python(user_id)
    except (ValidationError, TypeError, ValueError):  # a malformed id in a session: nobody
        return None
    with connections[alias].cursor() as cursor:
        cursor.execute(plan.sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    if plan.converters:
        row = next(iter(plan.compiler.apply_converters([row], plan.converters)))
    user = model.from_db(alias, list(plan.init_list), row[plan.start:plan.end])
    for populator in plan.populators:
        populator.populate(row, user)
    return user


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        user = user_with_customer(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
