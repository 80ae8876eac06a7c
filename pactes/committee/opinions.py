"""The jury's opinions (avis des membres du jury, §1.6): each member of a session gives, before or during the
session, an opinion on each dossier of its agenda (favorable, réservé or défavorable, with a comment). The DREETS
reads them beside the DDETS-PP's proposal before deciding; the procès-verbal summarises them. An opinion is the
member's own: only they write it, and it is frozen once the session is closed.

Words: a *member* of a session is a user with an attendance row (``Attendance``); a *jury member* is one whose role
is « membre du jury ». The *summary* of a dossier's opinions counts them by kind.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from pactes.accounts.models import User
from pactes.assessment.models import Opinion
from pactes.committee.models import CommitteeSession, JuryOpinion
from pactes.committee.selectors import is_jury_member_of, session_agenda_dossiers
from pactes.committee.services import CommitteeRefused
from pactes.core.transitions import moment_problems
from pactes.dossiers.models import Dossier
from pactes.rules.verdict import Reason

OPINION_NOT_A_JURY_MEMBER = "OPINION_NOT_A_JURY_MEMBER"
OPINION_SESSION_CLOSED = "OPINION_SESSION_CLOSED"
OPINION_NOT_ON_AGENDA = "OPINION_NOT_ON_AGENDA"
OPINION_UNKNOWN = "OPINION_UNKNOWN"
OPINION_COMMENT_REQUIRED = "OPINION_COMMENT_REQUIRED"


def can_give_opinion(user: User, session: CommitteeSession) -> bool:
    return not session.is_closed and is_jury_member_of(user, session)


def opinion_problems(
    *, session: CommitteeSession, dossier: Dossier, member: User, opinion: str, comment: str
) -> list[Reason]:
    problems: list[Reason] = []
    if not is_jury_member_of(member, session):
        problems.append(
            Reason(OPINION_NOT_A_JURY_MEMBER, "Seuls les membres du jury de cette séance y donnent un avis.")
        )
    if session.is_closed:
        problems.append(Reason(OPINION_SESSION_CLOSED, "La séance est close : les avis du jury sont figés."))
    if not session_agenda_dossiers(session).filter(pk=dossier.pk).exists():
        problems.append(
            Reason(
                OPINION_NOT_ON_AGENDA, f"Le dossier {dossier.reference} n'est pas à l'ordre du jour de cette séance."
            )
        )
    if opinion not in Opinion.values:
        problems.append(Reason(OPINION_UNKNOWN, "Choisissez un avis : favorable, réservé ou défavorable."))
    elif opinion != Opinion.FAVORABLE and not comment.strip():
        problems.append(
            Reason(
                OPINION_COMMENT_REQUIRED,
                f"Un avis « {Opinion(opinion).label.lower()} » s'accompagne d'un commentaire qui l'explique.",
            )
        )
    return problems


@transaction.atomic
def jury_opinion_record(
    *,
    session: CommitteeSession,
    dossier: Dossier,
    opinion: str,
    comment: str,
    by: User,
    at: dt.datetime | None = None,
) -> JuryOpinion:
    """Records (or changes, until the session is closed) ``by``'s opinion on ``dossier`` at ``at`` (now by default;
    an explicit moment is only for opinions recorded afterwards, never in the future); raises ``CommitteeRefused``."""
    locked = CommitteeSession.objects.select_for_update().select_related("call").get(pk=session.pk)
    problems = opinion_problems(session=locked, dossier=dossier, member=by, opinion=opinion, comment=comment)
    problems += moment_problems(at)
    if problems:
        raise CommitteeRefused(problems)
    record, _created = JuryOpinion.objects.update_or_create(
        session=locked,
        dossier=dossier,
        member=by,
        defaults={"opinion": opinion, "comment": comment.strip(), "updated_at": at or timezone.now()},
    )
    return record
