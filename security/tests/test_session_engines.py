"""security.session_engines: Django's session stores with fewer round trips, same behaviour."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from security.session_engines import cached_db, db

pytestmark = pytest.mark.django_db
ENGINES = [pytest.param(db.SessionStore, id="db"),
           pytest.param(cached_db.SessionStore, id="cached_db")]


def _writes(queries) -> list[str]:
    return [q["sql"].split()[0] for q in queries
            if q["sql"].split()[0] in {"SELECT", "INSERT", "UPDATE", "DELETE"}]


@pytest.mark.parametrize("store_class", ENGINES)
def test_cycling_the_key_inserts_the_new_row_and_deletes_the_old_one_only(store_class):
    store = store_class()
    store["who"] = "张伟"
    store.save()
    old_key = store.session_key
    with CaptureQueriesContext(connection) as queries:
        store.cycle_key()
        store.save()  # the end of the request: nothing changed since the INSERT
    assert _writes(queries.captured_queries) == ["INSERT", "DELETE"]
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


def test_the_redis_copy_goes_with_the_row(settings):
    store = cached_db.SessionStore()
    store["x"] = "y"
    store.save()
    assert cache.get(store.cache_key) == {"x": "y"}
    key, cache_key = store.session_key, store.cache_key
    cached_db.SessionStore().delete(key)
    assert cache.get(cache_key) is None and not Session.objects.filter(session_key=key).exists()


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
