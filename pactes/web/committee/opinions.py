"""The jury's opinions on the dossiers of a session's agenda (``pactes.committee.opinions``): a jury member of the
session gives or changes theirs until the session is closed; the page is the committee's dossier page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from pactes.committee.opinions import jury_opinion_record
from pactes.committee.selectors import is_jury_member_of
from pactes.committee.services import CommitteeRefused

from . import forms as f
from .dossier_views import _dossier_page
from .views import _agenda_dossier, _session, _user


@require_POST
def opinion(request: HttpRequest, pk: int, reference: str) -> HttpResponse:
    """A jury member of the session gives (or changes) their opinion on a dossier of the agenda."""
    session = _session(request, pk)
    target = _agenda_dossier(request, session, reference)
    user = _user(request)
    if not is_jury_member_of(user, session):
        raise PermissionDenied("Seuls les membres du jury de la séance donnent un avis.")
    form = f.JuryOpinionForm(request.POST)
    if form.is_valid():
        try:
            jury_opinion_record(
                session=session,
                dossier=target,
                opinion=form.cleaned_data["opinion"],
                comment=form.cleaned_data["comment"],
                by=user,
            )
        except CommitteeRefused as exc:
            for reason in exc.reasons:
                form.add_error("comment" if reason.code == "OPINION_COMMENT_REQUIRED" else None, reason.message)
        else:
            messages.success(request, f"Votre avis sur le dossier {target.reference} est enregistré.")
            return redirect(f"{reverse('committee:detail', args=[session.pk])}#dossier-{target.reference}")
    return _dossier_page(request, session, target, opinion_form=form)
