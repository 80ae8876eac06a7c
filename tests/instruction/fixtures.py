"""Fixtures of the instruction tests: the demo staff accounts, a complete dossier of the Ariège filed on time, and
bare filed dossiers with a requested grant, for the queue. Provided by tests/instruction/conftest.py and
tests/web/instruction/conftest.py."""

from decimal import Decimal

import pytest

from pactes.accounts.models import Role, User
from pactes.dossiers.models import Dossier, ResourceKind, ResourceLine
from pactes.dossiers.services import dossier_transition
from pactes.organisations.models import Membership, Organisation
from pactes.territories.models import Departement, Epci
from tests.dossiers.fixtures import PASSWORD, file_it

STAFF_EMAILS = {
    "i09": "instructeur.09@demo.test",
    "i11": "instructeur.11@demo.test",
    "dreets": "dreets@demo.test",
    "jury": "jury@demo.test",
    "admin": "admin@demo.test",
}


@pytest.fixture
def staff(demo_accounts):
    """The demo accounts of the instruction and the committee, by short name."""
    return {key: User.objects.get(email=email) for key, email in STAFF_EMAILS.items()}


@pytest.fixture
def filed(draft, applicant, django_capture_on_commit_callbacks):
    """The complete dossier of the interchange example (Ariège), filed before the deadline: version 1."""
    file_it(draft, applicant, django_capture_on_commit_callbacks)
    draft.refresh_from_db()
    return draft


@pytest.fixture
def under_review(filed, staff):
    return dossier_transition(dossier=filed, transition="start_review", by=staff["i09"])


def bare_filed(call, *, code: str, grant: str, title: str, epci_siren: str = "") -> Dossier:
    """A filed dossier with only a title and a requested State grant: enough for the queue."""
    number = Dossier.objects.filter(reference__startswith=f"PTS-2024-{code}-").count() + 1
    reference = f"PTS-2024-{code}-{number:04d}"
    user = User.objects.create_user(f"porteur.{reference.lower()}@pactes.test", PASSWORD, role=Role.APPLICANT)
    organisation = Organisation.objects.create(name=f"Association {title}", kind="association")
    Membership.objects.create(organisation=organisation, user=user)
    dossier = Dossier.objects.create(
        call=call,
        organisation=organisation,
        reference=reference,
        title=title,
        departement=Departement.objects.get(code=code),
        created_by=user,
    )
    ResourceLine.objects.create(dossier=dossier, kind=ResourceKind.STATE_PTS, amount=Decimal(grant), funder="État")
    ResourceLine.objects.create(dossier=dossier, kind=ResourceKind.OWN_FUNDS, amount=Decimal(grant), funder="Porteur")
    if epci_siren:
        dossier.epcis.add(Epci.objects.get(siren=epci_siren))
    return dossier_transition(dossier=dossier, transition="submit", by=user)
