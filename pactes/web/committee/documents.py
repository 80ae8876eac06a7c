"""The committee's documents: the procès-verbal of a closed session and the decision letters, served through the
hash check and the download log (``evidence_file_response``), to whom may read them, 404 to anyone else."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from pactes.committee.documents import letter_filename, minutes_filename
from pactes.committee.models import CommitteeDecision
from pactes.committee.selectors import may_read_decision_letters
from pactes.dossiers.selectors import dossiers_visible_to
from pactes.web.evidence.files import evidence_file_response

from .views import _session, _user


def _pdf_response(
    request: HttpRequest, field: Any, filename: str, *, document: str, dossier_id: int | None = None
) -> HttpResponse:
    return evidence_file_response(
        request, field, filename=filename, content_type="application/pdf", document=document, dossier_id=dossier_id
    )


@require_GET
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    if not session.is_closed:
        raise Http404("Le procès-verbal est produit à la clôture de la séance.")
    return _pdf_response(request, session.minutes_pdf, minutes_filename(session), document="minutes")


@require_GET
def decision_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter of a decision of a closed session: for its applicants, its département's instructors, the DREETS."""
    user = _user(request)
    if not may_read_decision_letters(user):
        raise Http404("Lettre introuvable.")
    decision = get_object_or_404(
        CommitteeDecision.objects.of_closed_sessions().select_related("session", "dossier"),
        pk=pk,
        dossier__in=dossiers_visible_to(user),
    )
    return _pdf_response(
        request, decision.letter_pdf, letter_filename(decision), document="letter", dossier_id=decision.dossier_id
    )
