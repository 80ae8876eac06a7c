from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Pactes — administration"
admin.site.site_title = "Pactes — administration"
admin.site.index_title = "Administration de Pactes : appels, référentiels et comptes"

urlpatterns = [
    path("", include("pactes.web.core.urls")),
    path("compte/", include("pactes.web.accounts.urls")),
    path("compte/", include("pactes.web.accounts.signup_urls")),
    path("", include("pactes.web.accounts.privacy_urls")),
    path("organisations/", include("pactes.web.organisations.urls")),
    path("territoires/", include("pactes.web.territories.urls")),
    path("", include("pactes.web.exports.urls")),
    path("appels/", include("pactes.web.calls.urls")),
    path("dossiers/", include("pactes.web.dossiers.urls")),
    path("dossiers/", include("pactes.web.dossiers.filing_urls")),
    path("instruction/", include("pactes.web.assessment.urls")),
    path("comite/", include("pactes.web.committee.urls")),
    path("instruction/", include("pactes.web.instruction.urls")),
    path("", include("pactes.web.evidence.urls")),
    path("conventions/", include("pactes.web.agreements.urls")),
    path("suivi/", include("pactes.web.followup.urls")),
    path("agents/", include("pactes.web.staff.urls")),
    path("tableau-de-bord/", include("pactes.web.dashboard.urls")),
    path("api/v1/", include(("pactes.web.api.urls", "api"), namespace="api")),
    path("import-ds/", include("pactes.web.ds.urls")),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("admin/", admin.site.urls),
]

# Error pages in French and in the State design system (JSON for the editor's background save).
handler400 = "pactes.web.core.errors.bad_request"
handler403 = "pactes.web.core.errors.permission_denied"
handler404 = "pactes.web.core.errors.page_not_found"
handler500 = "pactes.web.core.errors.server_error"
