"""Reference data kept between requests: computed once, then read from the process's memory or the shared cache.

Words: a *reference* is data read by many requests and changed rarely (the SIREN of an eligible list, the names of
the départements). An *immutable* reference is named by what it is made of (an eligible list is never edited: a
change is a new list with a new number), so any process may keep it in its own memory for good. A *versioned*
reference changes in place (the territories, reloaded once a year); its key carries a *generation* kept in the shared
cache, which the service that changes the data bumps once its transaction commits: every server sees the new
generation at its next request when the cache is shared (Redis); with a per-process cache, at the latest after
``PACTES_REFERENCE_CACHE_SECONDS``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

_PREFIX = "pactes:ref"
_LOCAL_MAX = 256
_local: OrderedDict[str, Any] = OrderedDict()
_lock = threading.Lock()


def _remember(key: str, value: Any) -> None:
    with _lock:
        _local[key] = value
        _local.move_to_end(key)
        while len(_local) > _LOCAL_MAX:
            _local.popitem(last=False)


def immutable_reference[T](key: str, compute: Callable[[], T]) -> T:
    """The value of the immutable reference ``key``: this process's copy, else the shared cache's, else computed."""
    full = f"{_PREFIX}:{key}"
    with _lock:
        if full in _local:
            _local.move_to_end(full)
            return _local[full]  # type: ignore[no-any-return]
    value = cache.get(full)
    if value is None:
        value = compute()
        cache.set(full, value, timeout=settings.PACTES_REFERENCE_CACHE_SECONDS)
    _remember(full, value)
    return value  # type: ignore[no-any-return]


def _generation_key(name: str) -> str:
    return f"{_PREFIX}:generation:{name}"


def generation(name: str) -> int:
    """The current generation of the versioned reference ``name`` (0 until it is first bumped)."""
    return int(cache.get(_generation_key(name)) or 0)


def bump_generation(name: str) -> None:
    """Marks the versioned reference ``name`` as changed, once the current transaction commits."""

    def bump() -> None:
        key = _generation_key(name)
        if not cache.add(key, 1, timeout=None):
            try:
                cache.incr(key)
            except ValueError:  # evicted between add and incr
                cache.set(key, 1, timeout=None)

    transaction.on_commit(bump)


def versioned_reference[T](name: str, key: str, compute: Callable[[], T]) -> T:
    """The value of ``key`` in the versioned reference ``name``, kept in the shared cache for its generation."""
    full = f"{_PREFIX}:{name}:{generation(name)}:{key}"
    value = cache.get(full)
    if value is None:
        value = compute()
        cache.set(full, value, timeout=settings.PACTES_REFERENCE_CACHE_SECONDS)
    return value  # type: ignore[no-any-return]


def clear_local() -> None:
    """Forgets this process's copies (tests that rebuild the database under the same numbers)."""
    with _lock:
        _local.clear()
