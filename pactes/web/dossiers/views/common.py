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

from pactes.accounts.models import Role, User
from pactes.core.prepared import PreparedQuery
from pactes.dossiers.editing import dossier_can_be_edited_by
from pactes.dossiers.models import Dossier
from pactes.dossiers.selectors import applicant_dossier_ids, dossiers_visible_to

DASHBOARD = "/espace/"


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# What every page of a dossier reads with it; its import source (None for most): the rules panel's fingerprint names it.
WITH_DOSSIER = ("call", "organisation", "departement", "source")
# An applicant's dossier by its reference, in the applicant's scope (``dossiers_visible_to``): one query compiled once
# per process (building it cost 2 ms, running it 0.2 ms; ADR 0056).
_APPLICANT_DOSSIER = PreparedQuery(
    lambda reference, member_id, editor_id: Dossier.objects.filter(
        pk__in=applicant_dossier_ids(member_id, editor_id), reference=reference
    ).select_related(*WITH_DOSSIER),
    kinds=(str, int, int),
)


def visible_dossier(request: HttpRequest, reference: str) -> Dossier:
    user = user_of(request)
    if user.role == Role.APPLICANT and user.is_active:
        dossier = _APPLICANT_DOSSIER.first(reference, user.pk, user.pk)
        if dossier is None:
            raise Http404("Aucun dossier ne correspond.")
        return dossier
    return get_object_or_404(dossiers_visible_to(user).select_related(*WITH_DOSSIER), reference=reference)


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
