"""Journey (issue 10): a new association signs up from the call page, confirms its address by the link of the e-mail
(read from the outbox), adds its organisation by SIRET (found in the fake « Recherche d'entreprises » API), then
starts a dossier.

As Camille, volunteer of an association of Foix, on the open call's page I press « Créer un compte pour déposer un
projet », type my identity and a password (the strength meter reacts in the page), accept the privacy notice, open
the link received, log in, add my association by its SIRET: its name, address and legal form fill the form, the
carrier kind « Association » is proposed; then « Nouveau dossier » creates the draft.
"""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from pactes.accounts.models import User
from pactes.dossiers.models import Dossier
from pactes.organisations.models import Organisation, Verification
from pactes.outbox.models import OutgoingEmail
from tests.browser.login import log_in

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "camille.volontaire@entraide-foix.test"
PASSWORD = "Entraide-Foix-2026!"
SIRET = "50123456100006"
DEMO_CALL = "pts-occitanie-demo"


@pytest.fixture
def open_call(reference_data):
    call_command("load_calls", stdout=io.StringIO())


def link_of(template: str, to: str) -> str:
    email = OutgoingEmail.objects.filter(template=template, recipients__icontains=to).latest("created_at")
    return re.search(r"https?://[^/\s]+(/\S+)", email.body).group(1)


def test_a_new_applicant_signs_up_confirms_adds_its_organisation_and_starts_a_dossier(
    page: Page, live_server, open_call, fake_sirene
):
    page.goto(f"/appels/{DEMO_CALL}/")
    page.get_by_role("link", name="Créer un compte pour déposer un projet").click()
    expect(page.get_by_role("heading", level=1, name="Créer un compte")).to_be_visible()
    page.get_by_label("Adresse électronique").fill(EMAIL)
    page.get_by_label("Prénom").fill("Camille")
    page.get_by_label(re.compile(r"^\s*Nom\b")).fill("Volontaire")
    page.get_by_label(re.compile(r"^\s*Mot de passe")).fill("azerty")
    expect(page.get_by_text("Robustesse estimée du mot de passe : Très faible")).to_be_visible()
    page.get_by_label(re.compile(r"^\s*Mot de passe")).fill(PASSWORD)
    expect(page.get_by_text(re.compile("Robustesse estimée du mot de passe : (Bon|Très bon)"))).to_be_visible()
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.get_by_text(re.compile("J'ai lu la notice")).click()  # the DSFR label covers its checkbox
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1, name="Vérifiez votre messagerie")).to_be_visible()
    assert not User.objects.get(email=EMAIL).email_is_confirmed

    page.goto(link_of("emails/account_confirmation.txt", EMAIL))
    page.get_by_role("button", name="Confirmer mon adresse").click()
    expect(page.get_by_text("Votre adresse électronique est confirmée.")).to_be_visible()
    assert User.objects.get(email=EMAIL).email_is_confirmed

    log_in(page, EMAIL, PASSWORD)
    page.get_by_role("link", name="Mes organisations").click()
    page.get_by_role("link", name="Ajouter ou rejoindre une organisation").click()
    page.get_by_label("SIRET de votre organisation").fill("501 234 561 00006")
    page.get_by_role("button", name="Rechercher ce SIRET").click()
    expect(page.get_by_text("Établissement actif trouvé dans le répertoire SIRENE")).to_be_visible()
    expect(page.get_by_label("Raison sociale")).to_have_value("ASSOCIATION ENTRAIDE DU VAL D'ARIEGE")
    expect(page.get_by_label("Catégorie juridique (code Insee)")).to_have_value("9220")
    expect(page.get_by_label("Nature du porteur pour l'appel")).to_have_value("association")
    expect(page.get_by_label("Adresse")).to_have_value("12 RUE DE LA BISTOURE 09000 FOIX")
    page.get_by_role("button", name="Créer l'organisation").click()
    expect(page.get_by_role("heading", level=1, name="ASSOCIATION ENTRAIDE DU VAL D'ARIEGE")).to_be_visible()
    expect(page.get_by_text("Vérifiée (SIRENE)")).to_be_visible()
    organisation = Organisation.objects.get(siret=SIRET)
    assert organisation.verification == Verification.VERIFIED
    assert fake_sirene.requests == [SIRET]

    page.goto("/dossiers/nouveau/")
    page.get_by_label("Appel").select_option(DEMO_CALL)
    page.get_by_label("Intitulé du projet").fill("Épicerie solidaire du Val d'Ariège")
    page.get_by_label("Organisation porteuse").select_option(str(organisation.pk))
    page.get_by_role("button", name="Créer le dossier").click()
    expect(page.get_by_text(re.compile(r"Le dossier PTS-\d{4}-09-\d{4} est créé"))).to_be_visible()
    dossier = Dossier.objects.get(organisation=organisation)
    assert dossier.title == "Épicerie solidaire du Val d'Ariège"
    assert dossier.created_by.email == EMAIL
