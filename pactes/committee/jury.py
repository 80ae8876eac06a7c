"""Jury members managed by the DREETS in the product (issue 10): a new jury member is invited and, when a session is
chosen, seated on it at once; an existing one can be added to a session. Each change is logged by the accounts'
journal (``StaffChange``)."""

from django.db import transaction

from pactes.accounts.models import Role, StaffChange, User
from pactes.committee.models import Attendance, CommitteeSession, SessionState
from pactes.rules.formatting import date_short
from pactes.staff.services import StaffRefused, staff_invite, staff_log


def _session_label(session: CommitteeSession) -> str:
    return f"Séance du {date_short(session.date)} ({session.call.short_title})"


@transaction.atomic
def jury_member_seat(*, by: User, session: CommitteeSession, user: User) -> Attendance:
    """Adds the jury member ``user`` to a session that is not closed yet."""
    if by.role not in {Role.DREETS, Role.ADMIN} or not by.is_active:
        raise StaffRefused("Seuls la DREETS et les administrateurs composent les séances du comité.")
    if user.role != Role.JURY or not user.is_active:
        raise StaffRefused(f"{user} n'est pas un membre du jury actif.")
    if session.state == SessionState.CLOSED:
        raise StaffRefused("Cette séance est close : sa composition ne change plus.")
    attendance, created = Attendance.objects.get_or_create(session=session, user=user)
    if created:
        staff_log(by=by, user=user, action=StaffChange.Action.JOINED_SESSION, detail=_session_label(session))
    return attendance


@transaction.atomic
def jury_member_invite(
    *,
    by: User,
    email: str,
    first_name: str,
    last_name: str,
    session: CommitteeSession | None,
    site_url: str,
) -> User:
    """Creates a jury member, e-mails the invitation and, if ``session`` is given, seats them on it."""
    detail = _session_label(session) if session is not None else ""
    user = staff_invite(
        by=by,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=Role.JURY,
        departement=None,
        site_url=site_url,
        detail=detail,
    )
    if session is not None:
        jury_member_seat(by=by, session=session, user=user)
    return user
