"""The authentication backend: Django's model backend, loading the user's customer with it.

Every customer page needs ``request.user.customer`` (the header shows the name; every selector
starts from the customer). Django's ``ModelBackend.get_user`` loads the user alone, so each
page paid a second query for the customer; this loads both in one — and when the session store
has already brought the user with the session row (``security.identity.sessions``: the session,
the user and the customer in one statement), it takes that user instead of asking again.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS


def user_with_customer(user_id, *, alias: str = DEFAULT_DB_ALIAS):
    """The user with ``user.customer`` loaded (None for staff), or None if there is none."""
    try:
        pk = get_user_model()._meta.pk.to_python(user_id)
    except (ValidationError, TypeError, ValueError):  # a malformed id in a session: nobody
        return None
    model = get_user_model()
    try:
        return model._default_manager.using(alias).select_related("customer").get(pk=pk)
    except model.DoesNotExist:
        return None


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
