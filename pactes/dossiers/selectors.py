"""Scoped reads of dossiers: the one place that decides who sees which dossier.

A porteur sees the dossiers of its organisations and those it was invited to co-edit; an instructeur DDETS-PP
the filed dossiers of its département; the DREETS and administrators every filed dossier; a jury member only
what was transmitted to the committee (and its outcome). Anything else answers 404 through
``get_object_or_404(dossiers_visible_to(user), …)``.
"""

from django.db.models import Q, QuerySet

from pactes.accounts.models import Role, User
from pactes.dossiers.models import Dossier
from pactes.rules.lifecycle import COMMITTEE_STATES, DossierState

JURY_VISIBLE_STATES: frozenset[str] = frozenset(s.value for s in COMMITTEE_STATES)


def dossiers_visible_to(user: User) -> QuerySet[Dossier]:
    qs = Dossier.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    match user.role:
        case Role.APPLICANT:
            return qs.filter(Q(organisation__memberships__user=user) | Q(editors=user)).distinct()
        case Role.INSTRUCTOR:
            return qs.filter(departement_id=user.departement_id).exclude(state=DossierState.DRAFT.value)
        case Role.DREETS | Role.ADMIN:
            return qs.exclude(state=DossierState.DRAFT.value)
        case Role.JURY:
            return qs.filter(state__in=JURY_VISIBLE_STATES)
    return qs.none()
