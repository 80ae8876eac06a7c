"""One action of the plan (step 5): created, edited (its own version, ADR 0013) or deleted."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from pactes.dossiers.editing import EditRefused, SaveRefused, StaleEdit, step_version

from .common import editable_dossier
from .editor import posted_version, refuse_tampered, render_conflict, render_step, save
from .steps import action_forms


def action_edit(request: HttpRequest, reference: str, pk: int | None = None) -> HttpResponse:
    dossier = editable_dossier(request, reference)
    if isinstance(dossier, HttpResponse):
        return dossier
    action = get_object_or_404(dossier.actions, pk=pk) if pk is not None else None
    if not dossier.priorities.exists():
        messages.warning(request, "Définissez d'abord au moins une priorité : chaque action s'y rattache.")
        return redirect("dossiers:step", reference=dossier.reference, step="priorites")
    title = f"Action « {action.title} »" if action else "Nouvelle action"
    render_kwargs: dict[str, Any] = {"template": "dossiers/steps/action_form.html", "title": title}
    if request.method != "POST":
        version = step_version(dossier, f"action-{action.pk}") if action else 0
        return render_step(
            request, dossier, "actions", action_forms(dossier, action, None), version=version, **render_kwargs
        )
    forms = action_forms(dossier, action, request.POST)
    refuse_tampered(forms)
    version = posted_version(request) if action else 0
    if not forms.is_valid():
        return render_step(request, dossier, "actions", forms, version=version, failed=True, **render_kwargs)
    try:
        save(request, dossier, "action", forms.to_data(), version)
    except StaleEdit as exc:
        saved = action_forms(dossier, action, None)
        return render_conflict(request, dossier, "actions", forms, exc, saved, **render_kwargs)
    except SaveRefused as exc:
        return render_step(request, dossier, "actions", forms, version=version, refusal=str(exc), **render_kwargs)
    except EditRefused as exc:
        messages.error(request, str(exc))
        return redirect("dossiers:detail", reference=dossier.reference)
    messages.success(request, f"Action « {forms.forms['form'].cleaned_data['title']} » enregistrée.")
    return redirect("dossiers:step", reference=dossier.reference, step="actions")


@require_POST
def action_delete(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    dossier = editable_dossier(request, reference)
    if isinstance(dossier, HttpResponse):
        return dossier
    action = get_object_or_404(dossier.actions, pk=pk)
    try:
        save(request, dossier, "action_delete", {"id": action.pk}, posted_version(request))
    except StaleEdit as exc:
        messages.error(
            request,
            f"L'action « {action.title} » a été modifiée par {exc.by_name} entre-temps : elle n'a pas été supprimée. "
            "Relisez-la avant de recommencer.",
        )
    else:
        messages.success(request, f"Action « {action.title} » supprimée.")
    return redirect("dossiers:step", reference=dossier.reference, step="actions")
