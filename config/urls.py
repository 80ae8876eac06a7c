from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Pactes — administration"
admin.site.site_title = "Pactes"
admin.site.index_title = "Administration de Pactes"

urlpatterns = [
    path("", include("pactes.web.core.urls")),
    path("compte/", include("pactes.web.accounts.urls")),
    path("territoires/", include("pactes.web.territories.urls")),
    path("appels/", include("pactes.web.calls.urls")),
    path("dossiers/", include("pactes.web.dossiers.urls")),
    path("dossiers/", include("pactes.web.dossiers.filing_urls")),
    path("instruction/", include("pactes.web.assessment.urls")),
    path("comite/", include("pactes.web.committee.urls")),
    path("instruction/", include("pactes.web.instruction.urls")),
    path("conventions/", include("pactes.web.agreements.urls")),
    path("suivi/", include("pactes.web.followup.urls")),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("admin/", admin.site.urls),
]
