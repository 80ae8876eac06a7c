"""Évaluation qualité, classement par territoire and transmission to the regional committee (§1.6).

Instructors DDETS-PP act on the dossiers of their département; the DREETS and administrators read every
département; nobody else sees these pages (404). Dossiers are read through ``assessable_dossiers`` (itself built on
``dossiers_visible_to``), writes go through ``pactes.assessment.services``.
"""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from pactes.accounts.models import Role, User
from pactes.accounts.permissions import is_instructor_of
from pactes.assessment.models import Proposal, ScoreSheet
from pactes.assessment.selectors import (
    assessable_dossiers,
    calls_for,
    can_read_assessment,
    departements_for,
    evaluated_dossiers,
    ranking_page,
    score_board,
    territory_rankings,
    transmissions_visible_to,
    transmitted_dossiers,
)
from pactes.assessment.services import (
    AssessmentRefused,
    evaluation_complete,
    evaluation_problems,
    evaluation_reopen,
    proposal_update,
    ranking_move,
    ranking_save,
    score_sheet_save,
    transmission_create,
    transmission_problems,
)
from pactes.calls.models import Call
from pactes.dossiers.models import Dossier
from pactes.dossiers.selectors import requested_grant
from pactes.rules.lifecycle import DossierState
from pactes.rules.money import euros
from pactes.territories.models import Departement
from pactes.web.evidence.files import evidence_file_response

from . import ranking_rows
from .forms import ProposalForm, RankingForm, ScopeForm, ScoreSheetForm, TransmissionForm


def _reader(request: HttpRequest) -> User:
    user = request.user
    if not can_read_assessment(user):
        raise Http404("Page réservée à l'instruction.")
    return user


def _dossier(request: HttpRequest, reference: str) -> Dossier:
    _reader(request)
    return get_object_or_404(
        assessable_dossiers(request.user).select_related("call", "organisation", "departement"), reference=reference
    )


def _dossier_url(dossier: Dossier) -> str | None:
    """The instruction page of the dossier when the instruction area is installed."""
    try:
        return reverse("instruction:dossier", args=[dossier.reference])
    except NoReverseMatch:
        return None


def _breadcrumb(current: str, *links: tuple[str, str]) -> dict[str, Any]:
    return {
        "links": [{"url": reverse("core:dashboard"), "title": "Mon espace"}]
        + [{"url": url, "title": title} for url, title in links],
        "current": current,
    }


# -- évaluation qualité ------------------------------------------------------------------------------------------------
def _sheet_initial(sheet: ScoreSheet | None) -> dict[str, Any]:
    if sheet is None:
        return {}
    initial: dict[str, Any] = {
        "proposed_amount": _amount_text(sheet.proposed_amount),
        "opinion": sheet.opinion,
        "comment": sheet.comment,
    }
    for score in sheet.scores.all():
        initial[f"score_{score.criterion}"] = score.score
        initial[f"justification_{score.criterion}"] = score.justification
    return initial


def _amount_text(amount: Decimal | None) -> str:
    return "" if amount is None else euros(amount).removesuffix("\u00a0€").replace("\u202f", " ")


def _score_page(
    request: HttpRequest,
    dossier: Dossier,
    *,
    sheet_form: ScoreSheetForm | None = None,
    proposal_form: ProposalForm | None = None,
    refusal: list[Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    config = dossier.call.rules
    requested = requested_grant(dossier)
    can_score = is_instructor_of(user, dossier.departement_id) and dossier.state == DossierState.ADMISSIBLE.value
    proposal = Proposal.objects.filter(dossier=dossier).select_related("territory", "updated_by").first()
    own_sheet = ScoreSheet.objects.filter(dossier=dossier, instructor=user).prefetch_related("scores").first()
    if can_score and sheet_form is None:
        sheet_form = ScoreSheetForm(initial=_sheet_initial(own_sheet), config=config, requested=requested)
    if can_score and proposal_form is None:
        proposal_form = ProposalForm(
            initial={
                "proposed_amount": _amount_text(proposal.proposed_amount) if proposal else "",
                "opinion": proposal.opinion if proposal else "",
            },
            config=config,
            requested=requested,
        )
    board = score_board(dossier, config)
    return render(
        request,
        "instruction/assessment/score.html",
        {
            "page_title": f"Évaluation qualité — dossier {dossier.reference}",
            "breadcrumb_data": _breadcrumb("Évaluation qualité", *_dossier_links(dossier)),
            "dossier": dossier,
            "dossier_url": _dossier_url(dossier),
            "rules": config,
            "requested": requested,
            "board": board,
            "proposal": proposal,
            "own_sheet": own_sheet,
            "can_score": can_score,
            "can_reopen": is_instructor_of(user, dossier.departement_id)
            and dossier.state == DossierState.EVALUATED.value,
            "sheet_form": sheet_form if can_score else None,
            "proposal_form": proposal_form if can_score else None,
            "closing_problems": evaluation_problems(dossier) if can_score else [],
            "refusal": refusal or [],
            "ranking_url": _scope_url("assessment:ranking", dossier.departement, dossier.call),
        },
        status=status,
    )


def _dossier_links(dossier: Dossier) -> list[tuple[str, str]]:
    url = _dossier_url(dossier)
    return [(url, f"Dossier {dossier.reference}")] if url else []


@require_http_methods(["GET", "POST"])
def score(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _dossier(request, reference)
    if request.method != "POST":
        return _score_page(request, dossier)
    if not (is_instructor_of(request.user, dossier.departement_id) and dossier.state == DossierState.ADMISSIBLE):
        messages.error(request, "L'évaluation de ce dossier n'est pas ouverte à votre saisie.")
        return redirect("assessment:score", reference=dossier.reference)
    config = dossier.call.rules
    form = ScoreSheetForm(request.POST, config=config, requested=requested_grant(dossier))
    if form.is_valid():
        try:
            score_sheet_save(
                dossier=dossier,
                instructor=request.user,
                scores=form.cleaned_data["scores"],
                proposed_amount=form.cleaned_data["proposed_amount"],
                opinion=form.cleaned_data["opinion"],
                comment=form.cleaned_data["comment"],
            )
        except AssessmentRefused as exc:
            for reason in exc.reasons:
                form.add_error(None, reason.message)
        else:
            messages.success(request, "Votre grille d'évaluation a été enregistrée.")
            return redirect("assessment:score", reference=dossier.reference)
    return _score_page(request, dossier, sheet_form=form, status=400)


@require_POST
def proposal(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _dossier(request, reference)
    if not (is_instructor_of(request.user, dossier.departement_id) and dossier.state == DossierState.ADMISSIBLE):
        messages.error(request, "La proposition de ce dossier n'est pas ouverte à votre saisie.")
        return redirect("assessment:score", reference=dossier.reference)
    form = ProposalForm(request.POST, config=dossier.call.rules, requested=requested_grant(dossier))
    if form.is_valid():
        try:
            proposal_update(
                dossier=dossier,
                by=request.user,
                proposed_amount=form.cleaned_data["proposed_amount"],
                opinion=form.cleaned_data["opinion"],
            )
        except AssessmentRefused as exc:
            for reason in exc.reasons:
                form.add_error(None, reason.message)
        else:
            messages.success(request, "La proposition de la DDETS-PP a été enregistrée.")
            return redirect("assessment:score", reference=dossier.reference)
    return _score_page(request, dossier, proposal_form=form, status=400)


@require_POST
def complete(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _dossier(request, reference)
    try:
        evaluation_complete(dossier=dossier, by=request.user)
    except AssessmentRefused as exc:
        return _score_page(request, dossier, refusal=exc.reasons, status=400)
    messages.success(
        request, f"L'évaluation du dossier {dossier.reference} est close : il est classé dans son territoire."
    )
    return redirect("assessment:score", reference=dossier.reference)


@require_POST
def reopen(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _dossier(request, reference)
    try:
        evaluation_reopen(dossier=dossier, by=request.user)
    except AssessmentRefused as exc:
        return _score_page(request, dossier, refusal=exc.reasons, status=400)
    messages.success(request, f"L'évaluation du dossier {dossier.reference} est rouverte.")
    return redirect("assessment:score", reference=dossier.reference)


# -- scope of the ranking and transmission pages -----------------------------------------------------------------------
def _scope_url(name: str, departement: Departement | None, call: Call | None) -> str:
    query = {}
    if departement is not None:
        query["departement"] = departement.code
    if call is not None:
        query["appel"] = call.slug
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


def _scope(request: HttpRequest) -> tuple[Departement | None, Call | None, ScopeForm | None]:
    """The département (own for an instructor, chosen by the DREETS) and the call looked at."""
    user = _reader(request)
    source = request.POST if request.method == "POST" else request.GET
    if user.role == Role.INSTRUCTOR:
        departement: Departement | None = user.departement
    else:
        departement = departements_for(user).filter(code=source.get("departement", "")).first()
    calls = calls_for(user, departement) if departement is not None else []
    call = next((c for c in calls if c.slug == source.get("appel")), calls[0] if calls else None)
    choices = [] if user.role == Role.INSTRUCTOR else [(d.code, f"{d.code} — {d.name}") for d in departements_for(user)]
    form = None
    if choices or len(calls) > 1:
        form = ScopeForm(
            initial={"departement": departement.code if departement else "", "appel": call.slug if call else ""},
            departements=choices,
            calls=[(c.slug, c.short_title) for c in calls],
        )
    return departement, call, form


@require_http_methods(["GET", "POST"])
def ranking(request: HttpRequest) -> HttpResponse:
    departement, call, scope_form = _scope(request)
    # One page of rows; each territory shown is totalled and checked over all its dossiers by the database, and the
    # form lists and posts only the page's dossiers (ADR 0043).
    evaluated = (
        ranking_page(evaluated_dossiers(call=call, departement=departement), call.rules, page=request.GET.get("page"))
        if departement is not None and call is not None
        else None
    )
    transmitted = (
        ranking_page(
            transmitted_dossiers(call=call, departement=departement),
            call.rules,
            page=request.GET.get("transmis"),
            with_summaries=False,
        )
        if departement is not None and call is not None
        else None
    )
    can_edit = departement is not None and is_instructor_of(request.user, departement.pk)
    references = evaluated.references if evaluated is not None else []
    form = RankingForm(references=references) if can_edit else None
    status = 200
    if request.method == "POST":
        if not can_edit or call is None or departement is None:
            raise Http404("Classement réservé aux instructeurs du département.")
        form = RankingForm(request.POST, references=references)
        if form.is_valid():
            try:
                ranking_save(call=call, departement=departement, ranks=form.ranks(), by=request.user)
            except AssessmentRefused as exc:
                for reason in exc.reasons:
                    form.add_error(None, reason.message)
            else:
                messages.success(request, "Le classement a été enregistré.")
                page = evaluated.page.number if evaluated is not None else 1
                return redirect(f"{_scope_url('assessment:ranking', departement, call)}&page={page}")
        status = 400
    links = ranking_rows.Links()
    token = get_token(request) if can_edit else None
    number = evaluated.page.number if evaluated is not None else 1
    return render(
        request,
        "instruction/assessment/ranking.html",
        {
            "page_title": "Classement par territoire",
            "breadcrumb_data": _breadcrumb("Classement par territoire"),
            "departement": departement,
            "call": call,
            "rules": call.rules if call else None,
            "scope_form": scope_form,
            "territories": [
                (t, ranking_rows.evaluated_rows(t.rows, links=links, csrf_token=token, page=number))
                for t in (evaluated.territories if evaluated is not None else [])
            ],
            "territory_page": evaluated.page if evaluated is not None else None,
            "transmitted": [
                (t, ranking_rows.transmitted_rows(t.rows, links=links))
                for t in (transmitted.territories if transmitted is not None else [])
            ],
            "transmitted_page": transmitted.page if transmitted is not None else None,
            "form": form,
            "rank_fields": ranking_rows.rank_fields(form.rank_fields()) if form is not None else "",
            "can_edit": can_edit,
            "transmit_url": _scope_url("assessment:transmit", departement, call),
        },
        status=status,
    )


@require_POST
def move(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = _dossier(request, reference)
    try:
        ranking_move(dossier=dossier, up=request.POST.get("direction") == "haut", by=request.user)
    except AssessmentRefused as exc:
        for reason in exc.reasons:
            messages.error(request, reason.message)
    url = _scope_url("assessment:ranking", dossier.departement, dossier.call)
    page = request.POST.get("page", "")
    return redirect(f"{url}&page={page}" if page.isdigit() else url)


# -- transmission ------------------------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def transmit(request: HttpRequest) -> HttpResponse:
    departement, call, scope_form = _scope(request)
    user = request.user
    can_transmit = departement is not None and call is not None and is_instructor_of(user, departement.pk)
    form = TransmissionForm() if can_transmit else None
    refusal: list[Any] = []
    status = 200
    if request.method == "POST":
        if not can_transmit or call is None or departement is None:
            raise Http404("Transmission réservée aux instructeurs du département.")
        form = TransmissionForm(request.POST)
        if form.is_valid():
            try:
                transmission = transmission_create(
                    call=call,
                    departement=departement,
                    by=user,
                    note=form.cleaned_data["note"],
                    listed=request.POST.getlist("dossier"),
                )
            except AssessmentRefused as exc:
                refusal = exc.reasons
            else:
                count = transmission.dossiers.count()
                messages.success(
                    request,
                    f"{count} dossier{'s' if count > 1 else ''} transmis au comité régional ; la synthèse "
                    f"départementale a été envoyée à {call.rules.mailbox}.",
                )
                return redirect(_scope_url("assessment:transmit", departement, call))
        status = 400
    ready = departement is not None and call is not None
    past = transmissions_visible_to(user)
    if departement is not None:
        past = past.filter(departement=departement)
    return render(
        request,
        "instruction/assessment/transmit.html",
        {
            "page_title": "Transmettre au comité régional",
            "breadcrumb_data": _breadcrumb("Transmission au comité régional"),
            "departement": departement,
            "call": call,
            "rules": call.rules if call else None,
            "scope_form": scope_form,
            "territories": territory_rankings(evaluated_dossiers(call=call, departement=departement), call.rules)
            if ready
            else [],
            "problems": transmission_problems(call=call, departement=departement) if ready else [],
            "refusal": refusal,
            "form": form,
            "can_transmit": can_transmit,
            "transmissions": past,
            "ranking_url": _scope_url("assessment:ranking", departement, call),
        },
        status=status,
    )


def transmission_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    transmission = get_object_or_404(transmissions_visible_to(request.user), pk=pk)
    return evidence_file_response(
        request,
        transmission.summary_pdf,
        filename=(transmission.summary_pdf.name or "").rsplit("/", 1)[-1],
        content_type="application/pdf",
        document="summary",
        dossier_id=None,
        object_ref=f"transmission {transmission.pk}",
        missing="La synthèse de cette transmission est introuvable.",
    )
