"""The supporting documents of a report (``pactes.followup.report_attachments``): the porteurs add and remove them
while the report is editable; whoever may read the report downloads them (the dossier is fetched through the
scoped selector: 404 outside the scope)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from pactes.followup.models import Report, ReportAttachment
from pactes.followup.report_attachments import report_attachment_add, report_attachment_remove
from pactes.followup.services import FollowupRefused
from pactes.web.evidence.files import evidence_file_response

from . import forms as f
from .views import _applicant_dossier, _dossier, _kind, _refused, _user


def _report(request: HttpRequest, reference: str, kind: str, *, applicant: bool) -> Report:
    found = _applicant_dossier(request, reference) if applicant else _dossier(request, reference)
    return get_object_or_404(Report.objects.filter(dossier=found).select_related("dossier"), kind=_kind(kind).value)


@require_POST
def attachment_add(request: HttpRequest, reference: str, kind: str) -> HttpResponse:
    report = _report(request, reference, kind, applicant=True)
    form = f.ReportAttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        upload = form.cleaned_data["file"]
        try:
            row = report_attachment_add(
                report=report,
                name=upload.name,
                stream=upload,
                size=upload.size,
                content_type=upload.content_type or "",
                description=form.cleaned_data["description"],
                by=_user(request),
            )
        except FollowupRefused as exc:
            _refused(request, exc.reasons)
        else:
            messages.success(request, f"La pièce « {row.name} » est jointe au bilan.")
    return redirect("followup:report_edit", reference=report.dossier.reference, kind=report.kind)


@require_POST
def attachment_remove(request: HttpRequest, reference: str, kind: str, pk: int) -> HttpResponse:
    report = _report(request, reference, kind, applicant=True)
    attachment = get_object_or_404(ReportAttachment, report=report, pk=pk)
    try:
        report_attachment_remove(attachment=attachment, by=_user(request))
    except FollowupRefused as exc:
        _refused(request, exc.reasons)
    else:
        messages.success(request, f"La pièce « {attachment.name} » est retirée du bilan.")
    return redirect("followup:report_edit", reference=report.dossier.reference, kind=report.kind)


@require_GET
def attachment_download(request: HttpRequest, reference: str, kind: str, pk: int) -> HttpResponse:
    report = _report(request, reference, kind, applicant=False)
    attachment = get_object_or_404(ReportAttachment, report=report, pk=pk)
    return evidence_file_response(
        request,
        attachment.file,
        filename=attachment.name,
        content_type=attachment.content_type,
        document="attachment",
        dossier_id=report.dossier_id,
        object_ref=f"pièce {attachment.pk} du bilan {report.pk}",
        expected_sha256=attachment.sha256,
    )
