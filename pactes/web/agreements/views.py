"""The convention pages: list of retained projects (engagement, payments, alerts), a convention's page (documents,
signatures, engagement, payments, history) and its acts. Every dossier is fetched through ``dossiers_visible_to``
(404 outside the scope); an applicant sees its convention only once sent, and acts only on the signed scan.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from pactes.accounts.models import Role, User
from pactes.agreements.models import Agreement
from pactes.agreements.selectors import (
    STAFF_ROLES,
    agreement_engagement_alert,
    agreement_for_page,
    agreement_history,
    agreement_list,
    agreement_rows,
    agreements_visible_to,
    engagement_alert_count,
    payment_summary,
    payments_of,
    retained_dossier_for_page,
    retained_dossiers_visible_to,
    with_page_data,
)
from pactes.agreements.services import (
    AgreementRefused,
    agreement_commitment_set,
    agreement_generate,
    agreement_signed_scan_upload,
    agreement_transition,
    payment_record,
    retained_decision,
    today_for,
)
from pactes.dossiers.models import Dossier
from pactes.rules.agreement import AgreementState, agreement_transitions_from
from pactes.rules.formatting import date_short
from pactes.rules.money import euros
from pactes.rules.verdict import Reason
from pactes.web.evidence.files import evidence_file_response

from . import forms as f

DASHBOARD = "/espace/"
PER_PAGE = 50  # rows of the convention list per page
DOCUMENTS = {
    "pdf": ("pdf_file", "application/pdf", "convention-{ref}.pdf"),
    "docx": (
        "docx_file",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "convention-{ref}.docx",
    ),
    "signee": ("signed_scan", "application/pdf", "convention-signee-porteur-{ref}.pdf"),
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _staff(request: HttpRequest) -> User:
    user = _user(request)
    if user.role not in (Role.INSTRUCTOR, Role.DREETS):
        raise PermissionDenied("Seules la DDETS-PP et la DREETS agissent sur l'engagement et les versements.")
    return user


def _dossier_and_agreement(
    request: HttpRequest, dossier_id: int, *, for_page: bool = False
) -> tuple[Dossier, Agreement | None]:
    """The dossier in the user's scope and its convention; 404 when the user may not see them. ``for_page``: with
    what the convention's page reads of it (its model's number, its payments with who recorded them)."""
    user = _user(request)
    if user.role in STAFF_ROLES and for_page:
        found = retained_dossier_for_page(user, dossier_id)
        if found is None:
            raise Http404("Ce dossier n'est pas dans votre périmètre.")
        return found, agreement_for_page(found)
    if user.role in STAFF_ROLES:
        dossier = get_object_or_404(
            retained_dossiers_visible_to(user).select_related("call", "organisation", "departement"), pk=dossier_id
        )
        agreements = Agreement.objects.filter(dossier=dossier).order_by("pk")  # one at most: no join to sort them
        agreement = (with_page_data(agreements) if for_page else agreements).first()
        if agreement is not None:
            agreement.dossier = dossier  # the instance already read (call, organisation), not a second query
        return dossier, agreement
    agreements = agreements_visible_to(user).select_related(
        "dossier__call", "dossier__organisation", "dossier__departement"
    )
    agreement = get_object_or_404(with_page_data(agreements) if for_page else agreements, dossier_id=dossier_id)
    return agreement.dossier, agreement


def _agreement(request: HttpRequest, dossier_id: int) -> Agreement:
    _, agreement = _dossier_and_agreement(request, dossier_id)
    if agreement is None:
        raise Http404("La convention n'est pas encore établie.")
    return agreement


def _refused(request: HttpRequest, reasons: list[Reason]) -> None:
    for reason in reasons:
        messages.error(request, reason.message)


def _back(dossier_id: int) -> HttpResponse:
    return redirect("agreements:detail", dossier_id=dossier_id)


# -- pages ---------------------------------------------------------------------------------------------------------
@require_GET
def agreement_index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.role not in STAFF_ROLES:
        raise Http404("La liste des conventions est réservée aux services de l'État.")
    page = Paginator(agreement_list(user), PER_PAGE).get_page(request.GET.get("page"))
    page.pages_list = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))  # type: ignore[attr-defined]
    return render(
        request,
        "agreements/index.html",
        {
            "page_title": "Conventions, engagements et versements",
            "rows": agreement_rows(user, dossiers=page.object_list),
            "page_obj": page,
            "alert_count": engagement_alert_count(user),
            "breadcrumb_data": {"links": [{"url": DASHBOARD, "title": "Mon espace"}], "current": "Conventions"},
        },
    )


@require_GET
def agreement_detail(request: HttpRequest, dossier_id: int) -> HttpResponse:
    user = _user(request)
    dossier, agreement = _dossier_and_agreement(request, dossier_id, for_page=True)
    is_staff = user.role in (Role.INSTRUCTOR, Role.DREETS)
    context: dict[str, Any] = {
        "page_title": f"Convention du dossier {dossier.reference}",
        "dossier": dossier,
        "agreement": agreement,
        "is_staff": is_staff,
        # Shown only while no convention exists.
        "decision": retained_decision(dossier) if agreement is None else None,
        "alerts": agreement_engagement_alert(dossier, agreement) if user.role in STAFF_ROLES else [],
        "breadcrumb_data": {
            "links": [{"url": DASHBOARD, "title": "Mon espace"}]
            + ([{"url": reverse("agreements:index"), "title": "Conventions"}] if user.role in STAFF_ROLES else []),
            "current": f"Convention {dossier.reference}",
        },
    }
    if agreement is not None:
        transitions = [
            t
            for t in agreement_transitions_from(agreement.state, user.role)
            if t.code not in ("upload_applicant_signature", "settle")  # settled by the payment of the balance
        ]
        schedule = [(s.code, s.label) for s in dossier.call.rules.agreements.payment_schedule]
        today = today_for(dossier.call)
        can_upload_scan = agreement.state == "envoyee" and user.role in (Role.APPLICANT, Role.INSTRUCTOR)
        context.update(
            {
                "transitions": [(t, f.unbound_html(f.TransitionForm(prefix=t.code))) for t in transitions],
                "can_upload_scan": can_upload_scan,
                "scan_form": f.unbound_html(f.SignedScanForm()) if can_upload_scan else "",
                "commitment_form": f.unbound_html(
                    f.CommitmentForm(
                        initial={"number": agreement.commitment_number, "date": agreement.commitment_date or today}
                    )
                )
                if is_staff
                else None,
                "payment_form": f.unbound_html(f.PaymentForm(steps=schedule, initial={"paid_on": today}))
                if is_staff and agreement.state == AgreementState.SIGNED.value
                else None,
                "summary": payment_summary(agreement),
                "payments": payments_of(agreement),
                "history": agreement_history(agreement),
            }
        )
    return render(request, "agreements/detail.html", context)


@require_GET
def agreement_download(request: HttpRequest, dossier_id: int, kind: str) -> HttpResponse:
    agreement = _agreement(request, dossier_id)
    if kind not in DOCUMENTS:
        raise Http404("Ce document n'existe pas.")
    field_name, content_type, filename = DOCUMENTS[kind]
    return evidence_file_response(
        request,
        getattr(agreement, field_name),
        filename=filename.format(ref=agreement.dossier.reference),
        content_type=content_type,
        document="agreement",
        dossier_id=agreement.dossier_id,
        object_ref=f"convention {agreement.pk} ({kind})",
        expected_sha256=agreement.signed_scan_sha256 if field_name == "signed_scan" else "",
    )


# -- acts ----------------------------------------------------------------------------------------------------------
@require_POST
def agreement_generate_view(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier, _ = _dossier_and_agreement(request, dossier_id)
    user = _staff(request)
    try:
        agreement_generate(dossier=dossier, by=user)
    except AgreementRefused as exc:
        _refused(request, exc.reasons)
    else:
        messages.success(request, "La convention est générée (PDF et document modifiable DOCX).")
    return _back(dossier_id)


@require_POST
def agreement_transition_view(request: HttpRequest, dossier_id: int, transition: str) -> HttpResponse:
    agreement = _agreement(request, dossier_id)
    form = f.TransitionForm(request.POST, prefix=transition)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(dossier_id)
    try:
        agreement_transition(
            agreement=agreement,
            transition=transition,
            by=_user(request),
            reason=form.cleaned_data["reason"],
            on=form.cleaned_data["on"],
        )
    except AgreementRefused as exc:
        _refused(request, exc.reasons)
    else:
        messages.success(request, f"Convention : « {agreement.state_label} ».")
    return _back(dossier_id)


@require_POST
def agreement_signed_scan_view(request: HttpRequest, dossier_id: int) -> HttpResponse:
    agreement = _agreement(request, dossier_id)
    form = f.SignedScanForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(dossier_id)
    upload = form.cleaned_data["file"]
    try:
        agreement_signed_scan_upload(
            agreement=agreement,
            name=upload.name,
            stream=upload,
            by=_user(request),
            signed_on=form.cleaned_data["signed_on"],
        )
    except AgreementRefused as exc:
        _refused(request, exc.reasons)
    else:
        messages.success(request, "La convention signée par le porteur est déposée.")
    return _back(dossier_id)


@require_POST
def agreement_commitment_view(request: HttpRequest, dossier_id: int) -> HttpResponse:
    agreement = _agreement(request, dossier_id)
    user = _staff(request)
    form = f.CommitmentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(dossier_id)
    try:
        agreement_commitment_set(
            agreement=agreement, number=form.cleaned_data["number"], date=form.cleaned_data["date"], by=user
        )
    except AgreementRefused as exc:
        _refused(request, exc.reasons)
    else:
        messages.success(request, f"Engagement juridique n° {agreement.commitment_number} enregistré.")
    return _back(dossier_id)


@require_POST
def agreement_payment_view(request: HttpRequest, dossier_id: int) -> HttpResponse:
    agreement = _agreement(request, dossier_id)
    user = _staff(request)
    steps = [(s.code, s.label) for s in agreement.dossier.call.rules.agreements.payment_schedule]
    form = f.PaymentForm(request.POST, steps=steps)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(dossier_id)
    data = form.cleaned_data
    try:
        payment = payment_record(
            agreement=agreement,
            amount=data["amount"],
            paid_on=data["paid_on"],
            reference=data["reference"],
            by=user,
            declared_year=data["accounting_year"],
            step_code=data["step_code"],
        )
    except AgreementRefused as exc:
        _refused(request, exc.reasons)
    else:
        messages.success(request, f"Versement de {euros(payment.amount)} du {date_short(payment.paid_on)} enregistré.")
    return _back(dossier_id)
