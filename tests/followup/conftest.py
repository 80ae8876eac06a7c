"""Fixtures of the follow-up tests: the 2024 call (envelope 100 000 €), the demo accounts, both demo dossiers walked
to ``retenu`` through the dossier service with a decision of a closed session (Ariège 40 000 €, Aude 30 000 €), and
the Ariège convention signed, engaged (EJ) and paid its advance, through the convention services."""

from decimal import Decimal

import pytest
from django.utils import timezone

from pactes.agreements.models import Agreement
from pactes.agreements.services import (
    agreement_commitment_set,
    agreement_generate,
    agreement_transition,
    payment_record,
)
from pactes.committee.models import CommitteeDecision, CommitteeSession, Decision, SessionState
from pactes.dossiers.models import Dossier
from pactes.dossiers.services import dossier_transition
from pactes.rules.lifecycle import DossierState
from tests.committee.fixtures import accounts, committee_call, filed, media_root  # noqa: F401

AWARDS = {"09": Decimal("40000.00"), "11": Decimal("30000.00")}
TO_TRANSMITTED = ("start_review", "declare_admissible", "complete_evaluation", "transmit")


def retain(dossier: Dossier, users, amount: Decimal) -> Dossier:
    instructor = users[f"instructeur.{dossier.departement.code}"]
    for transition in TO_TRANSMITTED:
        dossier = dossier_transition(dossier=dossier, transition=transition, by=instructor)
    now = timezone.now()
    session = CommitteeSession.objects.create(
        call=dossier.call,
        date=now.date(),
        place="DREETS Occitanie, Toulouse",
        chair=dossier.call.rules.committee_chair,
        state=SessionState.CLOSED,
        created_by=users["dreets"],
        opened_at=now,
        opened_by=users["dreets"],
        closed_at=now,
        closed_by=users["dreets"],
    )
    CommitteeDecision.objects.create(
        session=session,
        dossier=dossier,
        decision=Decision.RETAINED,
        awarded_amount=amount,
        motivation="Projet conforme aux priorités du Pacte.",
        decided_by=users["dreets"],
        decided_at=now,
    )
    dossier = dossier_transition(dossier=dossier, transition="retain", by=users["dreets"])
    assert dossier.state == DossierState.RETAINED
    return dossier


@pytest.fixture
def retained_dossier(filed, accounts):  # noqa: F811
    """Both demo dossiers retained by a closed session, by département code."""
    return {code: retain(dossier, accounts, AWARDS[code]) for code, dossier in filed.items()}


@pytest.fixture
def paid_agreement(retained_dossier, accounts) -> Agreement:  # noqa: F811
    """The Ariège convention signed, engaged (EJ) and paid its advance (50 %: 20 000 €), through the services."""
    instructor = accounts["instructeur.09"]
    agreement = agreement_generate(dossier=retained_dossier["09"], by=instructor)
    for transition in ("send", "upload_applicant_signature", "sign"):
        agreement_transition(agreement=agreement, transition=transition, by=instructor)
    today = timezone.localdate()
    agreement_commitment_set(agreement=agreement, number="2103456789", date=today, by=instructor)
    payment_record(
        agreement=agreement,
        amount=Decimal("20000.00"),
        paid_on=today,
        reference="AVANCE-1",
        by=instructor,
        step_code="avance",
    )
    agreement.refresh_from_db()
    return agreement
