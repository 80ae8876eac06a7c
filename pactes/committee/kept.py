"""The session's page figures kept for the facts token (ADR 0055, after ADR 0051): what the page reads of the whole
agenda and of the whole call, computed once per version of the facts.

Words: the *outline* of the agenda is each département's totals and the dossiers' ids in the agenda's order
(``AgendaOutline``); the *envelope* is the regional envelope as the session sees it (``EnvelopeView``); the
*undecided* problems are those of ``closing_problems`` that the agenda causes (empty agenda, dossiers without a
decision). Each depends only on rows watched by ``pactes.core.facts_version`` (dossiers, proposals, resource
lines, decisions, sessions, calls, départements, EPCI), on the session, and for the outline on the reader's
*scope*: the dossiers a role sees on an agenda (the DREETS and administrators the same ones, every jury member the
same ones). The key names the token, the session and the scope: two sessions, or a DREETS agent and a jury member,
never share an entry. A reader of another role (none reaches the page) is computed afresh, never kept.

The written rows of a page of the agenda are kept too (``kept_rows``): besides the facts (the organisations and the
jury's opinions are watched for them) they depend on what the reader may do, which the key names.

The services never read these: a decision, a closing, checks the envelope and the agenda from the database.
"""

from __future__ import annotations

from collections.abc import Callable

from pactes.accounts.models import Role, User
from pactes.committee.agenda import AgendaOutline, AgendaPage, agenda_outline
from pactes.committee.models import CommitteeSession
from pactes.committee.selectors import EnvelopeView, envelope_for_session
from pactes.committee.services import undecided_problems
from pactes.core.facts_version import kept_for_facts
from pactes.rules.verdict import Reason

_SCOPES = {Role.DREETS: "region", Role.ADMIN: "region", Role.JURY: "jury"}


def agenda_scope(user: User) -> str | None:
    """The name of the dossiers ``user`` sees on an agenda (None: not kept)."""
    if not user.is_authenticated or not user.is_active:
        return None
    return _SCOPES.get(user.role)


def kept_outline(*, session: CommitteeSession, user: User, token: str) -> AgendaOutline:
    scope = agenda_scope(user)
    if scope is None:
        return agenda_outline(session=session, user=user)
    return kept_for_facts(
        f"committee:outline:session-{session.pk}:{scope}",
        lambda: agenda_outline(session=session, user=user),
        token=token,
    )


def kept_envelope(*, session: CommitteeSession, token: str) -> EnvelopeView:
    return kept_for_facts(
        f"committee:envelope:session-{session.pk}", lambda: envelope_for_session(session), token=token
    )


def kept_undecided(*, session: CommitteeSession, listed: int | None, token: str) -> list[Reason]:
    return kept_for_facts(
        f"committee:undecided:session-{session.pk}:{listed}",
        lambda: undecided_problems(session, listed=listed),
        token=token,
    )


def kept_rows[T](
    *,
    session: CommitteeSession,
    user: User,
    agenda: AgendaPage,
    is_jury: bool,
    can_decide: bool,
    token: str,
    write: Callable[[], T],
) -> T:
    """The written rows of ``agenda``'s page (``write``), kept for the facts token when they depend on nothing else
    than the key names: the session, the reader's scope, the page and the département shown, what the reader may do
    (decide; give an opinion, then the rows show the member's own: the key names the member). A closed session's rows
    (they name who reopened a decision) and a département not on the agenda are written afresh."""
    scope = agenda_scope(user)
    codes = {d.code for d in agenda.departements}
    if scope is None or session.is_closed or (agenda.departement and agenda.departement not in codes):
        return write()
    reader = f"member-{user.pk}" if is_jury else "reader"
    return kept_for_facts(
        f"committee:rows:session-{session.pk}:{scope}:{reader}:decide-{int(can_decide)}"
        f":departement-{agenda.departement}:page-{agenda.page.number}",
        write,
        token=token,
    )


def kept_departements_html[T](
    *, session: CommitteeSession, user: User, agenda: AgendaPage, token: str, write: Callable[[], T]
) -> T:
    """The table of the départements' totals and the filter (``write``, from the outline and the département shown),
    kept beside the outline: same key, plus the département shown (one of the agenda's, or all)."""
    scope = agenda_scope(user)
    if scope is None or (agenda.departement and agenda.departement not in {d.code for d in agenda.departements}):
        return write()
    return kept_for_facts(
        f"committee:departements:session-{session.pk}:{scope}:departement-{agenda.departement}", write, token=token
    )


def kept_envelope_html[T](*, session: CommitteeSession, token: str, write: Callable[[], T]) -> T:
    """The envelope's block (``write``, from the kept envelope and whether the session is closed): same key."""
    return kept_for_facts(f"committee:envelope-html:session-{session.pk}", write, token=token)
