"""``SESSION_ENGINE = "security.session_engines.cached_db"``: read from the cache (Redis),
written through to the database (see the package for what differs from Django's)."""

from django.contrib.sessions.backends.cached_db import SessionStore as DjangoCachedDbStore

from . import LeanDbStore


class SessionStore(DjangoCachedDbStore, LeanDbStore):
    def save(self, must_create=False):
        if self._unchanged_since_written(must_create):
            return  # neither the row nor the Redis copy needs writing again
        super().save(must_create=must_create)
