"""Co-editors: an applicant invites someone by e-mail; the invited person accepts through the link."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pactes.dossiers.editing import STEP_CODES
from pactes.dossiers.invitations import InvitationInvalid, invitation_accept, invitation_create, invitation_usable
from pactes.dossiers.models import Invitation

from ..forms import InvitationForm
from .common import DASHBOARD, editable_dossier, user_of


@require_POST
def invite(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = editable_dossier(request, reference)
    if isinstance(dossier, HttpResponse):
        return dossier
    form = InvitationForm(request.POST)
    if form.is_valid():
        email = form.cleaned_data["email"]
        invitation_create(
            dossier=dossier,
            email=email,
            by=user_of(request),
            accept_url=lambda token: request.build_absolute_uri(reverse("dossiers:invitation", args=[token])),
        )
        messages.success(request, f"Invitation envoyée à {email}.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("dossiers:step", reference=dossier.reference, step="porteur")


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    found = Invitation.objects.select_related("dossier", "invited_by").filter(token=token).first()
    if found is None:
        raise Http404("Ce lien d'invitation n'est pas valide.")
    problem = invitation_usable(found)
    if request.method == "POST" and not problem:
        try:
            dossier = invitation_accept(token=token, by=user_of(request))
        except InvitationInvalid as exc:
            problem = str(exc)
        else:
            messages.success(request, f"Vous êtes désormais co-éditeur du dossier {dossier.reference}.")
            return redirect("dossiers:step", reference=dossier.reference, step=STEP_CODES[0])
    return render(
        request,
        "dossiers/invitation.html",
        {
            "page_title": "Invitation à co-éditer un dossier",
            "invitation": found,
            "problem": problem,
            "breadcrumb_data": {"links": [{"url": DASHBOARD, "title": "Mon espace"}], "current": "Invitation"},
        },
        status=200 if not problem else 410,
    )
