"""What only the benchmark settings add: the bare page (``base.html``) and the ``X-Bench-Queries`` header."""

from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

BENCH_MIDDLEWARE = [
    settings.MIDDLEWARE[0],
    "benchmarks.pages.middleware.QueryCountMiddleware",
    *settings.MIDDLEWARE[1:],
]


@override_settings(ROOT_URLCONF="benchmarks.pages.urls", MIDDLEWARE=BENCH_MIDDLEWARE)
def test_bare_page_renders_base_and_counts_its_queries(client, db, django_user_model):
    user = django_user_model.objects.create_user("porteur@banc.test", "x" * 12)
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/__bench__/bare/")
    assert response.status_code == 200
    assert "base.html" in [t.name for t in response.templates]
    assert int(response["X-Bench-Queries"]) == len(queries) > 0


def test_the_bare_page_exists_only_in_the_benchmark_urls(client, db, django_user_model):
    client.force_login(django_user_model.objects.create_user("porteur@banc.test", "x" * 12))
    assert client.get("/__bench__/bare/").status_code == 404
