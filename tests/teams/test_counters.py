"""Counters in the shared cache (teams.counters): the rate limit and the data version count on them."""

from __future__ import annotations

import uuid

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from teams.counters import counter_incr


def counting(key: str, timeout: int | None) -> list[int]:
    return [counter_incr(key, timeout=timeout) for _ in range(3)]


def test_a_counter_starts_at_one_counts_up_and_reads_back():
    key = f"test:counter:{uuid.uuid4().hex}"
    assert counting(key, 60) == [1, 2, 3]
    assert cache.get(key) == 3  # what data_versions and the ETags read
    if isinstance(caches["default"], RedisCache):
        client = caches["default"]._cache.get_client(None)
        ttl = client.ttl(caches["default"].make_and_validate_key(key))
        assert 0 < ttl <= 60  # the window's timeout, set when the counter was created
        forever = f"test:counter:{uuid.uuid4().hex}"
        counter_incr(forever)
        assert client.ttl(caches["default"].make_and_validate_key(forever)) == -1  # no expiry
        cache.delete(forever)
    cache.delete(key)


def test_the_embedded_defaults_file_cache_counts_the_same(tmp_path):
    backend = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)}
    with override_settings(CACHES={"default": backend}):
        assert counting("test:counter:other", 60) == [1, 2, 3]
        assert cache.get("test:counter:other") == 3
