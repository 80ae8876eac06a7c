"""Journey (issue 10): a co-editor invited by e-mail who has no account signs up with the invited address from the
invitation, confirms it, accepts and edits the dossier; an account of another address is refused and gets nothing.

As Camille (applicant of an association of Foix, draft of the open call), I invite ines.garcia@… from the
« Porteur » step. An account of another organisation that gets hold of the link is told, in French, that the
invitation is not for it. Inès opens the link: « Créer un compte avec ines.garcia@… » opens the sign-up form with
her address; she confirms it by the link received, logs in, comes back to the invitation, accepts, and saves the
« Diagnostic » step.
"""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from pactes.accounts.models import Role, User
from pactes.calls.models import Call
from pactes.dossiers.editing import dossier_create
from pactes.dossiers.models import Dossier
from pactes.organisations.models import Membership, Organisation
from pactes.outbox.models import OutgoingEmail
from tests.browser.login import log_in

pytestmark = pytest.mark.django_db(transaction=True)

OWNER = "camille.roux@entraide-foix.test"
INVITED = "ines.garcia@entraide-foix.test"
STRANGER = "autre.porteur@autre-asso.test"
PASSWORD = "Entraide-Foix-2026!"


@pytest.fixture
def draft(reference_data):
    call_command("load_calls", stdout=io.StringIO())
    owner = User.objects.create_user(OWNER, PASSWORD, role=Role.APPLICANT, first_name="Camille", last_name="Roux")
    organisation = Organisation.objects.create(
        name="Entraide du Val d'Ariège", siret="50123456100006", kind="association"
    )
    Membership.objects.create(organisation=organisation, user=owner, is_admin=True)
    User.objects.create_user(STRANGER, PASSWORD, role=Role.APPLICANT, first_name="Dominique", last_name="Autre")
    return dossier_create(
        call=Call.objects.get(slug="pts-occitanie-demo"),
        organisation=organisation,
        title="Épicerie solidaire",
        by=owner,
    )


def link_of(template: str, to: str) -> str:
    email = OutgoingEmail.objects.filter(template=template, recipients__icontains=to).latest("created_at")
    return re.search(r"https?://[^/\s]+(/\S+)", email.body).group(1)


def new_page(browser: Browser, base_url: str) -> Page:
    context = browser.new_context(base_url=base_url, locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def test_an_invitee_without_account_signs_up_with_the_invited_address_and_edits(browser: Browser, live_server, draft):
    owner = new_page(browser, live_server.url)
    log_in(owner, OWNER, PASSWORD)
    owner.goto(f"/dossiers/{draft.reference}/etapes/porteur/")
    owner.get_by_label("Courriel du co-éditeur invité").fill(INVITED)
    owner.get_by_role("button", name="Envoyer l'invitation").click()
    expect(owner.get_by_text(f"Invitation envoyée à {INVITED}.")).to_be_visible()
    invitation = link_of("emails/invitation.txt", INVITED)

    # Another account holding the link is refused, and nothing is attached.
    stranger = new_page(browser, live_server.url)
    log_in(stranger, STRANGER, PASSWORD)
    stranger.goto(invitation)
    expect(stranger.get_by_text("Cette invitation n'est pas pour ce compte")).to_be_visible()
    expect(stranger.get_by_text("envoyée à une autre adresse électronique")).to_be_visible()
    expect(stranger.get_by_role("button", name="Accepter et devenir co-éditeur")).to_have_count(0)
    assert not draft.editors.exists()

    # The invited person has no account: sign-up with the invited address, prefilled.
    page = new_page(browser, live_server.url)
    page.goto(invitation)
    page.get_by_role("link", name=f"Créer un compte avec {INVITED}").click()
    expect(page.get_by_label("Adresse électronique")).to_have_value(INVITED)
    page.get_by_label("Prénom").fill("Inès")
    page.get_by_label(re.compile(r"^\s*Nom\b")).fill("Garcia")
    page.get_by_label(re.compile(r"^\s*Mot de passe")).fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.get_by_text(re.compile("J'ai lu la notice")).click()  # the DSFR label covers its checkbox
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1, name="Vérifiez votre messagerie")).to_be_visible()

    confirmation = link_of("emails/account_confirmation.txt", INVITED)
    assert "next=%2Fdossiers%2Finvitation%2F" in confirmation
    page.goto(confirmation)
    page.get_by_role("button", name="Confirmer mon adresse").click()
    expect(page.get_by_text("Votre adresse électronique est confirmée.")).to_be_visible()
    log_in(page, INVITED, PASSWORD)
    page.goto(invitation)
    page.get_by_role("button", name="Accepter et devenir co-éditeur").click()
    expect(page.get_by_text(f"Vous êtes désormais co-éditeur du dossier {draft.reference}.")).to_be_visible()

    page.goto(f"/dossiers/{draft.reference}/etapes/diagnostic/")
    page.get_by_label("Diagnostic : besoins identifiés").fill("Écrit par Inès, co-éditrice.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Étape « Diagnostic » enregistrée.")).to_be_visible()
    assert Dossier.objects.get(pk=draft.pk).diagnostic == "Écrit par Inès, co-éditrice."
    assert list(draft.editors.values_list("email", flat=True)) == [INVITED]

    # The stranger still sees nothing of the dossier.
    response = stranger.goto(f"/dossiers/{draft.reference}/")
    assert response.status == 404
