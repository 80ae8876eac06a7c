"""Benchmark settings (``make bench-pages``, ADR 0041): the production settings, served over plain HTTP on the loopback
interface, plus what exists only to measure: a bare page rendering ``base.html`` (``/__bench__/bare/``, the
reference of every throughput ratio) and the ``X-Bench-Queries`` header (SQL queries of the request)."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "banc-de-mesure-seulement-jamais-en-production")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from .prod import *  # noqa: F403
from .prod import MIDDLEWARE

SESSION_COOKIE_SECURE = False  # plain HTTP on 127.0.0.1
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
ROOT_URLCONF = "benchmarks.pages.urls"
# Outermost after the arrival stamp: every query of the request is counted (sessions, authentication included).
MIDDLEWARE = [MIDDLEWARE[0], "benchmarks.pages.middleware.QueryCountMiddleware", *MIDDLEWARE[1:]]
PACTES_MAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
