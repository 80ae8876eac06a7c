"""The regional committee's page of one dossier of a session's agenda: its file, scores and proposal, the decision the
DREETS records on it and the reopening of a decided dossier (scoped as the session's pages, ``views``)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from pactes.accounts.models import Role
from pactes.assessment.models import ScoreSheet
from pactes.committee.agenda import agenda_page_of
from pactes.committee.models import CommitteeDecision, CommitteeSession
from pactes.committee.opinions import can_give_opinion
from pactes.committee.selectors import (
    envelope_for_session,
    is_jury_member_of,
    latest_closed_decision,
    my_opinion,
    opinions_of,
    proposal_of,
)
from pactes.committee.services import (
    CommitteeRefused,
    decision_record,
    decision_reopen,
)
from pactes.dossiers.models import Dossier, DossierTransitionLog
from pactes.dossiers.receipt import present_document
from pactes.dossiers.selectors import requested_grant

from . import forms as f
from .views import (
    AMOUNT_CODES,
    _agenda_dossier,
    _breadcrumb,
    _dreets,
    _session,
    _user,
)


def _document(dossier: Dossier) -> Any:
    version = dossier.versions.order_by("-number").first()
    if version is None:
        return None
    return present_document(document=json.loads(version.snapshot), call=dossier.call)


def _score_table(dossier: Dossier) -> dict[str, Any]:
    criteria = dossier.call.rules.criteria
    sheets = list(ScoreSheet.objects.filter(dossier=dossier).select_related("instructor").prefetch_related("scores"))
    rows = []
    for criterion in criteria:
        cells = []
        for sheet in sheets:
            score = next((s for s in sheet.scores.all() if s.criterion == criterion.code), None)
            cells.append(score)
        rows.append({"criterion": criterion, "cells": cells})
    return {"sheets": sheets, "rows": rows}


def _dossier_page(
    request: HttpRequest,
    session: CommitteeSession,
    dossier: Dossier,
    *,
    decision_form: f.DecisionForm | None = None,
    reopen_form: f.ReopenForm | None = None,
    opinion_form: f.JuryOpinionForm | None = None,
) -> HttpResponse:
    user = _user(request)
    mine = my_opinion(session=session, dossier=dossier, member=user) if is_jury_member_of(user, session) else None
    if opinion_form is None and can_give_opinion(user, session):
        opinion_form = f.JuryOpinionForm(
            initial={"opinion": mine.opinion if mine else None, "comment": mine.comment if mine else ""}
        )
    decision = CommitteeDecision.objects.filter(session=session, dossier=dossier).select_related("decided_by").first()
    can_decide = user.is_dreets and session.is_open
    if can_decide and decision_form is None:
        decision_form = f.DecisionForm(
            initial={
                "decision": decision.decision if decision else None,
                "awarded_amount": decision.awarded_amount if decision and decision.awarded_amount else "",
                "motivation": decision.motivation if decision else "",
            }
        )
    can_reopen = (
        user.is_dreets
        and session.is_closed
        and decision is not None
        and (current := latest_closed_decision(dossier)) is not None
        and current.pk == decision.pk
        and dossier.state in {"retenu", "non_retenu", "ajourne"}
    )
    if can_reopen and reopen_form is None:
        reopen_form = f.ReopenForm()
    return render(
        request,
        "committee/dossier.html",
        {
            "page_title": f"Dossier {dossier.reference} — comité régional",
            "call": session.call,
            "session": session,
            "dossier": dossier,
            "rules": dossier.call.rules,
            "proposal": proposal_of(dossier),
            "requested": requested_grant(dossier),
            "doc": _document(dossier),
            "scores": _score_table(dossier),
            "decision": decision,
            "decision_form": decision_form if can_decide else None,
            "reopen_form": reopen_form if can_reopen else None,
            "opinion_form": opinion_form if can_give_opinion(user, session) else None,
            "my_opinion": mine,
            # The DREETS reads every member's opinion beside the proposal; a jury member gives their own.
            "jury_opinions": opinions_of(session=session, dossier=dossier) if user.role != Role.JURY else [],
            "envelope": envelope_for_session(session),
            "history": list(DossierTransitionLog.objects.filter(dossier=dossier).select_related("by")),
            "breadcrumb_data": _breadcrumb(f"Dossier {dossier.reference}", session),
        },
    )


@require_GET
def dossier(request: HttpRequest, pk: int, reference: str) -> HttpResponse:
    session = _session(request, pk)
    return _dossier_page(request, session, _agenda_dossier(request, session, reference))


@require_POST
def decide(request: HttpRequest, pk: int, reference: str) -> HttpResponse:
    session = _session(request, pk)
    target = _agenda_dossier(request, session, reference)
    user = _dreets(request)
    form = f.DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            decision_record(
                session=session,
                dossier=target,
                decision=data["decision"],
                awarded_amount=data["awarded_amount"],
                motivation=data["motivation"],
                by=user,
            )
        except CommitteeRefused as exc:
            for reason in exc.reasons:
                field = (
                    "awarded_amount"
                    if reason.code in AMOUNT_CODES
                    else "motivation"
                    if reason.code == "MOTIVATION_REQUIRED"
                    else None
                )
                form.add_error(field, reason.message)
        else:
            messages.success(request, f"La décision sur le dossier {target.reference} est enregistrée.")
            page = agenda_page_of(session=session, user=user, dossier=target)
            query = f"?{urlencode({'page': page})}" if page > 1 else ""
            return redirect(f"{reverse('committee:detail', args=[session.pk])}{query}#dossier-{target.reference}")
    return _dossier_page(request, session, target, decision_form=form)


@require_POST
def reopen(request: HttpRequest, pk: int, reference: str) -> HttpResponse:
    session = _session(request, pk)
    target = _agenda_dossier(request, session, reference)
    user = _dreets(request)
    decision = get_object_or_404(CommitteeDecision, session=session, dossier=target)
    form = f.ReopenForm(request.POST)
    if form.is_valid():
        try:
            decision_reopen(decision=decision, motivation=form.cleaned_data["motivation"], by=user)
        except CommitteeRefused as exc:
            for reason in exc.reasons:
                form.add_error(None, reason.message)
        else:
            messages.success(
                request,
                f"La décision sur le dossier {target.reference} est rouverte : le dossier revient au comité.",
            )
            return redirect("committee:detail", pk=session.pk)
    return _dossier_page(request, session, target, reopen_form=form)
