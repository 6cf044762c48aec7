"""Counters in the shared cache (the data version, the API rate limit), one Redis round trip each.

Django's ``cache.incr`` on Redis asks first whether the key exists (EXISTS, then INCRBY: two round
trips), and a counter that must be created goes through ``cache.add`` first: a third. Every API
request counts its rate and every write moves the data version, so here a counter is created and
incremented in one pipelined MULTI/EXEC. Other cache backends (the embedded default's file cache)
keep Django's calls."""

from __future__ import annotations

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def counter_incr(key: str, *, timeout: int | None = None, start: int = 0) -> int:
    """Add 1 to the counter `key` and return it; a missing counter starts at `start` and lives
    `timeout` seconds from then (None: for ever). The value stays readable with ``cache.get``."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        full = cache.make_and_validate_key(key)
        pipe = cache._cache.get_client(full, write=True).pipeline(transaction=True)
        pipe.set(full, start, ex=timeout, nx=True)  # Django stores integers as plain Redis integers
        pipe.incr(full)
        return int(pipe.execute()[1])
    cache.add(key, start, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, start + 1, timeout=timeout)
        return start + 1
