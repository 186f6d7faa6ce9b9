"""ebank.core.cache: the Redis cache keeps one client per connection pool and works as Django's."""

import os

import pytest
from django.core.cache import caches
from django.test import override_settings

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
pytestmark = pytest.mark.redis  # skipped loudly where Redis is missing (conftest.py)


@override_settings(CACHES={"kept": {"BACKEND": "ebank.core.cache.RedisCache",
                                    "LOCATION": REDIS_URL, "KEY_PREFIX": "ebank-test-kept"}})
def test_one_client_serves_every_operation():
    cache = caches["kept"]
    try:
        cache.set("greeting", {"text": "你好"}, 30)
        assert cache.get("greeting") == {"text": "你好"}
        assert cache.add("greeting", "other") is False
        first = cache._cache.get_client(write=True)
        assert cache._cache.get_client(write=False) is first  # one server: one pool, one client
        cache.delete("greeting")
        assert cache.get("greeting", "gone") == "gone"
    finally:
        cache.delete("greeting")
