"""Production: PostgreSQL through DATABASE_URL, secrets from the environment, HTTPS only (docs/deployment.md)."""

import os

from pactes.core.deployment import database_settings

from .base import *  # noqa: F403
from .base import DATABASES, PACTES_ASGI_CONCURRENCY, STORAGES

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True  # every sub-domain is served over HTTPS only (README « En-têtes de sécurité »)
SECURE_HSTS_PRELOAD = os.environ.get("SECURE_HSTS_PRELOAD", "0") == "1"  # only once the domain is on the list
# The reverse proxy terminates TLS and says so in X-Forwarded-Proto (docs/deployment.md « Proxy »).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = os.environ.get("USE_X_FORWARDED_HOST", "0") == "1"
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# -- Scale (issue 12, docs/deployment.md) -----------------------------------------------------------------------------
# PostgreSQL connections kept between requests: psycopg's pool under ASGI, CONN_MAX_AGE otherwise; health-checked.
DATABASES["default"] = database_settings(DATABASES["default"], os.environ, threads=PACTES_ASGI_CONCURRENCY)
# Static files under hashed names (app.3f2a9c1e.js): granian serves them for a year (--static-path-expires 365d).
STORAGES["staticfiles"] = {"BACKEND": "pactes.core.static_storage.HashedStaticFilesStorage"}
