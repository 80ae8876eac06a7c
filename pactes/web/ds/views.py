"""« Importer depuis démarches simplifiées »: the procedure of a call, its mapping and preview, the background run.

Only administrators and the DREETS (``can_import_from_ds``); anyone else gets a 404, as for what does not exist.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from pactes.accounts.permissions import can_import_from_ds
from pactes.calls.models import Call
from pactes.ds.client import DsClient, DsUnavailable
from pactes.ds.models import ImportRun, Procedure
from pactes.ds.report import report_text
from pactes.ds.runs import run_start
from pactes.ds.selectors import procedures_visible_to, runs_visible_to
from pactes.ds.services import mapping_save, procedure_connect
from pactes.ds.targets import FILES, IGNORE

from .forms import MappingForm, ProcedureForm

TITLE = "Importer depuis démarches simplifiées"


def _call(request: HttpRequest, slug: str) -> Call:
    if not can_import_from_ds(request.user):
        raise Http404
    return get_object_or_404(Call, slug=slug)


def _crumbs(call: Call, current: str, *, start: bool = False) -> dict[str, object]:
    links = [{"url": reverse("calls:detail", args=[call.slug]), "title": call.short_title}]
    if not start:
        links.append({"url": reverse("ds:start", args=[call.slug]), "title": TITLE})
    return {"links": links, "current": current}


def start(request: HttpRequest, slug: str) -> HttpResponse:
    call = _call(request, slug)
    form = ProcedureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            procedure = procedure_connect(
                call=call, number=form.cleaned_data["number"], client=DsClient(url=settings.DS_API_URL)
            )
        except DsUnavailable as exc:
            form.add_error("number", f"Lecture de la démarche impossible : {exc}")
        else:
            return redirect("ds:mapping", slug=call.slug, number=procedure.number)
    return render(
        request,
        "ds/start.html",
        {
            "page_title": f"{TITLE} — {call.short_title}",
            "breadcrumb_data": _crumbs(call, TITLE, start=True),
            "call": call,
            "form": form,
            "procedures": procedures_visible_to(request.user).filter(call=call),
        },
    )


def mapping(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    call = _call(request, slug)
    procedure = get_object_or_404(procedures_visible_to(request.user), call=call, number=number)
    mappings = list(procedure.mappings.all())
    form = MappingForm(request.POST or None, mappings=mappings)
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "save")
        with transaction.atomic():
            mapping_save(procedure=procedure, targets=form.targets())
            if action in {"preview", "import"}:
                run = run_start(
                    procedure=procedure,
                    by=request.user,  # type: ignore[arg-type]
                    dry_run=action == "preview",
                    everything=form.cleaned_data["everything"],
                )
        if action in {"preview", "import"}:
            return redirect("ds:run", run_id=run.pk)
        messages.success(request, "Correspondance enregistrée.")
        return redirect("ds:mapping", slug=call.slug, number=procedure.number)
    unmapped = [m for m in mappings if not m.target]
    return render(
        request,
        "ds/mapping.html",
        {
            "page_title": f"Démarche n° {procedure.number} — {TITLE}",
            "breadcrumb_data": _crumbs(call, f"Démarche n° {procedure.number}"),
            "call": call,
            "procedure": procedure,
            "form": form,
            "unmapped_required": [m for m in unmapped if m.required],
            "unmapped_optional": [m for m in unmapped if not m.required],
            "files": [m for m in mappings if m.champ_type in FILES and m.target == IGNORE],
            "runs": procedure.runs.select_related("started_by")[:10],
        },
    )


def _run(request: HttpRequest, run_id: int) -> ImportRun:
    return get_object_or_404(runs_visible_to(request.user), pk=run_id)


def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    procedure: Procedure = run.procedure
    call = procedure.call
    report = run.report if run.report else None
    return render(
        request,
        "ds/run.html",
        {
            "page_title": f"{'Simulation' if run.dry_run else 'Import'} n° {run.pk} — {TITLE}",
            "breadcrumb_data": _crumbs(call, f"{'Simulation' if run.dry_run else 'Import'} n° {run.pk}"),
            "call": call,
            "procedure": procedure,
            "run": run,
            "report": report,
            "report_text": report_text(report, dry_run=run.dry_run) if report else "",
            "status_url": reverse("ds:run_status", args=[run.pk]),
            "mapping_url": reverse("ds:mapping", args=[call.slug, procedure.number]),
        },
    )


def run_status(request: HttpRequest, run_id: int) -> JsonResponse:
    run = _run(request, run_id)
    return JsonResponse(
        {
            "status": run.status,
            "label": run.get_status_display(),
            "processed": run.processed,
            "total": run.total,
            "percent": run.percent,
            "finished": run.is_finished,
        }
    )
