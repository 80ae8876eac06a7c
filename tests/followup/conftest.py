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
from tests.agreements.fixtures import AWARDS, retain, retained_dossier  # noqa: F401
from tests.committee.fixtures import accounts, committee_call, filed, media_root  # noqa: F401


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
