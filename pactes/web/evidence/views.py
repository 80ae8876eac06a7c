"""The evidence pages: « Intégrité du registre » (DREETS), the « Historique » of a dossier (its instructors and the
DREETS) and the downloads of its private documents (DREETS). Anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from pactes.accounts.permissions import can_audit
from pactes.calls.models import Call
from pactes.core.downloads import DOCUMENT_LABELS
from pactes.core.integrity import integrity_check_run
from pactes.core.journal import actor_label
from pactes.core.models import DownloadLog, IntegrityCheck, JournalEntry, JournalHead, JournalTimestamp
from pactes.dossiers.models import Dossier
from pactes.evidence.history import call_history, dossier_history
from pactes.instruction.selectors import dossiers_in_instruction


def _auditor(request: HttpRequest) -> None:
    if not can_audit(request.user):
        raise Http404("Cette page est réservée à la DREETS.")


def _instructed(request: HttpRequest, reference: str) -> Dossier:
    return get_object_or_404(
        dossiers_in_instruction(request.user).select_related("call", "organisation", "departement"),  # type: ignore[arg-type]
        reference=reference,
    )


def _crumbs(dossier: Dossier, current: str) -> dict[str, object]:
    return {
        "links": [
            {"url": reverse("instruction:queue"), "title": "Instruction des dossiers"},
            {
                "url": reverse("instruction:dossier", kwargs={"reference": dossier.reference}),
                "title": dossier.reference,
            },
        ],
        "current": current,
    }


@require_http_methods(["GET", "POST"])
def integrity(request: HttpRequest) -> HttpResponse:
    _auditor(request)
    if request.method == "POST":
        report, _check = integrity_check_run(by=actor_label(request.user))
        if report.intact:
            messages.success(request, "Vérification terminée : le registre est intact.")
        else:
            messages.error(request, f"Vérification terminée : {len(report.breaks)} rupture(s) du registre.")
        return redirect("evidence:integrity")
    head = JournalHead.objects.filter(pk=1).first()
    last_entry = JournalEntry.objects.order_by("-seq").first()
    calls = Call.objects.order_by("-pk")
    return render(
        request,
        "evidence/integrity.html",
        {
            "page_title": "Intégrité du registre",
            "breadcrumb_data": {"links": [], "current": "Intégrité du registre"},
            "head": head,
            "last_entry": last_entry,
            "check": IntegrityCheck.objects.first(),
            "checks": IntegrityCheck.objects.all()[:10],
            "timestamps": JournalTimestamp.objects.all()[:10],
            "call_changes": [(call, call_history(call)) for call in calls],
        },
    )


def dossier_history_page(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _instructed(request, reference)
    return render(
        request,
        "evidence/history.html",
        {
            "page_title": f"Historique — dossier {dossier.reference}",
            "breadcrumb_data": _crumbs(dossier, "Historique"),
            "dossier": dossier,
            "changes": dossier_history(dossier),
            "entries": JournalEntry.objects.filter(dossier_id=dossier.pk).order_by("seq"),
            "can_audit": can_audit(request.user),
        },
    )


def dossier_downloads(request: HttpRequest, reference: str) -> HttpResponse:
    _auditor(request)
    dossier = _instructed(request, reference)
    logs = DownloadLog.objects.filter(dossier_id=dossier.pk).select_related("user")
    page = Paginator(logs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "evidence/downloads.html",
        {
            "page_title": f"Téléchargements — dossier {dossier.reference}",
            "breadcrumb_data": _crumbs(dossier, "Téléchargements"),
            "dossier": dossier,
            "page": page,
            "labels": DOCUMENT_LABELS,
        },
    )
