"""A new dossier: the call, the carrying organisation (one of the applicant's, or a new one) and the title, started by
one service (``dossier_start``) that decides the rules and writes everything in one transaction."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from pactes.dossiers.creation import CARRIER_KIND_NOT_ALLOWED, SIRET_TAKEN, StartRefused, dossier_start
from pactes.dossiers.editing import STEP_CODES, EditRefused

from ..forms import NewDossierForm
from .common import DASHBOARD, user_of
from .errors import error_items

# The field of the form a refusal of the service is about (others are shown above the form).
REFUSAL_FIELDS = {SIRET_TAKEN: "new_siret", CARRIER_KIND_NOT_ALLOWED: "new_kind"}


def new(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not user.is_applicant:
        raise Http404("Seuls les porteurs de projet créent un dossier.")
    form = NewDossierForm.for_applicant(user, request.POST or None, now=timezone.now())
    if request.method == "POST" and form.is_valid():
        try:
            dossier = dossier_start(by=user, **form.to_start_data())
        except StartRefused as exc:
            form.add_error(REFUSAL_FIELDS.get(exc.reason.code), exc.reason.message)
        except EditRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Le dossier {dossier.reference} est créé : complétez-le étape par étape.")
            return redirect("dossiers:step", reference=dossier.reference, step=STEP_CODES[0])
    # A refused creation lists its errors at the top, like a step of the editor (ADR 0049).
    errors = error_items([form]) if form.is_bound and form.errors else []
    return render(
        request,
        "dossiers/new.html",
        {
            "page_title": f"{'Erreur : ' if errors else ''}Nouveau dossier",
            "error_summary": errors,
            "form": form,
            "calls": form.open_calls,
            "breadcrumb_data": {"links": [{"url": DASHBOARD, "title": "Mon espace"}], "current": "Nouveau dossier"},
        },
    )
