"""The committee's documents: the procès-verbal of a closed session and the decision letters, served through the
hash check and the download log (``evidence_file_response``), to whom may read them, 404 to anyone else. A document
still being rendered after the closing (ADR 0054) answers, to whom may read it, a page saying so."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from pactes.committee.documents import letter_filename, minutes_filename
from pactes.committee.models import CommitteeDecision
from pactes.committee.selectors import may_read_decision_letters
from pactes.core.downloads import private_headers
from pactes.dossiers.selectors import dossiers_visible_to
from pactes.web.evidence.files import evidence_file_response

from .views import DASHBOARD, _session, _user


def _pdf_response(
    request: HttpRequest, field: Any, filename: str, *, document: str, dossier_id: int | None = None
) -> HttpResponse:
    return evidence_file_response(
        request, field, filename=filename, content_type="application/pdf", document=document, dossier_id=dossier_id
    )


def _pending(request: HttpRequest, *, title: str, text: str, back: str, back_label: str) -> HttpResponse:
    response = render(
        request,
        "committee/document_pending.html",
        {
            "page_title": title,
            "text": text,
            "retry": request.path,
            "back": back,
            "back_label": back_label,
            "breadcrumb_data": {"links": [{"url": DASHBOARD, "title": "Mon espace"}], "current": title},
        },
    )
    response["Retry-After"] = "30"
    return private_headers(response)


@require_GET
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    if not session.is_closed:
        raise Http404("Le procès-verbal est produit à la clôture de la séance.")
    if not session.minutes_pdf:
        return _pending(
            request,
            title="Procès-verbal en cours de préparation",
            text="La séance est close et ses décisions sont appliquées aux dossiers. Le procès-verbal (PDF) est en "
            "cours de préparation : il sera téléchargeable ici dans quelques minutes.",
            back=reverse("committee:detail", args=[session.pk]),
            back_label="Retour à la séance",
        )
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
    if not decision.letter_pdf:
        return _pending(
            request,
            title="Lettre de décision en cours de préparation",
            text=f"La décision du comité sur le dossier {decision.dossier.reference} est prise. Sa lettre (PDF) est "
            "en cours de préparation : elle sera téléchargeable ici dans quelques minutes et envoyée par courriel "
            "aux porteurs du dossier.",
            back=reverse("dossiers:detail", args=[decision.dossier.reference]),
            back_label=f"Retour au dossier {decision.dossier.reference}",
        )
    return _pdf_response(
        request, decision.letter_pdf, letter_filename(decision), document="letter", dossier_id=decision.dossier_id
    )
