"""Staff accounts in the product (issue 10): the DREETS creates and deactivates instructors and jury members, seats
a jury member on a committee session and resets a lost second factor; an instructor sees who else instructs its
département. Every change is listed from the journal (``StaffChange``)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pactes.accounts.models import Role
from pactes.accounts.permissions import can_manage_account, can_manage_staff, can_see_staff_list
from pactes.accounts.two_factor import second_factor_reset
from pactes.committee.jury import jury_member_invite, jury_member_seat
from pactes.staff.services import (
    StaffRefused,
    staff_changes_visible_to,
    staff_deactivate,
    staff_invite,
    staff_reactivate,
    staff_visible_to,
)

from .forms import NewInstructorForm, NewJuryMemberForm, SeatJuryMemberForm

INDEX_LINK = {"url": "/agents/", "title": "Comptes des agents"}


def _page(title: str, *, links: tuple[dict[str, str], ...] = ()) -> dict[str, object]:
    return {"page_title": title, "breadcrumb_data": {"links": list(links), "current": title}}


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_see_staff_list(user):
        raise Http404
    accounts = list(staff_visible_to(user))
    managing = can_manage_staff(user)
    title = "Comptes des agents" if managing else f"Instructeurs du département {user.departement}"
    return render(
        request,
        "staff/index.html",
        {
            **_page(title),
            "managing": managing,
            "instructors": [a for a in accounts if a.role == Role.INSTRUCTOR],
            "jury": [a for a in accounts if a.role == Role.JURY],
            "changes": staff_changes_visible_to(user)[:200],
            "seat_form": SeatJuryMemberForm() if managing else None,
        },
    )


def _new(request: HttpRequest, *, form_class: type, role: Role, title: str) -> HttpResponse:
    if not can_manage_staff(request.user):
        raise Http404
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if role == Role.JURY:
                account = jury_member_invite(
                    by=request.user,
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    session=data.get("session"),
                    site_url=_site_url(request),
                )
            else:
                account = staff_invite(
                    by=request.user,
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    role=role,
                    departement=data["departement"],
                    site_url=_site_url(request),
                )
        except StaffRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request, f"Compte créé pour {account.email} : une invitation lui a été envoyée par courriel."
            )
            return redirect("staff:index")
    return render(request, "staff/new.html", {**_page(title, links=(INDEX_LINK,)), "form": form})


def new_instructor(request: HttpRequest) -> HttpResponse:
    return _new(request, form_class=NewInstructorForm, role=Role.INSTRUCTOR, title="Nouvel instructeur DDETS-PP")


def new_jury_member(request: HttpRequest) -> HttpResponse:
    return _new(request, form_class=NewJuryMemberForm, role=Role.JURY, title="Nouveau membre du jury")


def _managed_account(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    account = get_object_or_404(staff_visible_to(request.user), pk=pk)
    if not can_manage_account(request.user, account):
        raise Http404
    return account


@require_POST
def deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = staff_deactivate(by=request.user, user=_managed_account(request, pk))
    messages.success(request, f"Le compte {account.email} est désactivé : il ne peut plus se connecter.")
    return redirect("staff:index")


@require_POST
def reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = staff_reactivate(by=request.user, user=_managed_account(request, pk))
    messages.success(request, f"Le compte {account.email} est réactivé.")
    return redirect("staff:index")


@require_POST
def reset_second_factor(request: HttpRequest, pk: int) -> HttpResponse:
    account = _managed_account(request, pk)
    second_factor_reset(user=account, by=request.user)
    messages.success(
        request,
        f"La double authentification de {account.email} est réinitialisée : "
        "la personne en configurera une nouvelle à sa prochaine connexion.",
    )
    return redirect("staff:index")


@require_POST
def seat(request: HttpRequest, pk: int) -> HttpResponse:
    account = _managed_account(request, pk)
    form = SeatJuryMemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez une séance du comité non close.")
        return redirect("staff:index")
    try:
        jury_member_seat(by=request.user, session=form.cleaned_data["session"], user=account)
    except StaffRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"{account} siégera à la séance choisie.")
    return redirect("staff:index")
