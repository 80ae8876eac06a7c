"""What every page of the applicant's dossier shares: who asks, the dossier fetched in their scope, the breadcrumb.

Every fetch goes through ``dossiers_visible_to`` (404 outside the scope); only applicants edit, and only a dossier
still editable (a draft, or one reopened for complements).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from pactes.accounts.models import User
from pactes.dossiers.editing import dossier_can_be_edited_by
from pactes.dossiers.models import Dossier
from pactes.dossiers.selectors import dossiers_visible_to

DASHBOARD = "/espace/"


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def visible_dossier(request: HttpRequest, reference: str) -> Dossier:
    # With its import source (None for most): the rules panel's fingerprint names it (live_panel).
    return get_object_or_404(
        dossiers_visible_to(user_of(request)).select_related("call", "organisation", "departement", "source"),
        reference=reference,
    )


def editable_dossier(request: HttpRequest, reference: str) -> Dossier | HttpResponse:
    """The dossier when the person may edit it; a redirect to the summary when it is filed; 404 for other roles."""
    dossier = visible_dossier(request, reference)
    user = user_of(request)
    if not user.is_applicant:
        raise Http404("Seuls les porteurs modifient un dossier.")
    if not dossier_can_be_edited_by(dossier, user):
        if request.method == "POST":
            messages.error(
                request, "Ce dossier a été déposé : il n'est plus modifiable, vos saisies n'ont pas été enregistrées."
            )
        else:
            messages.info(request, "Ce dossier a été déposé : il est consultable en lecture seule.")
        return redirect("dossiers:detail", reference=dossier.reference)
    return dossier


def filing_url(name: str, dossier: Dossier) -> str:
    """A page of steps 9 and 10 (``attachments``, ``summary``)."""
    return reverse(f"filing:{name}", kwargs={"reference": dossier.reference})


def dossier_breadcrumb(dossier: Dossier, current: str) -> dict[str, Any]:
    return {
        "links": [
            {"url": DASHBOARD, "title": "Mon espace"},
            {"url": reverse("dossiers:detail", kwargs={"reference": dossier.reference}), "title": dossier.reference},
        ],
        "current": current,
    }
