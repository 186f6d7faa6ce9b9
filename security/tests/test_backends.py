"""security.identity.backends: the user with the customer, in one query."""

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from security.identity.backends import UserBackend, user_with_customer
from security.models import User

from .test_auth_helpers import bank, customer_user

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_the_customer_comes_with_the_user_in_one_query():
    zhang = customer_user(bank()[0], username="zhangwei")
    with CaptureQueriesContext(connection) as queries:
        user = user_with_customer(zhang.pk)
        name = user.customer.name
    assert len(queries) == 1
    orm = User.objects.select_related("customer").get(pk=zhang.pk)
    assert _fields(user) == _fields(orm) and _fields(user.customer) == _fields(orm.customer)
    assert name == orm.customer.name and user._state.adding is False
    assert model_to_dict(user) == model_to_dict(orm)
    # a second load sees changes (nothing is cached)
    User.objects.filter(pk=zhang.pk).update(status="suspended", live_session_key="abc")
    again = user_with_customer(zhang.pk)
    assert again.status == "suspended" and again.live_session_key == "abc"


def test_staff_without_a_customer_and_unknown_ids():
    staff = User.objects.create_user("teller_x", password="x" * 12, is_staff=True)
    user = user_with_customer(staff.pk)
    assert user == staff and user.customer is None
    assert user_with_customer(10**9) is None
    assert user_with_customer("not-a-number") is None


def test_the_backend_refuses_an_inactive_user():
    zhang = customer_user(bank()[0], username="zhangwei")
    assert UserBackend().get_user(zhang.pk) == zhang
    User.objects.filter(pk=zhang.pk).update(is_active=False)
    assert UserBackend().get_user(zhang.pk) is None
