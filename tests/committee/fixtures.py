"""Fixtures of the committee tests: the real 2024 call with its envelope, the demo accounts, two jury members
more (for the quorum of 3), and the two demo dossiers walked to ``transmis`` by their instructors, each with the
département's proposal. Registered for every package by tests/conftest.py."""

from decimal import Decimal

import pytest
from django.conf import settings as django_settings

from pactes.accounts.models import Role, User
from pactes.assessment.models import Opinion, Proposal
from pactes.calls.services import call_load, eligible_list_build_indicative
from pactes.committee.models import CommitteeSession
from pactes.committee.services import attendance_set, session_create, session_open
from pactes.demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
from pactes.demo.dossiers import ensure_demo_dossiers
from pactes.dossiers.models import Dossier
from pactes.dossiers.services import dossier_transition
from pactes.rules.lifecycle import DossierState

ENVELOPE = Decimal("100000.00")
TO_TRANSMITTED = ("start_review", "declare_admissible", "complete_evaluation", "transmit")
TO_EVALUATED = ("start_review", "declare_admissible", "complete_evaluation")


@pytest.fixture
def committee_call(db):
    call = call_load(path=django_settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml")
    eligible_list_build_indicative(call=call)
    call.regional_envelope = ENVELOPE
    call.save(update_fields=["regional_envelope"])
    return call


@pytest.fixture
def accounts(committee_call):
    ensure_demo_accounts()
    users = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.test")}
    for number in (2, 3):
        users[f"jury{number}"] = User.objects.create_user(
            f"jury{number}@pactes.test", DEMO_PASSWORD, role=Role.JURY, first_name="Membre", last_name=f"Jury {number}"
        )
    users["jury.outsider"] = User.objects.create_user(
        "jury.hors-seance@pactes.test", DEMO_PASSWORD, role=Role.JURY, first_name="Paul", last_name="Absent"
    )
    return users


def walk(dossier: Dossier, by: User, transitions: tuple[str, ...]) -> Dossier:
    for transition in transitions:
        dossier = dossier_transition(dossier=dossier, transition=transition, by=by)
    return dossier


def propose(dossier: Dossier, by: User, amount: str, rank: int = 1) -> Proposal:
    return Proposal.objects.create(
        dossier=dossier,
        territory=dossier.epcis.first(),
        proposed_amount=Decimal(amount),
        opinion=Opinion.FAVORABLE,
        rank=rank,
        mean_score=Decimal("3.20"),
        updated_by=by,
    )


@pytest.fixture
def filed(committee_call, accounts):
    """The two filed demo dossiers of the 2024 call, by département code."""
    ensure_demo_dossiers(committee_call)
    return {d.departement.code: d for d in Dossier.objects.filter(call=committee_call).select_related("departement")}


@pytest.fixture
def transmitted(filed, accounts):
    """Both dossiers transmitted to the committee, with proposals of 60 000 € (Ariège) and 50 000 € (Aude)."""
    ariege = walk(filed["09"], accounts["instructeur.09"], TO_TRANSMITTED)
    aude = walk(filed["11"], accounts["instructeur.11"], TO_TRANSMITTED)
    propose(ariege, accounts["instructeur.09"], "60000.00")
    propose(aude, accounts["instructeur.11"], "50000.00")
    assert ariege.state == aude.state == DossierState.TRANSMITTED
    return {"09": ariege, "11": aude}


@pytest.fixture
def planned_session(committee_call, accounts):
    return session_create(
        call=committee_call,
        date=committee_call.rules.calendar_step("comite").start,
        place="DREETS Occitanie, Toulouse",
        chair=committee_call.rules.committee_chair,
        members=[accounts["dreets"], accounts["jury"], accounts["jury2"], accounts["jury3"]],
        by=accounts["dreets"],
    )


@pytest.fixture
def open_session(planned_session, accounts, transmitted) -> CommitteeSession:
    """An open session whose quorum is met: the DREETS agent and two jury members present, the third absent."""
    session = session_open(session=planned_session, by=accounts["dreets"])
    attendance_set(
        session=session, present=[accounts["dreets"], accounts["jury"], accounts["jury2"]], by=accounts["dreets"]
    )
    return session
