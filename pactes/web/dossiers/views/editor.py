"""The eight steps of the applicant's editor, with the live rules panel: display, save (typed or automatic), and the
conflict view when someone saved the same step meanwhile (ADR 0013).

Every step form carries the version of the step it was loaded with; a stale save is refused and what was typed is
kept, beside the stored version.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from pactes.dossiers.editing import (
    STEP_CODES,
    STEPS,
    EditRefused,
    ForgedReference,
    SaveRefused,
    StaleEdit,
    StepSaved,
    dossier_save_step,
    step_version,
)
from pactes.dossiers.models import Dossier
from pactes.rules.formatting import time_fr

from .. import forms as f
from .common import dossier_breadcrumb, editable_dossier, filing_url, user_of
from .conflict import Difference, step_comparison
from .errors import ErrorItem, error_items
from .live_panel import panel_html
from .steps import STEP_FORMS, StepForms, unbound_step_forms

SUMMARY_TEMPLATE = "dossiers/steps/_error_summary.html"


def _destination(request: HttpRequest, dossier: Dossier, step: str) -> str:
    """Where the buttons lead once the step is saved: previous, next, a step of the stepper, or the same page."""
    goto = request.POST.get("goto", "")
    index = STEP_CODES.index(step)
    if goto == "next":
        if index + 1 >= len(STEP_CODES):
            return filing_url("attachments", dossier)
        goto = STEP_CODES[index + 1]
    elif goto == "previous":
        goto = STEP_CODES[max(index - 1, 0)]
    elif goto in ("attachments", "summary"):
        return filing_url(goto, dossier)
    if goto not in STEP_CODES:
        goto = step
    return reverse("dossiers:step", kwargs={"reference": dossier.reference, "step": goto})


def posted_version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("lock_version", ""))
    except ValueError:
        return -1  # a form without its version is treated as stale: nothing is overwritten blindly


def refuse_tampered(step_forms: StepForms) -> None:
    """A list whose counts no page of ours sends (negative, missing) is refused whole: a French 400, nothing written
    (it once deleted every expense line)."""
    if any(isinstance(form, f.BaseLineFormSet) and form.is_tampered() for form in step_forms.forms.values()):
        raise BadRequest("Les lignes envoyées sont incohérentes : rien n'a été enregistré. Rechargez la page.")


def save(request: HttpRequest, dossier: Dossier, step: str, data: dict[str, Any], version: int) -> StepSaved:
    try:
        return dossier_save_step(dossier=dossier, step=step, data=data, expected_version=version, by=user_of(request))
    except ForgedReference as exc:
        raise BadRequest(
            f"Le formulaire désigne une ligne d'un autre dossier ({exc}) : rien n'a été enregistré."
        ) from exc


def _row_ids(data: dict[str, Any]) -> dict[str, str]:
    """Input name → id of every line the save created or updated, for the page's next save."""
    fields = {}
    for value in data.values():
        if isinstance(value, list):
            for row in value:
                if isinstance(row, dict) and row.get("_prefix") and row.get("id"):
                    fields[f"{row['_prefix']}-id"] = str(row["id"])
    return fields


def step(request: HttpRequest, reference: str, step: str) -> HttpResponse:
    if step not in STEP_FORMS:
        raise Http404("Étape inconnue.")
    dossier = editable_dossier(request, reference)
    if isinstance(dossier, HttpResponse):
        return dossier
    if request.method != "POST":
        version = step_version(dossier, step)
        return render_step(request, dossier, step, unbound_step_forms(dossier, step), version=version)
    if request.headers.get("X-Pactes-Autosave") == "1":
        return _autosave(request, dossier, step)
    step_forms = STEP_FORMS[step](dossier, request.POST)
    refuse_tampered(step_forms)
    version = posted_version(request)
    if "refresh" in request.POST:  # « Afficher les communes »: redisplay without saving
        return render_step(request, dossier, step, step_forms, version=version)
    if not step_forms.saves:
        return redirect(_destination(request, dossier, step))
    if not step_forms.is_valid():
        return render_step(request, dossier, step, step_forms, version=version, failed=True)
    try:
        save(request, dossier, step, step_forms.to_data(), version)
    except StaleEdit as exc:
        return render_conflict(request, dossier, step, step_forms, exc, STEP_FORMS[step](dossier, None))
    except SaveRefused as exc:
        return render_step(request, dossier, step, step_forms, version=version, refusal=str(exc))
    except EditRefused as exc:
        messages.error(request, str(exc))
        return redirect("dossiers:detail", reference=dossier.reference)
    messages.success(request, f"Étape « {dict(STEPS)[step]} » enregistrée.")
    return redirect(_destination(request, dossier, step))


def _autosave(request: HttpRequest, dossier: Dossier, step: str) -> JsonResponse:
    """Background save of the step being typed (dossier.js): same service, same stale-edit refusal, JSON answer.
    ``fields`` gives the page the new version and the ids of the lines it saved, so that the next save (automatic or
    typed) updates those rows instead of creating them again."""
    step_forms = STEP_FORMS[step](dossier, request.POST)
    refuse_tampered(step_forms)
    if not step_forms.saves:
        return JsonResponse({"saved": False, "message": ""})
    if not step_forms.is_valid():
        errors = error_items(step_forms.forms.values())
        return JsonResponse(
            {
                "saved": False,
                "message": f"Saisie à compléter : enregistrement automatique en attente ({_count(errors)} à corriger, "
                "voir la liste en haut du formulaire).",
                "errors": [{"text": e.text, "anchor": e.anchor} for e in errors],
                "summary_html": render_to_string(
                    SUMMARY_TEMPLATE, {"error_summary": errors, "quiet": True}, request=request
                ),
            },
            status=422,
        )
    data = step_forms.to_data()
    try:
        saved = save(request, dossier, step, data, posted_version(request))
    except StaleEdit as exc:
        return JsonResponse({"saved": False, "stale": True, "message": str(exc)}, status=409)
    except SaveRefused as exc:
        return JsonResponse({"saved": False, "message": str(exc)}, status=422)
    except EditRefused as exc:
        return JsonResponse({"saved": False, "message": str(exc)}, status=403)
    at = time_fr(timezone.localtime())
    dossier.refresh_from_db()
    return JsonResponse(
        {
            "saved": True,
            "lock_version": saved.version,
            "fields": {"lock_version": str(saved.version), **_row_ids(data)},
            "message": f"Enregistré automatiquement à {at}.",
            # The rules panel as the platform now judges the dossier: dossier.js puts it in the page's live region.
            "panel_html": panel_html(dossier),
        }
    )


def _count(errors: list[ErrorItem]) -> str:
    return f"{len(errors)} erreur{'s' if len(errors) > 1 else ''}"


def render_conflict(
    request: HttpRequest,
    dossier: Dossier,
    step: str,
    mine: StepForms,
    stale: StaleEdit,
    saved: StepForms,
    **kwargs: Any,
) -> HttpResponse:
    """The page as typed (nothing thrown away), the stored version beside it, and the current version in the form:
    saving again knowingly replaces the other person's version."""
    return render_step(
        request,
        dossier,
        step,
        mine,
        version=stale.current_version,
        stale_message=str(stale),
        comparison=step_comparison(mine, saved),
        **kwargs,
    )


def render_step(
    request: HttpRequest,
    dossier: Dossier,
    step: str,
    step_forms: StepForms,
    *,
    version: int,
    stale_message: str = "",
    comparison: list[Difference] | None = None,
    template: str = "",
    title: str = "",
    failed: bool = False,
    refusal: str = "",
) -> HttpResponse:
    """The page of a step; after a failed save (``failed``: the forms' errors; ``refusal``: the service's reason; a
    stale edit), an error summary at the top and a page title that starts with « Erreur : » (ADR 0049)."""
    index = STEP_CODES.index(step)
    label = dict(STEPS)[step]
    errors = error_items(step_forms.forms.values()) if failed else []
    if refusal:
        errors.insert(0, ErrorItem(refusal))
    prefix = "Erreur : " if errors or stale_message else ""
    context = {
        "page_title": f"{prefix}{title or label} — dossier {dossier.reference}",
        "error_summary": errors,
        "breadcrumb_data": dossier_breadcrumb(dossier, title or label),
        "dossier": dossier,
        "config": dossier.call.rules,
        "step": step,
        "steps": [(i + 1, code, name) for i, (code, name) in enumerate(STEPS)],
        "step_number": index + 1,
        "step_label": label,
        "next_label": dict(STEPS)[STEP_CODES[index + 1]] if index + 1 < len(STEP_CODES) else "Pièces jointes",
        "total_steps": len(STEPS) + 2,
        "lock_version": version,
        "autosave_seconds": settings.PACTES_AUTOSAVE_SECONDS,
        "stale_message": stale_message,
        "comparison": comparison or [],
        "panel_html": panel_html(dossier),
        "attachments_url": filing_url("attachments", dossier),
        "summary_url": filing_url("summary", dossier),
        **step_forms.forms,
        **step_forms.extra,
    }
    status = 409 if stale_message else 200
    return render(request, template or f"dossiers/steps/{step}.html", context, status=status)


def edit(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = editable_dossier(request, reference)
    if isinstance(dossier, HttpResponse):
        return dossier
    return redirect("dossiers:step", reference=dossier.reference, step=STEP_CODES[0])
