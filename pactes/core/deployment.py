"""Settings of a deployment on several machines, built from the environment (docs/deployment.md, ADR 0046, 0047).

Words: the *shared cache* is Django's ``default`` cache, the one every web server and task worker sees (Redis when
``REDIS_URL`` is set, a per-process memory otherwise); *object storage* is an S3-compatible bucket holding the
uploaded and generated files when ``PACTES_S3_BUCKET`` is set (the local ``MEDIA_ROOT`` otherwise); the *pool* is
psycopg's pool of PostgreSQL connections, one per process, shared by the threads that serve requests.

These functions read nothing but their arguments: ``config/settings`` passes them ``os.environ`` and the tests pass
them what they want to check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
MEMORY_CACHE = "django.core.cache.backends.locmem.LocMemCache"
PRIVATE_S3_STORAGE = "pactes.core.storage.PrivateS3Storage"
FILE_SYSTEM_STORAGE = "django.core.files.storage.FileSystemStorage"


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    return value in ("1", "true", "yes", "oui", "on")


def database_settings(database: dict[str, Any], env: Mapping[str, str], *, threads: int) -> dict[str, Any]:
    """``database`` (a ``DATABASES`` entry) with its connections kept between requests.

    Under ASGI, Django runs each request's synchronous code in a thread of its own (asgiref's
    ``ThreadSensitiveContext``): a connection kept by that thread (``CONN_MAX_AGE``) dies with it and is never
    reused. On PostgreSQL the process therefore keeps a pool (``PACTES_DB_POOL``, on by default) of at most
    ``threads`` + 2 connections, checked before each use; ``CONN_MAX_AGE`` (``DB_CONN_MAX_AGE``) is then 0, as
    Django requires. Without the pool (or on SQLite) ``DB_CONN_MAX_AGE`` seconds apply, with health checks: the task
    worker (one thread for its whole life) does reuse its connection that way.
    """
    database = {**database, "OPTIONS": {**database.get("OPTIONS", {})}, "CONN_HEALTH_CHECKS": True}
    is_postgresql = database.get("ENGINE") == "django.db.backends.postgresql"
    if is_postgresql and _flag(env, "PACTES_DB_POOL", True):
        database["CONN_MAX_AGE"] = 0
        database["OPTIONS"]["pool"] = {
            "min_size": int(env.get("PACTES_DB_POOL_MIN", "2")),
            "max_size": int(env.get("PACTES_DB_POOL_MAX", str(threads + 2))),
            "timeout": float(env.get("PACTES_DB_POOL_TIMEOUT", "10")),
            "max_idle": 600,
        }
    else:
        database["CONN_MAX_AGE"] = int(env.get("DB_CONN_MAX_AGE", "600"))
    return database


def cache_settings(redis_url: str, *, key_prefix: str = "pactes") -> dict[str, Any]:
    """``CACHES``: Redis (Django's own backend, redis-py) when ``redis_url`` is given, else the process's memory."""
    if redis_url:
        return {
            "default": {
                "BACKEND": REDIS_CACHE,
                "LOCATION": redis_url,
                "KEY_PREFIX": key_prefix,
                "TIMEOUT": 300,
                # A Redis that does not answer fails the request in 2 s rather than holding a thread.
                "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
            }
        }
    return {"default": {"BACKEND": MEMORY_CACHE, "LOCATION": key_prefix}}


def session_engine(caches: Mapping[str, Mapping[str, Any]]) -> str:
    """Sessions in the database, read through the shared cache when it is shared (Redis): a per-process cache in
    front of them would let another process keep a session that a logout deleted."""
    if caches["default"]["BACKEND"] == REDIS_CACHE:
        return "django.contrib.sessions.backends.cached_db"
    return "django.contrib.sessions.backends.db"


def default_storage_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """``STORAGES["default"]``: the private S3 bucket ``PACTES_S3_BUCKET`` when set, else ``MEDIA_ROOT``."""
    bucket = env.get("PACTES_S3_BUCKET", "").strip()
    if not bucket:
        return {"BACKEND": FILE_SYSTEM_STORAGE}
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": env.get("PACTES_S3_PREFIX", "").strip("/"),
        "file_overwrite": False,  # like the file system: a name already taken gets a suffix, nothing is replaced
        "default_acl": None,  # objects inherit the bucket's policy: private
        "querystring_auth": True,  # were a URL ever asked for, it would be signed; the platform asks for none
        "signature_version": "s3v4",
    }
    for option, variable in (
        ("endpoint_url", "PACTES_S3_ENDPOINT_URL"),
        ("region_name", "PACTES_S3_REGION"),
        ("access_key", "PACTES_S3_ACCESS_KEY_ID"),
        ("secret_key", "PACTES_S3_SECRET_ACCESS_KEY"),
    ):
        if env.get(variable):
            options[option] = env[variable]
    if _flag(env, "PACTES_S3_PATH_STYLE", False):
        options["addressing_style"] = "path"
    return {"BACKEND": PRIVATE_S3_STORAGE, "OPTIONS": options}
