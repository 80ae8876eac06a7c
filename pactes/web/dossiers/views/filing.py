"""Steps 9 and 10 of a dossier: pièces jointes, récapitulatif and dépôt; the filed versions and their receipts.

Every view reads the dossier through ``dossiers_visible_to`` (a hidden dossier answers 404) and writes only through
the services of ``pactes.dossiers.attachments`` and ``pactes.dossiers.filing`` (the answer to complements through
``pactes.instruction.services.complements_answer``, which files it and closes the request).
"""

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from pactes.accounts import permissions
from pactes.core.downloads import private_headers
from pactes.core.journal import digest_problems
from pactes.dossiers.attachments import AttachmentRefused, attachment_add, attachment_delete
from pactes.dossiers.filing import STATE_CHANGED, FilingRefused, dossier_file
from pactes.dossiers.models import Dossier, DossierVersion
from pactes.dossiers.receipt import (
    arrival_label,
    present_document,
    receipt_ensure,
    receipt_file_name,
    receipt_is_pending,
)
from pactes.dossiers.selectors import dossier_filing_summary, dossiers_visible_to
from pactes.instruction.selectors import open_complement_request
from pactes.instruction.services import complements_answer
from pactes.rules.lifecycle import DossierState
from pactes.web.evidence.files import evidence_file_response

from ..filing_forms import AttachmentForm, FilingForm

TOTAL_STEPS = 10


def _dossier(request: HttpRequest, reference: str) -> Dossier:
    return get_object_or_404(
        dossiers_visible_to(request.user).select_related("call", "organisation", "departement"), reference=reference
    )


def _answering(dossier: Dossier) -> bool:
    """Reopened for complements: filing it again answers them."""
    return dossier.state == DossierState.COMPLEMENTS_REQUESTED.value


def _breadcrumb(dossier: Dossier, current: str) -> dict[str, Any]:
    return {
        "links": [
            {"url": reverse("core:dashboard"), "title": "Mon espace"},
            {"url": reverse("dossiers:detail", kwargs={"reference": dossier.reference}), "title": dossier.reference},
        ],
        "current": current,
    }


def _already_filed_by(request: HttpRequest, dossier: Dossier) -> bool:
    """A second click on « Déposer » (or a second tab) after the first filing went through: when the person asking
    filed the dossier's latest version, tell them it is filed (nothing changes) and answer True."""
    fresh = Dossier.objects.select_related("call").get(pk=dossier.pk)
    latest = fresh.versions.order_by("-number").first()
    if fresh.is_editable or latest is None or latest.submitted_by_id != request.user.pk:
        return False
    messages.info(
        request,
        f"Le dossier a déjà été déposé : reçu le {arrival_label(latest.submitted_at, fresh.call)} (heure de Paris), "
        f"version {latest.number}. Votre nouvel envoi n'a rien changé.",
    )
    return True


# -- step 9: pièces jointes ----------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def attachments(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _dossier(request, reference)
    can_edit = permissions.can_edit(request.user, dossier)
    form = AttachmentForm()
    if request.method == "POST":
        if not can_edit:
            messages.error(request, "Les pièces jointes de ce dossier ne peuvent plus être modifiées.")
            return redirect("filing:attachments", reference=dossier.reference)
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                piece = attachment_add(
                    dossier=dossier,
                    kind=form.cleaned_data["kind"],
                    name=upload.name,
                    stream=upload,
                    by=request.user,
                    content_type=upload.content_type or "",
                )
            except AttachmentRefused as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(request, f"La pièce « {piece.original_name} » a été ajoutée au dossier.")
                return redirect("filing:attachments", reference=dossier.reference)
    return render(
        request,
        "dossiers/filing/attachments.html",
        {
            "page_title": f"Pièces jointes — dossier {dossier.reference}",
            "breadcrumb_data": _breadcrumb(dossier, "Pièces jointes"),
            "dossier": dossier,
            "pieces": dossier.attachments.select_related("uploaded_by"),
            "form": form,
            "can_edit": can_edit,
            "stepper": {
                "current_step_id": 9,
                "current_step_title": "Pièces jointes",
                "next_step_title": "Récapitulatif et dépôt",
                "total_steps": TOTAL_STEPS,
            },
        },
    )


@require_POST
def attachment_remove(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    dossier = _dossier(request, reference)
    piece = get_object_or_404(dossier.attachments, pk=pk)
    try:
        attachment_delete(attachment=piece, by=request.user)
    except AttachmentRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"La pièce « {piece.original_name} » a été retirée du dossier.")
    return redirect("filing:attachments", reference=dossier.reference)


def attachment_download(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    dossier = _dossier(request, reference)
    piece = get_object_or_404(dossier.attachments, pk=pk)
    # Refused (« empreinte non conforme ») when the stored bytes differ from the hash taken at upload.
    return evidence_file_response(
        request,
        piece.file,
        filename=piece.original_name,
        content_type=piece.content_type,
        document="attachment",
        dossier_id=dossier.pk,
        object_ref=f"pièce {piece.pk}",
        expected_sha256=piece.sha256,
        missing="Le fichier de cette pièce est introuvable.",
    )


# -- step 10: récapitulatif et dépôt -------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def summary(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _dossier(request, reference)
    can_file = permissions.can_edit(request.user, dossier)
    form = FilingForm()
    refusal: list[Any] = []
    if request.method == "POST":
        if not can_file:
            if not _already_filed_by(request, dossier):
                messages.error(
                    request, "Ce dossier ne peut pas être déposé : il a déjà été déposé ou vous n'en êtes pas porteur."
                )
            return redirect("filing:summary", reference=dossier.reference)
        form = FilingForm(request.POST)
        if form.is_valid():
            answering = _answering(dossier)
            # The moment judged against the deadline: when this request reached the server (ADR 0012).
            file = complements_answer if answering else dossier_file
            try:
                version = file(dossier=dossier, by=request.user, arrived_at=request.arrived_at)
            except FilingRefused as exc:
                if STATE_CHANGED in [r.code for r in exc.reasons] and _already_filed_by(request, dossier):
                    return redirect("filing:summary", reference=dossier.reference)
                refusal = exc.reasons
            else:
                done = "Vos compléments ont été transmis" if answering else "Votre dossier a été déposé"
                messages.success(
                    request,
                    f"{done} : reçu le {arrival_label(version.submitted_at, dossier.call)} (heure de Paris), "
                    f"version {version.number}. L'accusé de réception est en préparation : il vous sera envoyé par "
                    "courriel et sera téléchargeable ci-dessous dans quelques instants.",
                )
                return redirect("filing:summary", reference=dossier.reference)
    answering = _answering(dossier)
    context: dict[str, Any] = {
        "page_title": f"Récapitulatif et dépôt — dossier {dossier.reference}",
        "breadcrumb_data": _breadcrumb(dossier, "Récapitulatif et dépôt"),
        "dossier": dossier,
        "form": form,
        "can_file": can_file,
        "refusal": refusal,
        "versions": dossier.versions.select_related("submitted_by"),
        "pieces": dossier.attachments.all(),
        "stepper": {"current_step_id": 10, "current_step_title": "Récapitulatif et dépôt", "total_steps": TOTAL_STEPS},
        "answering": answering,
        "complement_request": open_complement_request(dossier) if answering else None,
        **dossier_filing_summary(dossier, answering=answering, now=timezone.now()).context(),
    }
    return render(request, "dossiers/filing/summary.html", context)


def version(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    dossier = _dossier(request, reference)
    frozen = get_object_or_404(dossier.versions.select_related("submitted_by"), number=number)
    return render(
        request,
        "dossiers/filing/version.html",
        {
            "page_title": f"Version {frozen.number} déposée — dossier {dossier.reference}",
            "breadcrumb_data": _breadcrumb(dossier, f"Version {frozen.number}"),
            "dossier": dossier,
            "version": frozen,
            "filed_at": arrival_label(frozen.submitted_at, dossier.call),
            "doc": present_document(document=json.loads(frozen.snapshot), call=dossier.call),
            "tampered": digest_problems(frozen),
        },
    )


def _receipt_overdue(frozen: DossierVersion) -> bool:
    """Still pending well after its filing: the background task failed or no worker runs; render it on demand."""
    waited = dt.datetime.now(dt.UTC) - frozen.submitted_at
    return waited > dt.timedelta(seconds=settings.PACTES_RECEIPT_GRACE_SECONDS)


def receipt(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    dossier = _dossier(request, reference)
    frozen = get_object_or_404(dossier.versions, number=number)
    if receipt_is_pending(frozen):
        if not _receipt_overdue(frozen):
            response = render(
                request,
                "dossiers/filing/receipt_pending.html",
                {
                    "page_title": f"Accusé de réception en préparation — dossier {dossier.reference}",
                    "breadcrumb_data": _breadcrumb(dossier, f"Accusé de réception de la version {frozen.number}"),
                    "dossier": dossier,
                    "version": frozen,
                    "filed_at": arrival_label(frozen.submitted_at, dossier.call),
                },
            )
            response["Retry-After"] = "5"
            return private_headers(response)
        frozen = receipt_ensure(version_id=frozen.pk)
    return evidence_file_response(
        request,
        frozen.receipt_pdf,
        filename=receipt_file_name(frozen),
        content_type="application/pdf",
        document="receipt",
        dossier_id=dossier.pk,
        object_ref=f"version {frozen.number}",
        missing="L'accusé de réception est introuvable.",
    )
