from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from pactes.dossiers.selectors import dossiers_visible_to


def detail(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = get_object_or_404(
        dossiers_visible_to(request.user).select_related("call", "organisation", "departement"), reference=reference
    )
    return render(
        request,
        "dossiers/detail.html",
        {
            "page_title": f"Dossier {dossier.reference}",
            "dossier": dossier,
            "breadcrumb_data": {
                "links": [{"url": "/espace/", "title": "Mon espace"}],
                "current": f"Dossier {dossier.reference}",
            },
        },
    )
