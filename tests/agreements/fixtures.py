"""Fixtures of the convention tests: the two demo dossiers walked to ``retenu`` through the dossier service, each
with the committee's decision in a closed session (Ariège 40 000 €, Aude 30 000 €), and the Ariège
convention drafted, signed, engaged and paid. Registered for every package by tests/conftest.py."""

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
from pactes.committee.models import CommitteeDecision, CommitteeSession, Decision
from pactes.core.transitions import fire
from pactes.dossiers.services import dossier_transition
from pactes.rules.committee_session import SESSION_LIFECYCLE
from pactes.rules.lifecycle import DossierState

AWARDS = {"09": Decimal("40000.00"), "11": Decimal("30000.00")}
TO_TRANSMITTED = ("start_review", "declare_admissible", "complete_evaluation", "transmit")


def retain(dossier, users, amount: Decimal):
    instructor = users[f"instructeur.{dossier.departement.code}"]
    for transition in TO_TRANSMITTED:
        dossier = dossier_transition(dossier=dossier, transition=transition, by=instructor)
    now = timezone.now()
    session = CommitteeSession.objects.create(
        call=dossier.call,
        date=now.date(),
        place="DREETS Occitanie, Toulouse",
        chair=dossier.call.rules.committee_chair,
        created_by=users["dreets"],
    )
    # The session's states are reached through the one engine (logged), without the procès-verbal's PDFs.
    fire(obj=session, lifecycle=SESSION_LIFECYCLE, code="open", by=users["dreets"], at=now)
    CommitteeDecision.objects.create(
        session=session,
        dossier=dossier,
        decision=Decision.RETAINED,
        awarded_amount=amount,
        motivation="Projet conforme aux priorités du Pacte.",
        decided_by=users["dreets"],
        decided_at=now,
    )
    fire(obj=session, lifecycle=SESSION_LIFECYCLE, code="close", by=users["dreets"], at=now)
    dossier = dossier_transition(dossier=dossier, transition="retain", by=users["dreets"])
    assert dossier.state == DossierState.RETAINED
    return dossier


@pytest.fixture
def retained_dossier(filed, accounts):
    """Both demo dossiers retained by a closed session, by département code."""
    return {code: retain(dossier, accounts, AWARDS[code]) for code, dossier in filed.items()}


@pytest.fixture
def draft_agreement(retained_dossier, accounts) -> Agreement:
    """The Ariège convention, generated (brouillon)."""
    return agreement_generate(dossier=retained_dossier["09"], by=accounts["instructeur.09"])


def sign(agreement: Agreement, users) -> Agreement:
    """Walks a draft convention to « signée » through the service (dates: today)."""
    instructor = users[f"instructeur.{agreement.dossier.departement.code}"]
    agreement_transition(agreement=agreement, transition="send", by=instructor)
    agreement_transition(agreement=agreement, transition="upload_applicant_signature", by=instructor)
    agreement_transition(agreement=agreement, transition="sign", by=instructor)
    return agreement


@pytest.fixture
def signed_agreement(draft_agreement, accounts) -> Agreement:
    return sign(draft_agreement, accounts)


@pytest.fixture
def engaged_agreement(signed_agreement, accounts) -> Agreement:
    """The Ariège convention signed, with its EJ."""
    today = timezone.localdate()
    return agreement_commitment_set(
        agreement=signed_agreement, number="2103456789", date=today, by=accounts["instructeur.09"]
    )


@pytest.fixture
def paid_agreement(retained_dossier, accounts) -> Agreement:
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
