"""The DDETS-PP's instruction workspace: the queue, the dossier page (versions, pieces, rules recomputed, manual
checklist, transitions, history), the request for complements, and the exchanges with the applicant.

Every fetch goes through the scoped selectors (an instructor sees its département, the DREETS the region; anyone
else gets 404); every write goes through ``pactes.instruction.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from pactes.accounts.models import User
from pactes.accounts.permissions import can_audit
from pactes.assessment.selectors import SCORED_STATES
from pactes.core.journal import digest_problems
from pactes.dossiers.models import Dossier, DossierVersion
from pactes.dossiers.receipt import filed_at_label
from pactes.dossiers.selectors import dossiers_visible_to
from pactes.dossiers.services import TransitionRefused
from pactes.instruction.selectors import (
    admissibility_decision,
    instructed_dossier,
    is_instruction_staff,
    may_exchange,
    messages_visible_to,
)
from pactes.instruction.services import (
    CHECKLIST_STATES,
    PAGE_TRANSITIONS,
    REQUEST_COMPLEMENTS,
    InstructionRefused,
    checklist_record,
    complements_request,
    instruction_transition,
    message_post,
)
from pactes.rules.lifecycle import transitions_from
from pactes.web.evidence.files import evidence_file_response

from .dossier_page import (
    checklist_html,
    checks_of,
    complement_requests_of,
    history_of,
    imported_from,
    instruction_panel,
    message_count,
    pieces_of,
    version_html,
    versions_of,
)
from .forms import (
    ChecklistForm,
    ComplementsForm,
    MessageForm,
    TransitionForm,
)


# -- helpers -------------------------------------------------------------------------------------------------------
def _staff(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not is_instruction_staff(user):
        raise Http404("Cet espace est réservé à l'instruction.")
    return user


def _instructed(request: HttpRequest, reference: str) -> Dossier:
    dossier = instructed_dossier(_staff(request), reference)
    if dossier is None:
        raise Http404("Ce dossier n'existe pas ou n'est pas dans votre périmètre.")
    return dossier


def _refusal(request: HttpRequest, exc: TransitionRefused) -> None:
    messages.error(request, " ".join(r.message for r in exc.reasons))


def _workspace_crumb() -> dict[str, str]:
    return {"url": reverse("instruction:queue"), "title": "Instruction des dossiers"}


# -- the dossier page ----------------------------------------------------------------------------------------------
def _dossier_page(
    request: HttpRequest,
    dossier: Dossier,
    *,
    bound_transition: TransitionForm | None = None,
    complements_form: ComplementsForm | None = None,
    checklist_form: ChecklistForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _staff(request)
    versions = versions_of(dossier)
    pieces = pieces_of(dossier)
    selected: DossierVersion | None = versions[-1] if versions else None
    asked = request.GET.get("version")
    if asked:
        selected = next((v for v in versions if str(v.number) == asked), None)
        if selected is None:
            raise Http404("Cette version n'existe pas.")
    allowed = transitions_from(dossier.state, user.role)
    transitions = []
    for move in allowed:
        if move.code not in PAGE_TRANSITIONS:
            continue
        form = (
            bound_transition
            if bound_transition is not None and bound_transition.data.get("transition") == move.code
            else TransitionForm(initial={"transition": move.code, "state": dossier.state})
        )
        transitions.append((move, form))
    can_request = any(m.code == REQUEST_COMPLEMENTS for m in allowed)
    items = dossier.call.rules.admissibility_checklist
    checks = {c.item: c for c in checks_of(dossier)}
    checklist_open = dossier.state in CHECKLIST_STATES
    if complements_form is None and can_request:
        complements_form = ComplementsForm(initial={"state": dossier.state}, today=timezone.localdate())
    source = imported_from(dossier)
    history = history_of(dossier)
    panel, panel_html = instruction_panel(dossier, source)
    context = {
        "page_title": f"Instruction du dossier {dossier.reference}",
        "breadcrumb_data": {
            "links": [_workspace_crumb()],
            "current": f"Dossier {dossier.reference}",
        },
        "dossier": dossier,
        "source": source,
        "versions": versions,
        "selected": selected,
        "filed_at": filed_at_label(selected.submitted_at, dossier.call) if selected else "",
        "document_html": version_html(selected, dossier.call) if selected else "",
        "pieces": pieces,
        "tampered": {v.number for v in versions if digest_problems(v)},
        "tampered_pieces": {p.pk for p in pieces if digest_problems(p)},
        "can_audit": can_audit(user),
        "panel": panel,
        "panel_html": panel_html,
        "checklist": bool(items),
        "checklist_html": checklist_html(items, checks, checklist_form, is_open=checklist_open),
        "checklist_errors": checklist_form.non_field_errors() if checklist_form is not None else "",
        "checklist_open": checklist_open,
        "checklist_section": dossier.call.rules.section("instruction"),
        "transitions": transitions,
        "can_request_complements": can_request,
        "complements_form": complements_form,
        "complement_requests": complement_requests_of(dossier),
        "history": history,
        "admissibility": admissibility_decision(history),
        # The evaluation page exists from « recevable » on: no link before (it would answer 404).
        "score_url": reverse("assessment:score", args=[dossier.reference]) if dossier.state in SCORED_STATES else "",
        "message_count": message_count(user, dossier),
    }
    return render(request, "instruction/dossier.html", context, status=status)


def dossier(request: HttpRequest, reference: str) -> HttpResponse:
    return _dossier_page(request, _instructed(request, reference))


@require_POST
def transition(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _instructed(request, reference)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _dossier_page(request, dossier, bound_transition=form)
    try:
        instruction_transition(
            dossier=dossier,
            transition=form.cleaned_data["transition"],
            by=_staff(request),
            reason=form.cleaned_data["reason"],
            loaded_state=form.cleaned_data["state"],
        )
    except TransitionRefused as exc:
        _refusal(request, exc)
    else:
        messages.success(request, f"Le dossier {dossier.reference} est maintenant « {dossier.get_state_display()} ».")
    return redirect("instruction:dossier", reference=dossier.reference)


@require_POST
def complements(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _instructed(request, reference)
    form = ComplementsForm(request.POST, today=timezone.localdate())
    if not form.is_valid():
        return _dossier_page(request, dossier, complements_form=form)
    try:
        complements_request(
            dossier=dossier,
            by=_staff(request),
            message=form.cleaned_data["message"],
            due_on=form.cleaned_data["due_on"],
            loaded_state=form.cleaned_data["state"],
            link=request.build_absolute_uri(reverse("dossiers:detail", kwargs={"reference": dossier.reference})),
        )
    except TransitionRefused as exc:
        _refusal(request, exc)
    else:
        messages.success(
            request, "Les compléments ont été demandés au porteur : le dossier est de nouveau modifiable par lui."
        )
    return redirect("instruction:dossier", reference=dossier.reference)


@require_POST
def checklist(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _instructed(request, reference)
    form = ChecklistForm(request.POST, items=dossier.call.rules.admissibility_checklist)
    if not form.is_valid():
        return _dossier_page(request, dossier, checklist_form=form)
    try:
        changed = checklist_record(dossier=dossier, by=_staff(request), answers=form.answers())
    except (InstructionRefused, TransitionRefused) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Liste de recevabilité enregistrée ({changed} point{'s' if changed > 1 else ''} modifié"
            f"{'s' if changed > 1 else ''}).",
        )
    return redirect(reverse("instruction:dossier", kwargs={"reference": dossier.reference}) + "#recevabilite")


# -- exchanges (instruction and applicant) ----------------------------------------------------------------------
def _exchanged(request: HttpRequest, reference: str) -> tuple[User, Dossier]:
    user = request.user
    assert isinstance(user, User)
    dossier = get_object_or_404(
        dossiers_visible_to(user).select_related("call", "organisation", "departement"), reference=reference
    )
    if not may_exchange(user, dossier):
        raise Http404("Les échanges de ce dossier ne vous sont pas ouverts.")
    return user, dossier


@require_http_methods(["GET", "POST"])
def exchanges(request: HttpRequest, reference: str) -> HttpResponse:
    user, dossier = _exchanged(request, reference)
    staff = is_instruction_staff(user)
    form = MessageForm(request.POST or None, request.FILES or None, may_annotate=staff)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        private = bool(form.cleaned_data.get("private"))
        try:
            message_post(
                dossier=dossier,
                by=user,
                body=form.cleaned_data["body"],
                private=private,
                file_name=upload.name if upload else "",
                stream=upload,
                link=request.build_absolute_uri(reverse("instruction:messages", kwargs={"reference": reference})),
            )
        except InstructionRefused as exc:
            form.add_error("file" if upload else None, str(exc))
        else:
            messages.success(
                request,
                "L'annotation privée a été enregistrée." if private else "Votre message a été envoyé.",
            )
            return redirect("instruction:messages", reference=dossier.reference)
    if staff:
        crumbs = [
            _workspace_crumb(),
            {"url": reverse("instruction:dossier", kwargs={"reference": reference}), "title": dossier.reference},
        ]
    else:
        crumbs = [
            {"url": reverse("core:dashboard"), "title": "Mon espace"},
            {"url": reverse("dossiers:detail", kwargs={"reference": reference}), "title": dossier.reference},
        ]
    return render(
        request,
        "instruction/messages.html",
        {
            "page_title": f"Échanges — dossier {dossier.reference}",
            "breadcrumb_data": {"links": crumbs, "current": "Échanges"},
            "dossier": dossier,
            "thread": messages_visible_to(user, dossier),
            "form": form,
            "is_staff_view": staff,
        },
    )


def message_attachment(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    user, dossier = _exchanged(request, reference)
    message = get_object_or_404(messages_visible_to(user, dossier), pk=pk)
    return evidence_file_response(
        request,
        message.file,
        filename=message.original_name,
        content_type=message.content_type,
        document="message_file",
        dossier_id=dossier.pk,
        object_ref=f"message {message.pk}",
        expected_sha256=message.sha256,
        missing="Le fichier de cette pièce est introuvable.",
    )
