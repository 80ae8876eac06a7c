"""The follow-up pages: progress and measured impact per action, interim and final reports with the financial
statement, the DDETS-PP's decision on each report, and the DREETS's consolidated view.

Dossiers are fetched through ``followed_dossiers_visible_to`` (retained or settled, within the viewer's scope):
anything else answers 404, including another applicant's dossier; acts reserved to a role answer 403.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pactes.accounts.models import Role, User
from pactes.accounts.permissions import is_applicant_of, is_instructor_of
from pactes.calls.models import Call
from pactes.core.facts_version import current_token, kept_for_facts
from pactes.dossiers.models import Action, Dossier, ImpactMeasure
from pactes.dossiers.selectors import DOSSIER_LIST_FIELDS
from pactes.followup import services
from pactes.followup.consolidation import Consolidation, consolidation
from pactes.followup.models import Report
from pactes.followup.selectors import (
    dossier_followup,
    dossiers_followup,
    followed_dossiers_visible_to,
)
from pactes.followup.services import (
    FollowupRefused,
    ValidationOutcome,
    measurement_record,
    progress_record,
    report_open,
    report_return,
    report_settlement,
    report_submission_problems,
    report_totals,
    report_update,
    report_validate,
    statement_lines,
)
from pactes.rules.followup import statement_variances
from pactes.rules.lifecycle import DossierState
from pactes.rules.money import euros
from pactes.rules.report_lifecycle import ReportKind
from pactes.rules.verdict import Reason

from . import forms as f

DASHBOARD = "/espace/"
CONSOLIDATED_ROLES = {Role.DREETS, Role.ADMIN, Role.INSTRUCTOR}
PER_PAGE = 25  # projects per page of the follow-up list (each row reads its actions, measures and reports)
LIST_ROW_FIELDS = DOSSIER_LIST_FIELDS


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _dossier(request: HttpRequest, reference: str) -> Dossier:
    return get_object_or_404(
        followed_dossiers_visible_to(_user(request)).select_related("call", "organisation", "departement"),
        reference=reference,
    )


def _applicant_dossier(request: HttpRequest, reference: str) -> Dossier:
    dossier = _dossier(request, reference)
    if not is_applicant_of(_user(request), dossier):
        raise PermissionDenied("Seuls les porteurs du dossier rendent compte de ses actions.")
    return dossier


def _kind(kind: str) -> ReportKind:
    try:
        return ReportKind(kind)
    except ValueError as exc:
        raise Http404("Ce bilan n'existe pas.") from exc


def _refused(request: HttpRequest, reasons: list[Reason]) -> None:
    for reason in reasons:
        messages.error(request, reason.message)


def _breadcrumb(current: str, dossier: Dossier | None = None) -> dict[str, Any]:
    links = [
        {"url": DASHBOARD, "title": "Mon espace"},
        {"url": reverse("followup:index"), "title": "Suivi des projets"},
    ]
    if dossier is not None:
        links.append({"url": reverse("followup:dossier", args=[dossier.reference]), "title": dossier.reference})
    return {"links": links, "current": current}


# -- lists and the dossier page -------------------------------------------------------------------------------------
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    dossiers = (
        followed_dossiers_visible_to(user)
        .select_related("organisation", "departement")
        .only(*LIST_ROW_FIELDS)
        .order_by("reference")
    )
    page = Paginator(dossiers, PER_PAGE).get_page(request.GET.get("page"))
    page.pages_list = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))  # type: ignore[attr-defined]
    listed = list(page.object_list)
    calls = {c.pk: c for c in Call.objects.filter(pk__in={d.call_id for d in listed})}
    for d in listed:
        d.call = calls[d.call_id]  # each call (and its parsed rules) read once for the page
    rows = dossiers_followup(dossiers=listed)
    return render(
        request,
        "followup/index.html",
        {
            "rows": rows,
            "page_obj": page,
            "page_title": "Suivi des projets retenus",
            "breadcrumb_data": {"links": [{"url": DASHBOARD, "title": "Mon espace"}], "current": "Suivi des projets"},
            "may_consolidate": user.role in CONSOLIDATED_ROLES,
        },
    )


@require_GET
def dossier(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    found = _dossier(request, reference)
    followup = dossier_followup(dossier=found)
    return render(
        request,
        "followup/dossier.html",
        {
            "dossier": found,
            "followup": followup,
            "agreement": getattr(found, "agreement", None),
            "is_applicant": is_applicant_of(user, found) and found.state == DossierState.RETAINED.value,
            "page_title": f"Suivi du dossier {found.reference}",
            "breadcrumb_data": _breadcrumb(found.reference),
        },
    )


@require_http_methods(["GET", "POST"])
def progress_add(request: HttpRequest, reference: str, action_pk: int) -> HttpResponse:
    found = _applicant_dossier(request, reference)
    action = get_object_or_404(Action.objects.filter(dossier=found), pk=action_pk)
    form = f.ProgressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            progress_record(
                action=action,
                percent_done=form.cleaned_data["percent_done"],
                text=form.cleaned_data["text"],
                reported_on=form.cleaned_data["reported_on"],
                by=_user(request),
            )
        except FollowupRefused as exc:
            _refused(request, exc.reasons)
        else:
            messages.success(request, "Le point d'avancement est enregistré.")
            return redirect("followup:dossier", reference=found.reference)
    return render(
        request,
        "followup/form.html",
        {
            "dossier": found,
            "form": form,
            "heading": f"Point d'avancement — {action.title}",
            "page_title": f"Point d'avancement — {found.reference}",
            "breadcrumb_data": _breadcrumb("Point d'avancement", found),
        },
    )


@require_http_methods(["GET", "POST"])
def measurement_add(request: HttpRequest, reference: str, measure_pk: int) -> HttpResponse:
    found = _applicant_dossier(request, reference)
    measure = get_object_or_404(
        ImpactMeasure.objects.filter(action__dossier=found).select_related("action"), pk=measure_pk
    )
    form = f.MeasurementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            measurement_record(
                measure=measure,
                value=form.cleaned_data["value"],
                measured_on=form.cleaned_data["measured_on"],
                comment=form.cleaned_data["comment"],
                by=_user(request),
            )
        except FollowupRefused as exc:
            _refused(request, exc.reasons)
        else:
            messages.success(request, "La valeur mesurée est enregistrée.")
            return redirect("followup:dossier", reference=found.reference)
    return render(
        request,
        "followup/form.html",
        {
            "dossier": found,
            "form": form,
            "measure": measure,
            "heading": f"Relevé de l'indicateur « {measure.indicator} »",
            "page_title": f"Relevé d'indicateur — {found.reference}",
            "breadcrumb_data": _breadcrumb("Relevé d'indicateur", found),
        },
    )


# -- reports --------------------------------------------------------------------------------------------------------
def _report_context(found: Dossier, report: Report) -> dict[str, Any]:
    context: dict[str, Any] = {"dossier": found, "report": report, "settlement": None, "settlement_error": ""}
    if report.is_final:
        lines = list(report.lines.all())
        variances = statement_variances(statement_lines(report), config=found.call.rules)
        context["lines"] = list(zip(lines, variances, strict=True))
        context["totals"] = report_totals(report)
        try:
            context["settlement"] = report_settlement(report)
        except FollowupRefused as exc:
            context["settlement_error"] = " ".join(r.message for r in exc.reasons)
    context["problems"] = report_submission_problems(report) if report.is_editable else []
    context["transitions"] = report.transitions.select_related("by")
    context["attachments"] = list(report.attachments.select_related("uploaded_by"))
    return context


@require_GET
def report(request: HttpRequest, reference: str, kind: str) -> HttpResponse:
    user = _user(request)
    found = _dossier(request, reference)
    report_kind = _kind(kind)
    existing = Report.objects.filter(dossier=found, kind=report_kind.value).first()
    if existing is None:
        if is_applicant_of(user, found) and found.state == DossierState.RETAINED.value:
            try:
                existing = report_open(dossier=found, kind=report_kind.value, by=user)
            except FollowupRefused as exc:
                _refused(request, exc.reasons)
                return redirect("followup:dossier", reference=found.reference)
        else:
            raise Http404("Ce bilan n'a pas encore été ouvert par le porteur.")
    context = _report_context(found, existing)
    context.update(
        {
            "is_applicant": is_applicant_of(user, found),
            "may_decide": is_instructor_of(user, found.departement_id) and existing.state == "remis",
            "decision_form": f.DecisionForm() if is_instructor_of(user, found.departement_id) else None,
            "page_title": f"{existing.kind_label} — {found.reference}",
            "breadcrumb_data": _breadcrumb(existing.kind_label, found),
        }
    )
    return render(request, "followup/report.html", context)


@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, reference: str, kind: str) -> HttpResponse:
    found = _applicant_dossier(request, reference)
    existing = get_object_or_404(Report.objects.filter(dossier=found), kind=_kind(kind).value)
    if not existing.is_editable:
        messages.error(request, f"Le bilan est « {existing.state_label} » : il n'est plus modifiable.")
        return redirect("followup:report", reference=found.reference, kind=existing.kind)
    form = f.ReportForm(request.POST or None, report=existing)
    if request.method == "POST" and form.is_valid():
        try:
            report_update(
                report=existing,
                qualitative_assessment=form.cleaned_data["qualitative_assessment"],
                lines=form.lines_input(),
                by=_user(request),
            )
        except FollowupRefused as exc:
            _refused(request, exc.reasons)
        else:
            messages.success(request, "Le bilan est enregistré.")
            return redirect("followup:report", reference=found.reference, kind=existing.kind)
    return render(
        request,
        "followup/report_edit.html",
        {
            "dossier": found,
            "report": existing,
            "form": form,
            "attachments": list(existing.attachments.select_related("uploaded_by")),
            "attachment_form": f.ReportAttachmentForm(),
            "page_title": f"Rédiger le {existing.kind_label.lower()} — {found.reference}",
            "breadcrumb_data": _breadcrumb(existing.kind_label, found),
        },
    )


@require_POST
def report_submit(request: HttpRequest, reference: str, kind: str) -> HttpResponse:
    found = _applicant_dossier(request, reference)
    existing = get_object_or_404(Report.objects.filter(dossier=found), kind=_kind(kind).value)
    try:
        services.report_submit(report=existing, by=_user(request))
    except FollowupRefused as exc:
        _refused(request, exc.reasons)
    else:
        messages.success(request, f"Le {existing.kind_label.lower()} est remis à la DDETS-PP.")
    return redirect("followup:report", reference=found.reference, kind=existing.kind)


@require_POST
def report_decide(request: HttpRequest, reference: str, kind: str) -> HttpResponse:
    user = _user(request)
    found = _dossier(request, reference)
    if not is_instructor_of(user, found.departement_id):
        raise PermissionDenied("Seule la DDETS-PP du département valide ou renvoie un bilan.")
    existing = get_object_or_404(Report.objects.filter(dossier=found), kind=_kind(kind).value)
    form = f.DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("followup:report", reference=found.reference, kind=existing.kind)
    try:
        if form.cleaned_data["decision"] == f.DecisionForm.RETURN:
            report_return(report=existing, motivation=form.cleaned_data["motivation"], by=user)
            messages.success(request, "Le bilan est renvoyé au porteur, avec votre motivation.")
        else:
            outcome = report_validate(
                report=existing, by=user, reversal_reference=form.cleaned_data["reversal_reference"]
            )
            messages.success(request, _validated_message(outcome))
    except FollowupRefused as exc:
        _refused(request, exc.reasons)
    return redirect("followup:report", reference=found.reference, kind=existing.kind)


def _validated_message(outcome: ValidationOutcome) -> str:
    if outcome.balance_requested and outcome.settlement is not None:
        return (
            f"Bilan final validé : mise en paiement du solde de {euros(outcome.settlement.balance_due)} demandée. "
            "Enregistrez le versement sur la convention une fois effectué : il soldera la convention et le dossier."
        )
    if outcome.reversal is not None:
        return f"Bilan final validé : reversement de {euros(outcome.reversal.amount)} enregistré, dossier soldé."
    if outcome.report.is_final:
        return "Bilan final validé : rien à verser ni à reverser, dossier soldé."
    return "Le bilan intermédiaire est validé."


# -- consolidated view ----------------------------------------------------------------------------------------------
def _consolidated_dossiers(user: User, call: Call | None) -> QuerySet[Dossier]:
    # Figures are per call, or over the real calls only: a demonstration call is never added to real ones.
    dossiers = followed_dossiers_visible_to(user)
    return dossiers.filter(call__is_demo=False) if call is None else dossiers.filter(call=call)


def _consolidated_scope(user: User, call: Call | None) -> str:
    """What the consolidated figures of ``user`` depend on besides the facts: the dossiers it may see (a DDETS-PP its
    département's, the DREETS and the administrators the region's), whether the envelope shows, the call filter."""
    territory = f"departement-{user.departement_id}" if user.role == Role.INSTRUCTOR else "region"
    return f"{territory}:call-{call.pk if call is not None else 'real'}"


def _consolidation(user: User, call: Call | None) -> Consolidation:
    dossiers = _consolidated_dossiers(user, call)
    calls = [call] if call is not None else list(Call.objects.filter(pk__in=dossiers.values("call_id"), is_demo=False))
    return consolidation(dossiers=dossiers, calls=calls, show_envelope=user.role != Role.INSTRUCTOR)


def _consolidated_figures(user: User, call: Call | None) -> dict[str, Any]:
    """The number of projects and the tables of the figures, rendered: what is kept for the facts' state."""
    data = _consolidation(user, call)
    figures = render_to_string("followup/_consolidated_figures.html", {"data": data})
    return {"dossier_count": data.dossier_count, "figures": figures}


def _consolidated_filter(form: f.ConsolidatedFilterForm, call: Call | None, token: str) -> Any:
    """The filter, rendered: it lists the calls (facts too) and shows the chosen one, so it is kept like the figures
    for each choice written as the form writes it; rendered anew with errors or another spelling of a choice."""
    chosen = form.data.get("call", "") if form.is_bound else None
    if form.errors or chosen not in (None, "", str(call.pk) if call is not None else ""):
        return form
    return kept_for_facts(f"filter:{'-' if chosen is None else chosen}", form.render, token=token)


@require_GET
def consolidated(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.role not in CONSOLIDATED_ROLES:
        raise Http404("La vue consolidée est réservée à la DREETS et aux DDETS-PP.")
    form = f.ConsolidatedFilterForm(request.GET or None)
    call = form.cleaned_data.get("call") if form.is_valid() else None
    token = current_token()  # read before anything is computed (ADR 0051)
    kept = kept_for_facts(_consolidated_scope(user, call), partial(_consolidated_figures, user, call), token=token)
    filter_form = _consolidated_filter(form, call, token)
    scope = f"DDETS-PP — {user.departement}" if user.role == Role.INSTRUCTOR else "Région Occitanie"
    return render(
        request,
        "followup/consolidated.html",
        {
            "filter_form": filter_form,
            "kept": kept,
            "call": call,
            "scope": scope,
            "page_title": "Vue consolidée du suivi",
            "breadcrumb_data": _breadcrumb("Vue consolidée"),
        },
    )
