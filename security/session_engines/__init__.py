"""The session engine (``SESSION_ENGINE = "security.session_engines.db"``): Django's database
store, with the logged-in user read in the same statement and fewer round trips when a key is
cycled.

Every logged-in request needs the session, the user and the user's customer, and the session
rules read the user afresh on every click (docs/decisions.md). Django reads the session row,
then ``get_user`` reads the user: two round trips (three when the session came from Redis). Here
the session row (:class:`security.models.UserSession`, whose ``user_id`` column is the
``_auth_user_id`` of its data) is read with the user and the customer joined, in one statement
compiled once per process; the user is kept on the store and offered to the authentication
backend by :class:`security.middleware.SessionUserMiddleware`, which still runs Django's
``get_user`` (backend, session hash, ``is_active``) on it.

Every confirmed step-up and every login gives the session a new key (``cycle_key``), which in
Django's store costs: a SELECT to see whether the new random key exists, the INSERT, a SELECT
and a DELETE of the old row, and at the end of the request an UPDATE writing again exactly what
the INSERT wrote. Here:

* a new key is not looked up first: 32 random characters from 36 collide about once in 10⁴⁹,
  and ``create()`` inserts with ``must_create``, so the primary key refuses a collision and
  ``create()`` draws again (Django's own loop);
* the old row is deleted with one DELETE, outside a transaction of its own;
* a save that would write exactly what this store last wrote, for the same key, is skipped;
* a save outside a transaction opens none for its one statement (inside one: a savepoint).

Everything else — what is stored, signing, expiry — is Django's.
"""

import datetime
from contextlib import nullcontext

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DjangoDbStore
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from ebank.core.compiled import CompiledLookup

# The unexpired session row by key, with its user and the user's customer (compiled once; the
# filters are chained to keep the parameters in this order).
_SESSION_ROW = CompiledLookup(
    lambda key, now: (SessionStore.get_model_class().objects
                      .select_related("user__customer")
                      .filter(session_key=key).filter(expire_date__gt=now)),
    "placeholder-session-key-7654321", datetime.datetime(1901, 2, 3, 4, 5, 6, tzinfo=datetime.UTC))


def _user_id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class SessionStore(DjangoDbStore):
    _last_written: tuple[str, dict] | None = None
    # The user (with the customer) read with the session row; None when nobody is logged in
    # or the session was not loaded from the database.
    loaded_user = None

    @classmethod
    def get_model_class(cls):
        from security.models import UserSession

        return UserSession

    def _get_session_from_db(self):
        row = _SESSION_ROW.first(self.session_key, timezone.now(),
                                 using=router.db_for_read(self.model))
        if row is None:
            self._session_key = None
            return None
        self.loaded_user = row.user if row.user_id is not None else None
        return row

    def create_model_instance(self, data):
        obj = super().create_model_instance(data)
        obj.user_id = _user_id(data.get(SESSION_KEY))
        return obj

    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        # One statement (QuerySet.delete() wraps even a lone DELETE in BEGIN/COMMIT).
        connection = connections[router.db_for_write(self.model)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE session_key = %s",  # noqa: S608
                           [session_key])

    def _unchanged_since_written(self, must_create: bool) -> bool:
        """True when saving now would write what this store last wrote for this key."""
        written = self._last_written
        return (not must_create and written is not None and self.session_key is not None
                and written == (self.session_key, self._session))

    def save(self, must_create=False):
        # Django's save, but without a transaction of its own around its one statement: outside
        # a caller's transaction the INSERT or UPDATE is atomic by itself (Django's BEGIN and
        # COMMIT were two more round trips); inside one, a savepoint still keeps a refused key
        # from spoiling the caller's transaction, so that create() can draw again.
        if self._unchanged_since_written(must_create):
            return
        if self.session_key is None:
            return self.create()
        data = self._get_session(no_load=must_create)
        obj = self.create_model_instance(data)
        using = router.db_for_write(self.model, instance=obj)
        block = (transaction.atomic(using=using) if connections[using].in_atomic_block
                 else nullcontext())
        try:
            with block:
                obj.save(force_insert=must_create, force_update=not must_create, using=using)
        except IntegrityError as exc:
            if must_create:
                raise CreateError from exc
            raise
        except DatabaseError as exc:
            if not must_create:
                raise UpdateError from exc
            raise
        self._last_written = (self.session_key, dict(self._session))
