"""Fixtures of the assessment tests: the 2024 call, the demo accounts and dossiers brought to « recevable » through
the transitions, and a second Ariège dossier on the same EPCI (200067940) to compete with the first one.

Provided by tests/assessment/conftest.py and tests/web/assessment/conftest.py (they override the committee's
``accounts`` and ``filed`` of the root conftest).
"""

import copy
import datetime as dt
import json
import subprocess
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings

from pactes.accounts.models import Role, User
from pactes.assessment.services import evaluation_complete, proposal_update, score_sheet_save
from pactes.calls.services import call_load, eligible_list_build_indicative
from pactes.demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
from pactes.demo.dossiers import dated, ensure_demo_dossiers
from pactes.dossiers.filing import dossier_file
from pactes.dossiers.interchange import EXAMPLE_PATH, document_to_dossier
from pactes.dossiers.models import Dossier
from pactes.dossiers.services import dossier_transition
from pactes.rules import scoring

PARIS = ZoneInfo("Europe/Paris")
FILING_NOW = dt.datetime(2024, 9, 27, 16, 30, tzinfo=PARIS)
SHARED_EPCI = "200067940"  # CC Couserans-Pyrénées: both Ariège dossiers of the tests


def user(email: str) -> User:
    return User.objects.get(email=email)


def admit(dossier: Dossier, instructor: User) -> Dossier:
    """Déposé → en instruction → recevable, through the one writer of the state."""
    dossier_transition(dossier=dossier, transition="start_review", by=instructor)
    dossier_transition(dossier=dossier, transition="declare_admissible", by=instructor)
    dossier.refresh_from_db()
    return dossier


def sheet_scores(dossier: Dossier, values: dict[str, int] | None = None, score: int = 3):
    """A full sheet on the call's criteria: ``score`` everywhere unless ``values`` says otherwise."""
    values = values or {}
    return [
        scoring.CriterionScore(c.code, values.get(c.code, score), f"Justification du critère {c.code}.")
        for c in dossier.call.rules.criteria
    ]


def evaluate(dossier: Dossier, instructor: User, amount: str, opinion: str = "favorable") -> Dossier:
    """Scores the dossier, proposes ``amount`` and closes the evaluation."""
    score_sheet_save(
        dossier=dossier,
        instructor=instructor,
        scores=sheet_scores(dossier),
        proposed_amount=Decimal(amount),
        opinion=opinion,
    )
    proposal_update(dossier=dossier, by=instructor, proposed_amount=Decimal(amount), opinion=opinion)
    return evaluation_complete(dossier=dossier, by=instructor)


def pdf_text(field) -> str:
    """The text of a stored PDF, its French spaces (narrow no-break, no-break) read as plain spaces."""
    with field.open("rb") as handle:
        return (
            subprocess.run(
                ["/usr/bin/pdftotext", "-layout", "-", "-"], input=handle.read(), capture_output=True, check=True
            )
            .stdout.decode("utf-8")
            .replace("\u202f", " ")
            .replace("\u00a0", " ")
        )


@pytest.fixture
def real_call(db):
    call = call_load(path=django_settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml")
    eligible_list_build_indicative(call=call)
    return call


@pytest.fixture
def accounts(real_call):
    ensure_demo_accounts()
    return {
        "i09": user("instructeur.09@demo.test"),
        "i11": user("instructeur.11@demo.test"),
        "dreets": user("dreets@demo.test"),
        "jury": user("jury@demo.test"),
        "applicant": user("porteur.ariege@demo.test"),
        "admin": user("admin@demo.test"),
    }


@pytest.fixture
def filed(real_call, accounts):
    """The two demo dossiers of the 2024 call, filed: keyed by département code."""
    ensure_demo_dossiers(real_call)
    return {d.departement.code: d for d in Dossier.objects.filter(call=real_call)}


@pytest.fixture
def ariege(filed, accounts):
    """PTS-2024-09-0001 (Couserans, EPCI 200067940), recevable."""
    return admit(filed["09"], accounts["i09"])


@pytest.fixture
def aude(filed, accounts):
    """PTS-2024-11-0001 (Lézignanais), recevable."""
    return admit(filed["11"], accounts["i11"])


@pytest.fixture
def rival(real_call, accounts):
    """A second Ariège dossier on the same EPCI, by another applicant, filed then recevable."""
    document = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
    document = dated(copy.deepcopy(document), real_call)
    document["title"] = "Mobilité solidaire vers l'emploi dans le Couserans"
    document["applicant"]["name"] = "Association Couserans Mobilité"
    document["applicant"]["consortium"] = []
    assert document["perimeter"]["epci"] == [SHARED_EPCI]
    applicant = User.objects.create_user("mobilite@couserans.test", DEMO_PASSWORD, role=Role.APPLICANT)
    dossier = document_to_dossier(document, by=applicant)
    dossier_file(dossier=dossier, by=applicant, now=FILING_NOW, notify=False)
    dossier.refresh_from_db()
    return admit(dossier, accounts["i09"])
