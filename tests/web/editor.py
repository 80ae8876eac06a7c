"""Fixtures of the applicant's editor (the demonstration call open today, an applicant with its organisation, a
fresh draft, the Couserans EPCI), for every test of the editor, whatever its package."""

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from pactes.accounts.models import Role, User
from pactes.calls.services import call_load
from pactes.dossiers.editing import dossier_create
from pactes.organisations.models import Membership, Organisation
from pactes.territories.models import Epci

PASSWORD = "motdepasse-solide-42"
VALID_SIRET = "83914701400014"
OTHER_SIRET = "88253614700011"


@pytest.fixture
def editor_call(db):
    """The demonstration call, loaded today so that its filing is open."""
    return call_load(path=django_settings.PACTES_CALLS_DIR / "pts-occitanie-demo.yaml", today=timezone.localdate())


def make_applicant(email, siret, name, departement):
    user = User.objects.create_user(email, PASSWORD, role=Role.APPLICANT, first_name="Camille", last_name="Roux")
    organisation = Organisation.objects.create(name=name, siret=siret, kind="association", departement=departement)
    Membership.objects.create(organisation=organisation, user=user, is_admin=True)
    return user, organisation


@pytest.fixture
def editor_applicant(departements):
    return make_applicant("porteur@pactes.test", VALID_SIRET, "Association Solidarités Couserans", departements["09"])


@pytest.fixture
def editor_other_applicant(departements):
    return make_applicant("autre@pactes.test", OTHER_SIRET, "Association Entraide Corbières", departements["11"])


@pytest.fixture
def editor_dossier(editor_call, editor_applicant):
    user, organisation = editor_applicant
    return dossier_create(call=editor_call, organisation=organisation, title="Épicerie solidaire itinérante", by=user)


@pytest.fixture
def editor_epci(departements):
    existing = Epci.objects.filter(siren="200067940").first()
    if existing is not None:  # the reference territories may be loaded already
        return existing
    epci = Epci.objects.create(
        siren="200067940",
        name="CC Couserans-Pyrénées",
        kind="CC",
        financing_mode="FPU",
        main_departement_code="09",
        main_region_code="76",
        population_municipale=29_000,
        population_totale=30_000,
        population_municipale_region=29_000,
        population_totale_region=30_000,
    )
    epci.departements.add(departements["09"])
    return epci
