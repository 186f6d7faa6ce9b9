"""The session engine (``SESSION_ENGINE = "security.identity.sessions"``): Django's database
store extended as Django documents it ("Extending database-backed session engines"), with the
logged-in user read in the same statement as the session row.

* ``get_model_class()`` names :class:`security.models.UserSession`, whose ``user_id`` column is
  the ``_auth_user_id`` of its data, written by ``create_model_instance()``: the user's sessions
  can be found (and are deleted with the user), and the row is read with its user.
* ``load()`` (the store's method that reads the row) reads the unexpired row with its user and
  the user's customer joined: every logged-in request needs all three. The user is kept on the
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

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DjangoDbStore
from django.utils import timezone


def _user_id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


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
        try:
            row = self.model.objects.select_related("user__customer").get(
                session_key=self.session_key, expire_date__gt=timezone.now())
        except self.model.DoesNotExist:
            # Gone, expired or never there: Django's load finds nothing too and forgets the key.
            return super().load()
        self.loaded_user = row.user if row.user_id is not None else None
        return self.decode(row.session_data)

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
