"""The regional committee's pages: sessions, agenda with the regional envelope, decisions, closing, documents.

Sessions are fetched through ``sessions_visible_to`` and dossiers through ``dossiers_visible_to`` (404 outside
the scope); a member who sees a session but may not act on it (a jury member) gets 403 on the acts, which only
the DREETS performs.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pactes.accounts.models import Role, User
from pactes.calls.models import Call
from pactes.committee.agenda import agenda_groups_of, session_agenda
from pactes.committee.kept import (
    kept_departements_html,
    kept_envelope,
    kept_envelope_html,
    kept_outline,
    kept_rows,
    kept_undecided,
)
from pactes.committee.models import Attendance, CommitteeSession
from pactes.committee.selectors import (
    envelope_for_session,
    is_jury_member_of,
    session_agenda_dossiers,
    session_documents_status,
    sessions_visible_to,
)
from pactes.committee.services import (
    CommitteeRefused,
    attendance_set,
    closing_problems,
    quorum_problems,
    session_close,
    session_create,
    session_documents_relaunch,
    session_open,
    session_update,
)
from pactes.core.facts_version import KEPT_SECONDS, current_token
from pactes.dossiers.models import Dossier
from pactes.dossiers.selectors import dossiers_visible_to
from pactes.rules.committee_session import OPENING_DAY, SESSION_DATE, held_on_its_date
from pactes.rules.formatting import date_short
from pactes.rules.verdict import Reason

from . import forms as f
from .agenda import agenda_groups

DASHBOARD = "/espace/"
CLOSING_PROBLEMS_LISTED = 10  # undecided dossiers named on the session's page; the others are counted
AMOUNT_CODES = {"AWARD_MISSING", "AWARD_OVER_CAP", "AWARD_OVER_REQUESTED", "ENVELOPE_EXCEEDED", "ENVELOPE_NOT_SET"}


# -- helpers -------------------------------------------------------------------------------------------------------
def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _sessions(request: HttpRequest) -> QuerySet[CommitteeSession]:
    user = _user(request)
    if user.role not in (Role.DREETS, Role.ADMIN, Role.JURY):
        raise Http404("Le comité régional réunit la DREETS et les membres du jury.")
    return sessions_visible_to(user)


def _session(request: HttpRequest, pk: int) -> CommitteeSession:
    return get_object_or_404(_sessions(request), pk=pk)


def _dreets(request: HttpRequest) -> User:
    user = _user(request)
    if not user.is_dreets:
        raise PermissionDenied("Seule la DREETS organise les séances et enregistre les décisions.")
    return user


def _agenda_dossier(request: HttpRequest, session: CommitteeSession, reference: str) -> Dossier:
    return get_object_or_404(
        dossiers_visible_to(_user(request))
        .filter(pk__in=session_agenda_dossiers(session).values("pk"))
        .select_related("call", "organisation", "departement"),
        reference=reference,
    )


def _refused(request: HttpRequest, reasons: list[Reason]) -> None:
    for reason in reasons:
        messages.error(request, reason.message)


def _breadcrumb(current: str, session: CommitteeSession | None = None) -> dict[str, Any]:
    links = [{"url": DASHBOARD, "title": "Mon espace"}, {"url": reverse("committee:index"), "title": "Comité régional"}]
    if session is not None:
        links.append(
            {"url": reverse("committee:detail", args=[session.pk]), "title": f"Séance du {date_short(session.date)}"}
        )
    return {"links": links, "current": current}


def _session_title(session: CommitteeSession) -> str:
    return f"Séance du comité régional du {date_short(session.date)}"


# -- sessions ------------------------------------------------------------------------------------------------------
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    sessions = list(_sessions(request).prefetch_related("attendances"))
    return render(
        request,
        "committee/index.html",
        {
            "page_title": "Comité régional",
            "call": None,
            "sessions": sessions,
            "can_manage": _user(request).is_dreets,
            "breadcrumb_data": {"links": [{"url": DASHBOARD, "title": "Mon espace"}], "current": "Comité régional"},
        },
    )


def _default_call() -> Call | None:
    return Call.objects.filter(is_demo=False).first() or Call.objects.first()


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    _sessions(request)
    user = _dreets(request)
    call = _default_call()
    form = f.SessionForm(
        request.POST or None,
        initial={"call": call, "chair": call.rules.committee_chair if call else "", "place": ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = session_create(
                call=data["call"],
                date=data["date"],
                place=data["place"],
                chair=data["chair"],
                members=data["members"],
                by=user,
            )
        except CommitteeRefused as exc:
            _refused(request, exc.reasons)
        else:
            messages.success(request, "La séance est planifiée. Ouvrez-la le jour du comité.")
            return redirect("committee:detail", pk=session.pk)
    return render(
        request,
        "committee/session_form.html",
        {
            "page_title": "Planifier une séance du comité",
            "call": None,
            "form": form,
            "chairs": {str(c.pk): c.rules.committee_chair for c in Call.objects.all()},
            "breadcrumb_data": _breadcrumb("Planifier une séance"),
        },
    )


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    user = _dreets(request)
    if session.is_closed:
        messages.error(request, "La séance est close : elle ne se modifie plus.")
        return redirect("committee:detail", pk=session.pk)
    initial = {
        "date": session.date,
        "place": session.place,
        "chair": session.chair,
        "members": list(session.members.all()),
    }
    form = f.SessionForm(request.POST or None, initial=initial, with_call=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session_update(
                session=session,
                date=data["date"],
                place=data["place"],
                chair=data["chair"],
                members=data["members"],
                by=user,
            )
        except CommitteeRefused as exc:
            _refused(request, exc.reasons)
        else:
            messages.success(request, "La séance est modifiée.")
            return redirect("committee:detail", pk=session.pk)
    return render(
        request,
        "committee/session_form.html",
        {
            "page_title": f"Modifier la {_session_title(session).lower()}",
            "call": session.call,
            "form": form,
            "session": session,
            "breadcrumb_data": _breadcrumb("Modifier", session),
        },
    )


ATTENDANCE_FORM_KEPT = "pactes:committee:attendance-form:v1"


def _attendance_form_html(session: CommitteeSession, attendances: list[Attendance]) -> SafeString:
    """The attendance form, unbound: rendered from the session's members (their names, e-mails, roles) and who is
    present, all read already; kept under a key that names them (ADR 0055), rendered again when one changes."""
    content = repr(
        sorted(
            (a.user.last_name, a.user.first_name, a.user.email, a.user.role, a.user_id, a.is_present)
            for a in attendances
        )
    )
    key = f"{ATTENDANCE_FORM_KEPT}:session-{session.pk}:{hashlib.sha256(content.encode()).hexdigest()}"
    written = cache.get(key)
    if written is None:
        form = f.AttendanceForm(session=session, initial={"present": [a.user for a in attendances if a.is_present]})
        written = form.render()
        cache.set(key, written, timeout=KEPT_SECONDS)
    return written  # type: ignore[no-any-return]


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    user = _user(request)
    attendances = list(session.attendances.select_related("user"))
    present = sum(1 for a in attendances if a.is_present)
    can_manage = user.is_dreets and not session.is_closed
    is_jury = is_jury_member_of(user, session, members=[a.user_id for a in attendances])
    # The figures of the whole agenda and of the call, kept for the facts' version (ADR 0055): read before them.
    token = current_token()
    envelope = kept_envelope(session=session, token=token)
    agenda = session_agenda(
        session=session,
        user=user,
        departement=request.GET.get("departement", "")[:3],
        page=request.GET.get("page"),
        outline=kept_outline(session=session, user=user, token=token),
        read_rows=False,
    )
    can_decide = can_manage and session.is_open
    groups = kept_rows(
        session=session,
        user=user,
        agenda=agenda,
        is_jury=is_jury,
        can_decide=can_decide,
        token=token,
        write=lambda: agenda_groups(
            agenda_groups_of(
                session=session, user=user, ids=agenda.ids, totals={t.code: t for t in agenda.departements}
            ),
            session=session,
            is_jury=is_jury,
            can_decide=can_decide,
        ),
    )
    return render(
        request,
        "committee/detail.html",
        {
            "page_title": _session_title(session),
            "call": session.call,
            "session": session,
            "rules": session.call.rules,
            "agenda": agenda,
            "groups": groups,
            "envelope_html": kept_envelope_html(
                session=session,
                token=token,
                write=lambda: render_to_string("committee/_envelope.html", {"session": session, "envelope": envelope}),
            ),
            "departements_html": kept_departements_html(
                session=session,
                user=user,
                agenda=agenda,
                token=token,
                write=lambda: render_to_string("committee/_agenda_departements.html", {"agenda": agenda}),
            ),
            "envelope": envelope,
            "documents": session_documents_status(session) if session.is_closed else None,
            "attendances": attendances,
            "present": present,
            "quorum": session.quorum if session.is_closed and session.quorum else session.call.rules.quorum,
            "quorum_problems": [] if session.is_closed else quorum_problems(session, present=present),
            "closing_problems": closing_problems(
                session,
                listed=CLOSING_PROBLEMS_LISTED,
                present=present,
                envelope=envelope,
                undecided=kept_undecided(session=session, listed=CLOSING_PROBLEMS_LISTED, token=token),
            )
            if session.is_open
            else [],
            "attendance_form": _attendance_form_html(session, attendances) if can_manage else None,
            "can_manage": can_manage,
            "is_dreets": user.is_dreets,
            "is_jury": is_jury,
            "opening_problems": held_on_its_date(
                {SESSION_DATE: session.date, OPENING_DAY: timezone.localdate(timezone=session.call.rules.timezone)}
            )
            if session.is_planned
            else [],
            "breadcrumb_data": _breadcrumb(f"Séance du {date_short(session.date)}"),
        },
    )


@require_GET
def envelope(request: HttpRequest, pk: int) -> HttpResponse:
    """The envelope block alone, for a page that refreshes it without reloading."""
    session = _session(request, pk)
    return render(
        request,
        "committee/_envelope.html",
        {"session": session, "envelope": envelope_for_session(session), "rules": session.call.rules},
    )


@require_POST
def open_session(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    try:
        session_open(session=session, by=_dreets(request))
    except CommitteeRefused as exc:
        _refused(request, exc.reasons)
    else:
        messages.success(request, "La séance est ouverte : cochez les présences, puis enregistrez les décisions.")
    return redirect("committee:detail", pk=session.pk)


@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    user = _dreets(request)
    form = f.AttendanceForm(request.POST, session=session)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("committee:detail", pk=session.pk)
    try:
        attendance_set(session=session, present=form.cleaned_data["present"], by=user)
    except CommitteeRefused as exc:
        _refused(request, exc.reasons)
    else:
        messages.success(request, "La liste de présence est enregistrée.")
    return redirect("committee:detail", pk=session.pk)


@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    try:
        session_close(session=session, by=_dreets(request))
    except CommitteeRefused as exc:
        messages.error(request, "La séance ne peut pas être close :")
        _refused(request, exc.reasons)
    else:
        messages.success(
            request,
            "La séance est close : les décisions sont appliquées aux dossiers. Le procès-verbal et les lettres de "
            "décision sont en cours de préparation ; chaque lettre est envoyée à son porteur dès qu'elle est prête.",
        )
    return redirect("committee:detail", pk=session.pk)


@require_POST
def documents_relaunch(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    try:
        missing = session_documents_relaunch(session=session, by=_dreets(request))
    except CommitteeRefused as exc:
        _refused(request, exc.reasons)
    else:
        if missing:
            messages.success(request, "La préparation des documents manquants est relancée.")
        else:
            messages.info(request, "Le procès-verbal et toutes les lettres de décision sont prêts : rien à relancer.")
    return redirect("committee:detail", pk=session.pk)
