"""``SESSION_ENGINE = "security.session_engines.db"`` (see the package)."""

from . import SessionStore

__all__ = ["SessionStore"]
