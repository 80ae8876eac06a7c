"""Co-editors: an applicant invites someone by e-mail; the invited person accepts through the link."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pactes.accounts.models import User
from pactes.dossiers.editing import STEP_CODES, EditRefused
from pactes.dossiers.invitations import (
    InvitationInvalid,
    invitation_accept,
    invitation_create,
    invitation_expires_at,
    invitation_refusal_for,
    invitation_revoke,
    invitation_usable,
)
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


@login_not_required
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invited person accepts here, logged in with the invited address; an anonymous visitor is offered to log
    in or sign up with that address; another account gets an explanation and nothing is attached."""
    found = Invitation.objects.select_related("dossier", "invited_by").filter(token=token).first()
    if found is None:
        raise Http404("Ce lien d'invitation n'est pas valide.")
    problem = invitation_usable(found)
    refusal = ""
    user = request.user
    if not problem and isinstance(user, User):
        refusal = invitation_refusal_for(found, user)
    if request.method == "POST" and isinstance(user, User) and not problem and not refusal:
        try:
            dossier = invitation_accept(token=token, by=user)
        except InvitationInvalid as exc:
            problem = str(exc)
        else:
            messages.success(request, f"Vous êtes désormais co-éditeur du dossier {dossier.reference}.")
            return redirect("dossiers:step", reference=dossier.reference, step=STEP_CODES[0])
    here = request.get_full_path()
    status = 410 if problem else 403 if refusal else 200
    return render(
        request,
        "dossiers/invitation.html",
        {
            "page_title": "Invitation à co-éditer un dossier",
            "invitation": found,
            "problem": problem,
            "refusal": refusal,
            "expires_at": invitation_expires_at(found),
            "login_url": f"{reverse('accounts:login')}?{urlencode({'next': here})}",
            "signup_url": f"{reverse('signup:signup')}?{urlencode({'email': found.email, 'next': here})}",
            "breadcrumb_data": {"links": [{"url": DASHBOARD, "title": "Mon espace"}], "current": "Invitation"},
        },
        status=status,
    )


@require_POST
def revoke(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    dossier = editable_dossier(request, reference)
    if isinstance(dossier, HttpResponse):
        return dossier
    try:
        invitation = invitation_revoke(invitation_id=pk, dossier=dossier, by=user_of(request))
    except (InvitationInvalid, EditRefused) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"L'invitation envoyée à {invitation.email} est retirée : son lien ne fonctionne plus."
        )
    return redirect("dossiers:step", reference=dossier.reference, step="porteur")
