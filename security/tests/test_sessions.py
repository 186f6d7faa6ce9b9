"""security.identity.sessions: Django's database session store with the user read in the same
statement as the session row, one DELETE for a cycled key's old row and no second write of what
was just written; otherwise Django's behaviour."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from security.identity import sessions as db
from security.models import User
from security.models import UserSession as Session
from tests.sql_parity import same

from .test_auth_helpers import bank, customer_user, login, session_key

pytestmark = pytest.mark.django_db
ENGINES = [pytest.param(db.SessionStore, id="db")]


def _writes(queries) -> list[str]:
    return [q["sql"].split()[0] for q in queries
            if q["sql"].split()[0] in {"SELECT", "INSERT", "UPDATE", "DELETE"}]


@pytest.mark.parametrize("store_class", ENGINES)
def test_cycling_the_key_inserts_the_new_row_and_deletes_the_old_one_only(store_class):
    # Django's own key draw asks whether the new key exists (the SELECT); the old row goes in
    # one DELETE; the end of the request writes nothing again.
    store = store_class()
    store["who"] = "张伟"
    store.save()
    old_key = store.session_key
    with CaptureQueriesContext(connection) as queries:
        store.cycle_key()
        store.save()  # the end of the request: nothing changed since the INSERT
    assert _writes(queries.captured_queries) == ["SELECT", "INSERT", "DELETE"]
    assert not Session.objects.filter(session_key=old_key).exists()
    assert store_class(store.session_key).load() == {"who": "张伟"}
    assert store_class(old_key).load() == {}


@pytest.mark.parametrize("store_class", ENGINES)
def test_a_changed_session_is_written_and_an_unchanged_one_is_not(store_class):
    store = store_class()
    store["n"] = 1
    store.save()
    key = store.session_key
    loaded = store_class(key)
    assert loaded["n"] == 1
    with CaptureQueriesContext(connection) as queries:
        loaded["n"] = 2
        loaded.save()
    assert "UPDATE" in _writes(queries.captured_queries)
    with CaptureQueriesContext(connection) as queries:
        loaded.save()
    assert _writes(queries.captured_queries) == []
    assert store_class(key).load() == {"n": 2}


def _logged_in_store(user) -> db.SessionStore:
    store = db.SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "security.identity.backends.UserBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store


def test_the_row_names_its_user_and_loading_it_brings_user_and_customer_in_one_statement():
    zhang = customer_user(bank()[0], username="zhangwei")
    key = _logged_in_store(zhang).session_key
    assert Session.objects.get(pk=key).user_id == zhang.pk
    store = db.SessionStore(key)
    with CaptureQueriesContext(connection) as queries:
        assert store[SESSION_KEY] == str(zhang.pk)
        user = store.loaded_user
        name = user.customer.name
    assert len(queries) == 1
    orm = User.objects.select_related("customer").get(pk=zhang.pk)
    assert model_to_dict(user) == model_to_dict(orm) and name == orm.customer.name
    # read afresh each time: a suspension or a newer login shows at the next load
    User.objects.filter(pk=zhang.pk).update(status="suspended", live_session_key="newer")
    again = db.SessionStore(key)
    again.load()
    assert again.loaded_user.status == "suspended"
    assert again.loaded_user.live_session_key == "newer"


def test_an_anonymous_or_expired_or_unknown_session_brings_no_user(settings):
    anonymous = db.SessionStore()
    anonymous["captcha"] = "x"
    anonymous.save()
    loaded = db.SessionStore(anonymous.session_key)
    assert loaded.load() == {"captcha": "x"} and loaded.loaded_user is None
    assert Session.objects.get(pk=anonymous.session_key).user_id is None
    zhang = customer_user(bank()[0], username="zhangwei")
    expired = _logged_in_store(zhang)
    expired.set_expiry(-1)
    expired.save()
    gone = db.SessionStore(expired.session_key)
    assert gone.load() == {} and gone.loaded_user is None and gone.session_key is None
    unknown = db.SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.loaded_user is None


def test_a_page_takes_the_user_from_the_session_statement(client):
    zhang = customer_user(bank()[0], username="zhangwei")
    login(client, "zhangwei")
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    user_reads = [q["sql"] for q in queries.captured_queries if '"security_user"' in q["sql"]]
    assert len(user_reads) == 1 and '"security_usersession"' in user_reads[0]
    assert Session.objects.get(pk=session_key(client)).user_id == zhang.pk


def test_a_row_naming_another_user_than_its_data_does_not_log_that_user_in(client):
    customers = bank()
    zhang = customer_user(customers[0], username="zhangwei")
    other = customer_user(customers[1], username="lina")
    login(client, "zhangwei")
    Session.objects.filter(pk=session_key(client)).update(user=other)
    answer = client.get("/")
    page = answer.content.decode()
    assert answer.status_code == 200 and customers[0].name in page
    assert customers[1].name not in page
    assert answer.wsgi_request.user.pk == zhang.pk


@pytest.mark.parametrize("store_class", ENGINES)
def test_a_new_key_that_is_taken_is_drawn_again(store_class, monkeypatch):
    taken = store_class()
    taken["owner"] = "other"
    taken.save()
    draws = iter([taken.session_key, "n" * 32])
    monkeypatch.setattr(store_class, "_get_new_session_key", lambda self: next(draws))
    store = store_class()
    store["owner"] = "me"
    store.save()
    assert store.session_key == "n" * 32
    assert store_class(taken.session_key).load() == {"owner": "other"}
    assert store_class("n" * 32).load() == {"owner": "me"}


def test_a_session_naming_a_user_who_is_gone_loads_no_user_and_its_key_still_cycles():
    # Without a database constraint on user_id, an INSERT can only collide on the key, which
    # create() answers by drawing again (a foreign-key refusal would make that loop endless).
    store = db.SessionStore()
    store[SESSION_KEY] = str(10**9)
    store.save()
    loaded = db.SessionStore(store.session_key)
    assert loaded[SESSION_KEY] == str(10**9) and loaded.loaded_user is None
    old_key = loaded.session_key
    loaded.cycle_key()
    assert loaded.session_key != old_key
    assert Session.objects.get(pk=loaded.session_key).user_id == 10**9
    assert not Session.objects.filter(pk=old_key).exists()


@pytest.mark.postgres
def test_the_written_out_session_statement_answers_as_its_queryset():
    """On PostgreSQL the session row is one statement written out (ebank.core.sql); it must
    give what the queryset it mirrors gives: the data, the user and the customer, field by
    field, with nothing left to load; no row for an unknown or expired key."""
    if connection.vendor != "postgresql":
        pytest.skip("the written-out statement serves PostgreSQL only")
    from datetime import timedelta

    from django.utils import timezone

    zhang = customer_user(bank()[0], username="zhangwei")
    staff = User.objects.create(username="teller_x", is_staff=True)
    now = timezone.now()
    for user in (zhang, staff):
        key = _logged_in_store(user).session_key
        sql = db._session_row_sql(key, now, using="default")
        orm = db._session_row_orm(key, now, using="default")
        assert sql[0] == orm[0]
        same(sql[1], orm[1])
        assert sql[1].get_deferred_fields() == set()
        if user.customer_id is None:
            assert sql[1].customer is None
        else:
            with CaptureQueriesContext(connection) as queries:
                customer = sql[1].customer
            assert len(queries) == 0
            same(customer, orm[1].customer)
            assert customer.get_deferred_fields() == set()
    anonymous = db.SessionStore()
    anonymous["who"] = "nobody"
    anonymous.save()
    assert db._session_row_sql(anonymous.session_key, now, using="default") == (
        db._session_row_orm(anonymous.session_key, now, using="default"))
    assert db._session_row_sql(anonymous.session_key, now, using="default")[1] is None
    assert db._session_row_sql("no-such-key", now, using="default") is None
    assert db._session_row_sql(key, now + timedelta(days=30), using="default") is None
    assert db._session_row_orm(key, now + timedelta(days=30), using="default") is None
