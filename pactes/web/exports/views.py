"""Exports: the whole call (``/appels/<slug>/export.xlsx|ods|csv``), every list page with its filters
(``/exports/<page>.<format>?…``), and « Mes exports » (the background jobs, their progress and their files).

An export is written at once up to ``PACTES_EXPORT_BACKGROUND_THRESHOLD`` dossiers; above, the page offers to write
it in the background (a POST creates the job). Anyone who may not export, or asks for what they may not see, gets a
404; every file handed over is logged (``export_download_record``).
"""

from __future__ import annotations

import dataclasses
import tempfile
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from pactes.accounts.models import User
from pactes.accounts.permissions import can_export
from pactes.core.downloads import private_file_response, private_headers
from pactes.exports.models import ExportJob
from pactes.exports.services import (
    ExportRefused,
    Prepared,
    export_download_record,
    export_filename,
    export_job_create,
    export_prepare,
    export_write,
)
from pactes.exports.sources import SOURCES, SourceUnavailable
from pactes.exports.writers import FORMATS
from pactes.instruction.selectors import calls_in_scope
from pactes.web.instruction.queue import queue_form

# The query parameters each list page passes on to its export (the rest of the query string is ignored).
PAGE_PARAMS: dict[str, tuple[str, ...]] = {
    "classement": ("departement", "appel"),
    "comite": ("seance",),
    "conventions": (),
    "suivi": ("call",),
}


def _exporter(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not can_export(user):
        raise Http404("Les exports sont réservés à l'instruction et à la DREETS.")
    return user


def _params(request: HttpRequest, user: User, source: str) -> dict[str, str]:
    if source == "instruction":
        form, _calls = queue_form(request, user)
        filters = dataclasses.asdict(form.filters())
        return {k: _text(v) for k, v in filters.items() if v not in ("", None)}
    return {k: request.GET[k] for k in PAGE_PARAMS.get(source, ()) if request.GET.get(k)}


def _text(value: object) -> str:
    return f"{value:f}" if isinstance(value, Decimal) else str(value)


def _export(request: HttpRequest, source: str, fmt: str, params: dict[str, str]) -> HttpResponse:
    user = _exporter(request)
    try:
        prepared = export_prepare(user=user, source=source, params=params, fmt=fmt)
    except (SourceUnavailable, ExportRefused) as exc:
        raise Http404(str(exc)) from exc
    if prepared.runs_in_background:
        return _background(request, user, prepared, source, params)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    book = export_write(prepared=prepared, user=user, out=out)
    out.seek(0)
    export_download_record(user=user, source=source, params=params, fmt=fmt, dossier_count=len(book.dossier_ids))
    return private_headers(
        FileResponse(
            out,
            as_attachment=True,
            filename=export_filename(prepared.selection, prepared.fmt, book.exported_at),
            content_type=prepared.fmt.content_type,
        )
    )


def _background(
    request: HttpRequest, user: User, prepared: Prepared, source: str, params: dict[str, str]
) -> HttpResponse:
    if request.method == "POST":
        job = export_job_create(
            user=user,
            prepared=prepared,
            source=source,
            params=params,
            link=request.build_absolute_uri(reverse("exports:mine")),
        )
        messages.success(
            request,
            f"L'export « {job.title} » ({prepared.count} dossiers) est en préparation : suivez-le ici ; un courriel "
            "vous préviendra quand il sera prêt.",
        )
        return redirect("exports:mine")
    return render(
        request,
        "exports/background.html",
        {
            "page_title": "Export en arrière-plan",
            "breadcrumb_data": {"links": [_mine_crumb()], "current": "Export en arrière-plan"},
            "prepared": prepared,
            "threshold": settings.PACTES_EXPORT_BACKGROUND_THRESHOLD,
        },
    )


@require_http_methods(["GET", "POST"])
def call_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    return _export(request, "appel", fmt, {"appel": slug})


@require_http_methods(["GET", "POST"])
def page_export(request: HttpRequest, source: str, fmt: str) -> HttpResponse:
    user = _exporter(request)
    if source not in SOURCES or source == "appel":
        raise Http404("Cet export n'existe pas.")
    return _export(request, source, fmt, _params(request, user, source))


def _mine_crumb() -> dict[str, str]:
    return {"url": reverse("exports:mine"), "title": "Mes exports"}


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    user = _exporter(request)
    jobs = ExportJob.objects.filter(owner=user)[:50]
    return render(
        request,
        "exports/mine.html",
        {
            "page_title": "Mes exports",
            "breadcrumb_data": {
                "links": [{"url": reverse("core:dashboard"), "title": "Mon espace"}],
                "current": "Mes exports",
            },
            "jobs": jobs,
            "calls": list(calls_in_scope(user)),
            "retention_days": settings.PACTES_EXPORT_RETENTION_DAYS,
            "threshold": settings.PACTES_EXPORT_BACKGROUND_THRESHOLD,
        },
    )


def _job(request: HttpRequest, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob, pk=pk, owner=_exporter(request))


@require_GET
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The job's progress, for the page's progress bar (``pactes/static/pactes/exports.js``)."""
    job = _job(request, pk)
    response = JsonResponse(
        {
            "status": job.status,
            "label": job.get_status_display(),
            "percent": job.percent,
            "ready": job.is_ready,
            "pending": job.is_pending,
            "download": reverse("exports:download", kwargs={"pk": job.pk}) if job.is_ready else "",
            "error": job.error,
        }
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _job(request, pk)
    if not job.is_ready:
        raise Http404("Cet export n'est pas disponible (en préparation, en échec ou expiré).")
    response = private_file_response(
        job.file,
        filename=job.filename,
        content_type=FORMATS[job.format].content_type if job.format in FORMATS else "application/octet-stream",
        missing="Le fichier de cet export est introuvable : il a peut-être expiré.",
    )
    export_download_record(
        user=job.owner,
        source=job.source,
        params=job.params,
        fmt=job.format,
        dossier_count=job.dossier_count,
        job=job,
    )
    return response
