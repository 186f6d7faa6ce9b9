"""The authentication backend: Django's model backend, loading the user's customer with it.

Every customer page needs ``request.user.customer`` (the header shows the name; every selector
starts from the customer). Django's ``ModelBackend.get_user`` loads the user alone, so each
page paid a second query for the customer; this loads both in one.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        user = model._default_manager.select_related("customer").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
