"""Session engines: Django's ``db`` and ``cached_db`` with fewer round trips on the busy paths.

Every confirmed step-up and every login gives the session a new key (``cycle_key``), which in
Django's stores costs: a SELECT to see whether the new random key exists, the INSERT, a SELECT
and a DELETE of the old row, and at the end of the request an UPDATE writing again exactly what
the INSERT wrote. Here:

* a new key is not looked up first: 32 random characters from 36 collide about once in 10⁴⁹,
  and ``create()`` inserts with ``must_create``, so the primary key refuses a collision and
  ``create()`` draws again (Django's own loop);
* the old row is deleted with one DELETE;
* a save that would write exactly what this store last wrote, for the same key, is skipped.

Everything else — what is stored, signing, expiry, the Redis copy — is Django's.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DjangoDbStore
from django.utils.crypto import get_random_string


class LeanDbStore(DjangoDbStore):
    _last_written: tuple[str, dict] | None = None

    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self.model.objects.filter(session_key=session_key).delete()

    def _unchanged_since_written(self, must_create: bool) -> bool:
        """True when saving now would write what this store last wrote for this key."""
        written = self._last_written
        return (not must_create and written is not None and self.session_key is not None
                and written == (self.session_key, self._session))

    def save(self, must_create=False):
        if self._unchanged_since_written(must_create):
            return
        super().save(must_create=must_create)
        if self.session_key is not None:
            self._last_written = (self.session_key, dict(self._session))
