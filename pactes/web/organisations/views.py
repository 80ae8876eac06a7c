"""Organisation pages of an applicant: my organisations and the requests to decide, adding one by its SIRET (looked
up in SIRENE), asking to join one already on Pactes, an organisation's members (leave, name an administrator).

Every organisation page is scoped by membership (``organisations_of``): a requester whose request is pending, and
anyone else, gets a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pactes.accounts.models import User
from pactes.calls.selectors import calls_public
from pactes.organisations.models import Organisation
from pactes.organisations.selectors import membership_of, organisations_of, own_requests, pending_requests_for
from pactes.organisations.services import (
    MembershipRefused,
    OrganisationData,
    admin_name,
    join_request_create,
    join_request_decide,
    lookup_problem,
    membership_leave,
    organisation_register,
)
from pactes.organisations.sirene import establishment_lookup
from pactes.territories.models import Departement

from .forms import JoinForm, LeaveForm, NameAdminForm, OrganisationForm, SiretForm

INDEX_TITLE = "Mes organisations"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not user.is_applicant:
        raise Http404("Seuls les porteurs de projet ont des organisations.")
    return user


def _page(title: str, *, parent: bool = True) -> dict[str, Any]:
    links = [{"url": reverse("core:dashboard"), "title": "Mon espace"}]
    if parent:
        links.append({"url": reverse("organisations:index"), "title": INDEX_TITLE})
    return {"page_title": title, "breadcrumb_data": {"links": links, "current": title}}


def _kinds() -> list[tuple[str, str]]:
    """The carrier kinds of the calls open today (of every public call when none is open)."""
    now = timezone.now()
    calls = list(calls_public())
    open_calls = [c for c in calls if c.rules.is_filing_open(now)] or calls
    kinds: dict[str, str] = {}
    for call in open_calls:
        kinds.update({k.code: k.label for k in call.rules.carrier_kinds})
    return list(kinds.items())


def _departements() -> list[tuple[str, str]]:
    return [(d.code, str(d)) for d in Departement.objects.order_by("code")]


def _requests_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("organisations:requests"))


def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {
        **_page(INDEX_TITLE, parent=False),
        "organisations": list(organisations_of(user)),
        "pending": list(pending_requests_for(user)),
        "own_requests": list(own_requests(user)),
    }
    return render(request, "organisations/index.html", context)


def requests_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {**_page("Demandes d'adhésion"), "pending": list(pending_requests_for(user))}
    return render(request, "organisations/requests.html", context)


def add(request: HttpRequest) -> HttpResponse:
    """Step 1: the SIRET, checked then looked up; step 2 (``create``): the form filled from SIRENE."""
    user = _user(request)
    form = SiretForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        siret = form.cleaned_data["siret"]
        if Organisation.objects.filter(siret=siret).exists():
            return redirect(f"{reverse('organisations:join')}?siret={siret}")
        lookup = establishment_lookup(siret)
        if problem := lookup_problem(lookup):
            form.add_error("siret", problem)
        else:
            kinds = _kinds()
            org_form = OrganisationForm(
                initial=OrganisationForm.initial_from(siret, lookup.establishment, kinds),
                kinds=kinds,
                departements=_departements(),
            )
            return _render_create(request, org_form, lookup.is_unavailable, siret)
    return render(
        request,
        "organisations/add.html",
        {**_page("Ajouter mon organisation"), "form": form, "confirmed": user.email_is_confirmed},
    )


def _render_create(request: HttpRequest, form: OrganisationForm, unavailable: bool, siret: str) -> HttpResponse:
    context = {**_page("Ajouter mon organisation"), "form": form, "unavailable": unavailable, "siret": siret}
    return render(request, "organisations/create.html", context)


@require_POST
def create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    siret_form = SiretForm({"siret": request.POST.get("siret", "")})
    if not siret_form.is_valid():
        messages.error(request, " ".join(siret_form.errors.get("siret", [])) or "SIRET invalide.")
        return redirect("organisations:add")
    siret = siret_form.cleaned_data["siret"]
    kinds = _kinds()
    form = OrganisationForm(request.POST, kinds=kinds, departements=_departements())
    lookup = establishment_lookup(siret)
    if form.is_valid():
        data = form.cleaned_data
        try:
            organisation = organisation_register(
                data=OrganisationData(
                    siret=siret,
                    name=data["name"],
                    kind=data["kind"],
                    legal_category=data["legal_category"],
                    address=data["address"],
                    departement=Departement.objects.filter(code=data["departement"]).first(),
                ),
                lookup=lookup,
                by=user,
            )
        except MembershipRefused as exc:
            form.add_error(None, str(exc))
        else:
            state = "vérifiée dans le répertoire SIRENE" if organisation.is_verified else "enregistrée (non vérifiée)"
            messages.success(
                request, f"L'organisation {organisation.name} est {state} ; vous en êtes l'administrateur."
            )
            return redirect("organisations:detail", pk=organisation.pk)
    return _render_create(request, form, lookup.is_unavailable, siret)


def join(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    siret_form = SiretForm({"siret": request.GET.get("siret", "")})
    if not siret_form.is_valid():
        return redirect("organisations:add")
    organisation = get_object_or_404(Organisation, siret=siret_form.cleaned_data["siret"])
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            join_request_create(
                organisation=organisation,
                by=user,
                message=form.cleaned_data["message"],
                link=lambda _request: _requests_url(request),
            )
        except MembershipRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Votre demande est envoyée aux membres de {organisation.name} : vous recevrez un courriel dès que "
                "l'un d'eux y aura répondu.",
            )
            return redirect("organisations:index")
    context = {**_page("Rejoindre une organisation"), "form": form, "organisation": organisation}
    return render(request, "organisations/join.html", context)


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    found = pending_requests_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404("Demande introuvable.")
    approve = request.POST.get("decision") == "accepter"
    try:
        decided = join_request_decide(
            request_id=found.pk,
            by=user,
            approve=approve,
            link=request.build_absolute_uri(reverse("organisations:index")),
        )
    except MembershipRefused as exc:
        messages.error(request, str(exc))
    else:
        verb = "acceptée" if approve else "refusée"
        messages.success(request, f"La demande de {decided.user.get_full_name()} est {verb}.")
    return redirect("organisations:requests")


def _member_choices(organisation: Organisation, *, excluding: User) -> list[tuple[str, str]]:
    return [
        (str(m.user_id), f"{m.user} ({m.user.email})")
        for m in organisation.memberships.select_related("user").order_by("pk")
        if m.user_id != excluding.pk
    ]


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    organisation = get_object_or_404(organisations_of(user), pk=pk)
    mine = membership_of(user, organisation)
    others = _member_choices(organisation, excluding=user)
    context = {
        **_page(organisation.name),
        "organisation": organisation,
        "membership": mine,
        "memberships": list(organisation.memberships.select_related("user").order_by("pk")),
        "pending": list(pending_requests_for(user).filter(organisation=organisation)),
        "leave_form": LeaveForm(members=others),
        "admin_form": NameAdminForm(members=others) if mine and mine.is_admin and others else None,
    }
    return render(request, "organisations/detail.html", context)


@require_POST
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    organisation = get_object_or_404(organisations_of(user), pk=pk)
    form = LeaveForm(request.POST, members=_member_choices(organisation, excluding=user))
    successor = None
    if form.is_valid() and form.cleaned_data["successor"]:
        successor = User.objects.filter(pk=form.cleaned_data["successor"]).first()
    if not form.is_valid():
        messages.error(request, "Choisissez un membre de l'organisation dans la liste.")
        return redirect("organisations:detail", pk=organisation.pk)
    try:
        membership_leave(organisation=organisation, by=user, successor=successor)
    except MembershipRefused as exc:
        messages.error(request, str(exc))
        return redirect("organisations:detail", pk=organisation.pk)
    messages.success(request, f"Vous avez quitté {organisation.name}.")
    return redirect("organisations:index")


@require_POST
def name_admin(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    organisation = get_object_or_404(organisations_of(user), pk=pk)
    form = NameAdminForm(request.POST, members=_member_choices(organisation, excluding=user))
    if not form.is_valid():
        messages.error(request, "Choisissez un membre de l'organisation dans la liste.")
    else:
        member = User.objects.get(pk=form.cleaned_data["member"])
        try:
            admin_name(organisation=organisation, member=member, by=user)
        except MembershipRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{member} est désormais administrateur de {organisation.name}.")
    return redirect("organisations:detail", pk=organisation.pk)
