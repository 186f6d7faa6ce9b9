"""UserSession: Django's database session with the logged-in user's id beside the data.

The user id is also inside ``session_data`` (signed, as Django stores it); the column exists so
that loading a session can bring the user and the customer in the same statement
(``security.identity.sessions``): every logged-in request needs all three, and the session rules
read the user afresh on every click (docs/decisions.md, "The user is read on every request").
"""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class UserSession(AbstractBaseSession):
    # No database constraint: the primary key must stay the only thing an INSERT can violate,
    # because the store reads an IntegrityError on create as "this random key is taken" and
    # draws again. A row naming a user who is gone joins to no user: the request is anonymous.
    # Deleting a user through the ORM still deletes their sessions (CASCADE).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True,
                             blank=True, related_name="+", verbose_name="用户",
                             db_constraint=False)

    class Meta(AbstractBaseSession.Meta):
        verbose_name = "会话"
        verbose_name_plural = "会话"

    @classmethod
    def get_session_store_class(cls):
        from security.identity.sessions import SessionStore

        return SessionStore
