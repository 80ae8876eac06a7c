"""Schemathesis against the API's own OpenAPI 3 schema, through the WSGI application (no server): for every
endpoint, generated parameters never cause a 500, and every answer (data or error) matches the schema: status codes,
content type, body. Run with the rest of the suite (``make test``, hence ``.ci/run``); examples are few to keep it
fast. The caller is the DREETS (whole region) with a token, so that the private endpoints answer with data.

One heuristic check is left out: « positive data acceptance » expects every schema-valid request to succeed, but a
well-formed call slug that does not exist (``unknown_call``) or a forged pagination cursor (``invalid_cursor``) are
refused with a documented 422 — no schema can list the calls of the database nor the positions of a page."""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from pactes.api.services import token_create
from pactes.web.api.api import api

pytestmark = pytest.mark.django_db


# The schema /api/v1/openapi.json serves (tests/web/api/test_endpoints.py checks it is that one), read without a
# database so that the tests can be generated at collection; the requests go to the WSGI application.
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"))))
schema.app = WSGIHandler()


EXCLUDED = [schemathesis.checks.positive_data_acceptance]


@pytest.fixture(autouse=True)
def unlimited(settings):
    settings.PACTES_API_RATE_LIMITS = {"token": 100_000, "anonymous": 100_000}
    cache.clear()


@pytest.fixture(autouse=True)
def connection_kept_between_requests():
    """As Django's test client does: a request through the WSGI handler must not close the test's connection (it
    would on PostgreSQL, where the test transaction is not in autocommit)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def dreets_token(retained_dossier, accounts):
    return token_create(user=accounts["dreets"], name="schemathesis", days=1).plain


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_answers_every_generated_request_as_its_schema_says(case, dreets_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {dreets_token}"}, excluded_checks=EXCLUDED)


@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_anonymous_requests_get_documented_answers(case, db):
    case.call_and_validate(excluded_checks=EXCLUDED)
