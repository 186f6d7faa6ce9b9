"""The session engine (``SESSION_ENGINE = "security.identity.sessions"``): Django's database
store extended as Django documents it ("Extending database-backed session engines"), with the
logged-in user read in the same statement as the session row.

* ``get_model_class()`` names :class:`security.models.UserSession`, whose ``user_id`` column is
  the ``_auth_user_id`` of its data, written by ``create_model_instance()``: the user's sessions
  can be found (and are deleted with the user), and the row is read with its user.
* ``load()`` (the store's method that reads the row) reads the unexpired row with its user and
  the user's customer joined: every logged-in request needs all three. On PostgreSQL that is
  one statement written out (:mod:`ebank.core.sql`): the ORM compiling this 40-column join on
  every request cost more than a third of a logged-in request's CPU (bench/web_load.py, "bare
  view, logged in"); elsewhere it is the queryset it mirrors, ``_session_row_orm``. The user is kept on the
  store (``loaded_user``) and offered to the authentication backend by
  :class:`security.identity.middleware.SessionUserMiddleware`, which still runs Django's ``get_user``
  (backend, session hash, ``is_active``) on it. A row not found is left to Django's ``load()``,
  which forgets the key as it always does (the next save draws a new one).
* ``delete()`` deletes by key in one statement (Django's reads the row first).
* ``save()`` skips a write of exactly what this store last wrote for the same key: a cycled key
  (every login and confirmed step-up) is inserted with the session's data, and the end of that
  request would write it again unchanged. Every write is Django's (in its transaction).

Everything else — key generation, signing, expiry, the transaction around a write — is Django's.
"""

from functools import cache

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DjangoDbStore
from django.db import router
from django.utils import timezone

from ebank.core.sql import columns, fetch_one, loaded, raw_sql_usable, width


def _user_id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _session_row_orm(session_key, now, *, using):
    """(session data, user with customer or None) of the unexpired row, or None: the queryset."""
    from security.models import UserSession

    row = (UserSession.objects.using(using).select_related("user__customer")
           .filter(session_key=session_key, expire_date__gt=now).first())
    if row is None:
        return None
    return row.session_data, (row.user if row.user_id is not None else None)


@cache
def _session_row_statement() -> str:
    from accounts.models import Customer
    from security.models import User, UserSession

    return (f"SELECT s.session_data, {columns(User, 'u')}, {columns(Customer, 'c')}"
            f' FROM "{UserSession._meta.db_table}" s'
            f' LEFT JOIN "{User._meta.db_table}" u ON u.id = s.user_id'
            f' LEFT JOIN "{Customer._meta.db_table}" c ON c.id = u.customer_id'
            " WHERE s.session_key = %s AND s.expire_date > %s")


def _session_row_sql(session_key, now, *, using):
    """What :func:`_session_row_orm` answers, in one statement written once (PostgreSQL)."""
    from accounts.models import Customer
    from security.models import User

    row = fetch_one(_session_row_statement(), [session_key, now], using=using)
    if row is None:
        return None
    user_end = 1 + width(User)
    user = loaded(User, row[1:user_end], using=using)
    if user is not None:
        user.customer = loaded(Customer, row[user_end:], using=using)
    return row[0], user


class SessionStore(DjangoDbStore):
    # What this store last wrote: (session key, data).
    _last_written: tuple[str, dict] | None = None
    # The user (with the customer) read with the session row; None when nobody is logged in
    # or the session was not loaded from the database.
    loaded_user = None

    @classmethod
    def get_model_class(cls):
        from security.models import UserSession

        return UserSession

    def create_model_instance(self, data):
        obj = super().create_model_instance(data)
        obj.user_id = _user_id(data.get(SESSION_KEY))
        return obj

    def load(self):
        self.loaded_user = None
        using = router.db_for_read(self.model)
        found = (_session_row_sql if raw_sql_usable(using) else _session_row_orm)(
            self.session_key, timezone.now(), using=using)
        if found is None:
            # Gone, expired or never there: Django's load finds nothing too and forgets the key.
            return super().load()
        session_data, self.loaded_user = found
        return self.decode(session_data)

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self.model.objects.filter(session_key=session_key).delete()

    def save(self, must_create=False):
        if (not must_create and self._last_written is not None
                and self._last_written == (self.session_key, dict(self.items()))):
            return
        super().save(must_create=must_create)
        self._last_written = (self.session_key, dict(self.items()))
