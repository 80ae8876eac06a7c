"""Journey (issue 4): the DREETS runs a session of the regional committee and the applicant reads the decision.

Setup, through the services: the Ariège and Aude dossiers of the 2024 call were instructed, scored and transmitted by
their DDETS-PP; an administrator set the regional envelope to 60 000 €; a second jury member exists so that the
quorum of 3 can be met.

As Hélène Garcia of the DREETS (``dreets@demo.test``), I plan a session with four members, open it, tick the
presence of two (the quorum is not met: the page says so), then three. I decide on the Ariège dossier: 62 000 € would
exceed the envelope and is refused, 50 000 € is retained and the envelope shows what remains; I refuse the Aude
dossier, first without a motivation (refused), then with one. Meanwhile the applicant sees no decision on her dossier.
I close the session and download the procès-verbal, which names both dossiers. Camille Roux
(``porteur.ariege@demo.test``) then reads the decision on her dossier and downloads her decision letter.
"""

import re
import subprocess
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from pactes.accounts.models import Role, User
from pactes.assessment.services import (
    evaluation_complete,
    proposal_update,
    score_sheet_save,
    transmission_create,
)
from pactes.demo.accounts import DEMO_PASSWORD
from pactes.dossiers.models import Dossier
from pactes.dossiers.services import dossier_transition
from pactes.rules.scoring import CriterionScore
from tests.browser.login import log_in

pytestmark = pytest.mark.django_db(transaction=True)

DREETS = "dreets@demo.test"
JURY = "jury@demo.test"
SECOND_JURY = "jury.2@demo.test"
THIRD_JURY = "jury.3@demo.test"
APPLICANT = "porteur.ariege@demo.test"
REJECTION = "Le projet recoupe une action déjà financée par le contrat départemental des solidarités de l'Aude."


# -- setup through the services -------------------------------------------------------------------------------------
def transmit_through_services(dossier: Dossier, *, amount: str, opinion: str) -> Dossier:
    """What the DDETS-PP of the dossier's département did: instruction, one score sheet, a proposal, transmission."""
    instructor = User.objects.get(role=Role.INSTRUCTOR, departement=dossier.departement)
    for transition in ("start_review", "declare_admissible"):
        dossier = dossier_transition(dossier=dossier, transition=transition, by=instructor)
    config = dossier.call.rules
    scores = [CriterionScore(c.code, 3, "Critère satisfait au vu du dossier déposé.") for c in config.criteria]
    score_sheet_save(
        dossier=dossier, instructor=instructor, scores=scores, proposed_amount=Decimal(amount), opinion=opinion
    )
    proposal_update(dossier=dossier, by=instructor, proposed_amount=Decimal(amount), opinion=opinion)
    evaluation_complete(dossier=dossier, by=instructor)
    dossier.refresh_from_db()
    transmission_create(call=dossier.call, departement=dossier.departement, by=instructor)
    dossier.refresh_from_db()
    assert dossier.state == "transmis"
    return dossier


# -- helpers --------------------------------------------------------------------------------------------------------
def field(scope: Page | Locator, label: str) -> Locator:
    """The field whose label starts with ``label`` (the DSFR adds a « * » marker and the help text to the label)."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s|\*|$)"))


def tick(box: Locator) -> None:
    """Ticks a DSFR checkbox or radio through its label, as a person would (see the applicant's filing journey)."""
    box.check(force=True)
    expect(box).to_be_checked()


def untick(box: Locator) -> None:
    box.uncheck(force=True)
    expect(box).not_to_be_checked()


def member(page: Page, email: str) -> Locator:
    return page.get_by_label(re.compile(re.escape(f"({email})")))


def envelope_figure(page: Page, term: str) -> Locator:
    return page.locator("#enveloppe dt", has_text=term).locator("xpath=following-sibling::dd[1]")


def decide(page: Page, reference: str, decision: str, *, amount: str = "", motivation: str = "") -> None:
    page.locator(f"#dossier-{reference}").get_by_role(
        "link", name=re.compile("^(Décider|Modifier la décision)$")
    ).click()
    expect(page.get_by_role("heading", level=1, name=f"Dossier {reference}")).to_be_visible()
    tick(page.get_by_label(decision, exact=True))
    field(page, "Montant attribué (€)").fill(amount)
    field(page, "Motivation").fill(motivation)
    page.get_by_role("button", name="Enregistrer la décision").click()


def pdf_text(path) -> str:
    assert path.read_bytes().startswith(b"%PDF-")
    return subprocess.run(["/usr/bin/pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


# -- the journey ----------------------------------------------------------------------------------------------------
def test_dreets_runs_a_committee_session_decides_closes_and_the_applicant_reads_the_decision(
    page: Page, browser: Browser, browser_context_args, live_server, demo_platform, tmp_path
):
    call = demo_platform["pts-occitanie-2024"]
    ariege = transmit_through_services(
        Dossier.objects.get(call=call, departement__code="09", state="depose"), amount="62000", opinion="favorable"
    )
    aude = transmit_through_services(
        Dossier.objects.get(call=call, departement__code="11", state="depose"), amount="30000", opinion="reserve"
    )
    call.regional_envelope = Decimal("60000.00")
    call.save(update_fields=["regional_envelope"])
    for email, first_name in ((SECOND_JURY, "Anne"), (THIRD_JURY, "Paul")):
        User.objects.create_user(email, DEMO_PASSWORD, first_name=first_name, last_name="Jury", role=Role.JURY)
    session_date = timezone.localdate()  # a session opens on the day it is held, never before (issue 16)

    # The applicant is logged in on her side: her dossier is with the committee, no decision shown.
    applicant_context = browser.new_context(**browser_context_args)
    applicant = applicant_context.new_page()
    applicant.set_default_timeout(10_000)
    try:
        log_in(applicant, APPLICANT)
        applicant.get_by_role("link", name=ariege.reference, exact=True).click()
        expect(applicant.get_by_text("Transmis au comité", exact=True)).to_be_visible()
        expect(applicant.get_by_role("heading", name="Décision du comité régional")).to_have_count(0)

        # The DREETS plans a session with four members.
        log_in(page, DREETS)
        page.get_by_role("link", name="Comité régional").click()
        expect(page.get_by_role("heading", level=1, name="Comité régional")).to_be_visible()
        page.get_by_role("link", name="Planifier une séance").click()
        field(page, "Appel").select_option(value=str(call.pk))
        field(page, "Date de la séance").fill(session_date.isoformat())
        field(page, "Lieu").fill("DREETS Occitanie, Toulouse — salle du comité")
        expect(field(page, "Présidence")).to_have_value(call.rules.committee_chair)
        for email in (DREETS, JURY, SECOND_JURY, THIRD_JURY):
            tick(member(page, email))
        page.get_by_role("button", name="Enregistrer la séance").click()
        expect(page.get_by_text("La séance est planifiée.")).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Séance du comité régional du {session_date:%d/%m/%Y}"
        )
        agenda = page.get_by_role("main")
        expect(agenda.locator(f"#dossier-{ariege.reference}")).to_contain_text("62\u202f000\xa0€")
        expect(agenda.locator(f"#dossier-{aude.reference}")).to_contain_text("30\u202f000\xa0€")

        # She opens it and ticks the presences: two members do not make the quorum of 3, three do.
        page.get_by_role("button", name="Ouvrir la séance").click()
        expect(page.get_by_text("La séance est ouverte")).to_be_visible()
        tick(member(page, DREETS))
        tick(member(page, JURY))
        page.get_by_role("button", name="Enregistrer les présences").click()
        expect(page.get_by_text("La liste de présence est enregistrée.")).to_be_visible()
        quorum_warning = page.locator(".fr-alert--warning").filter(has_text="Le quorum n'est pas atteint")
        expect(quorum_warning).to_contain_text("2 membres présents sur 3 requis")
        tick(member(page, SECOND_JURY))
        page.get_by_role("button", name="Enregistrer les présences").click()
        expect(page.get_by_text(re.compile("3 présents sur 4 membres — quorum : 3"))).to_be_visible()
        expect(quorum_warning).to_have_count(0)
        expect(envelope_figure(page, "Reste disponible")).to_have_text("60\u202f000\xa0€")

        # Ariège: 62 000 € would exceed the envelope; 50 000 € is retained.
        decide(page, ariege.reference, "Retenu", amount="62 000")
        expect(page.get_by_text(re.compile("dépasse ce qui reste de l'enveloppe régionale"))).to_be_visible()
        field(page, "Montant attribué (€)").fill("50 000")
        page.get_by_role("button", name="Enregistrer la décision").click()
        expect(page.get_by_text(f"La décision sur le dossier {ariege.reference} est enregistrée.")).to_be_visible()
        expect(page.locator(f"#dossier-{ariege.reference}")).to_contain_text("Retenu")
        expect(envelope_figure(page, "Attribué lors de cette séance")).to_have_text("50\u202f000\xa0€")
        expect(envelope_figure(page, "Reste disponible")).to_have_text("10\u202f000\xa0€")

        # Aude: « non retenu » needs a motivation.
        decide(page, aude.reference, "Non retenu")
        expect(page.get_by_text("Une décision « non retenu » doit être motivée.")).to_be_visible()
        field(page, "Motivation").fill(REJECTION)
        page.get_by_role("button", name="Enregistrer la décision").click()
        expect(page.get_by_text(f"La décision sur le dossier {aude.reference} est enregistrée.")).to_be_visible()
        expect(page.locator(f"#dossier-{aude.reference}")).to_contain_text("Non retenu")

        # Decisions take effect at closing only: the applicant still sees none.
        applicant.reload()
        expect(applicant.get_by_text("Transmis au comité", exact=True)).to_be_visible()
        expect(applicant.get_by_role("heading", name="Décision du comité régional")).to_have_count(0)

        # She closes the session and downloads the procès-verbal.
        page.get_by_role("button", name="Clore la séance").click()
        expect(page.get_by_text("La séance est close")).to_be_visible()
        expect(page.get_by_role("heading", name="Séance close : décisions figées")).to_be_visible()
        expect(page.get_by_role("button", name="Enregistrer les présences")).to_have_count(0)
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Télécharger le procès-verbal (PDF)").click()
        minutes = tmp_path / "proces-verbal.pdf"
        download_info.value.save_as(minutes)
        text = pdf_text(minutes)
        assert ariege.reference in text and aude.reference in text

        # The applicant reads the decision on her dossier and downloads the decision letter.
        applicant.reload()
        decision = applicant.locator("#decision")
        expect(decision.get_by_role("heading", name="Décision du comité régional")).to_be_visible()
        expect(decision).to_contain_text("Retenu")
        expect(decision).to_contain_text("Subvention de l'État attribuée : 50\u202f000\xa0€")
        with applicant.expect_download() as download_info:
            decision.get_by_role("link", name="Télécharger la lettre de décision (PDF)").click()
        letter = tmp_path / "lettre.pdf"
        download_info.value.save_as(letter)
        assert ariege.reference in pdf_text(letter)
    finally:
        applicant_context.close()

    ariege.refresh_from_db()
    aude.refresh_from_db()
    assert (ariege.state, aude.state) == ("retenu", "non_retenu")
