"""``SESSION_ENGINE = "security.session_engines.db"``: the database alone (see the package)."""

from . import LeanDbStore


class SessionStore(LeanDbStore):
    pass
