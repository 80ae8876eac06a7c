"""The benchmark's URLs: the platform's (config.urls) and the bare page, which exists only in config.settings.bench."""

from django.urls import include, path

from benchmarks.pages.views import bare

urlpatterns = [
    path("__bench__/bare/", bare, name="bench_bare"),
    path("", include("config.urls")),
]

handler400 = "pactes.web.core.errors.bad_request"
handler403 = "pactes.web.core.errors.permission_denied"
handler404 = "pactes.web.core.errors.page_not_found"
handler500 = "pactes.web.core.errors.server_error"
