"""Journey (issue 4): the DDETS-PP of the Ariège instructs two competing dossiers of one EPCI, asks the first applicant
for complements, scores both on the call's five criteria, ranks them under the territory cap and transmits them to the
regional committee.

As Sophie Fabre, instructor of the Ariège (``instructeur.09@demo.test``), I open my queue, open the Couserans dossier
filed on the 2024 call, start its instruction and ask for complements with a due date. Camille Roux, the applicant
(``porteur.ariege@demo.test``), sees the request on her dossier, rewrites her diagnostic and transmits the complements:
a version 2 is filed. I see it, declare the dossier admissible, score it on the five criteria with a justification
each, propose an amount and an opinion, and close the evaluation. A second dossier of the same EPCI (CC
Couserans-Pyrénées, another association) gets a quicker evaluation whose proposal makes the territory exceed the
62 000 € cap: the ranking page and the transmission say so (``TERRITORY_CAP_EXCEEDED``). I reopen that evaluation,
lower the proposal, rank the two dossiers, transmit, and download the departmental summary.
"""

import datetime as dt
import json
import re
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from pactes.accounts.models import Role, User
from pactes.demo.accounts import DEMO_PASSWORD
from pactes.dossiers.filing import dossier_file
from pactes.dossiers.interchange import EXAMPLE_PATH, document_to_dossier
from pactes.dossiers.models import Dossier
from tests.browser.login import log_in

pytestmark = pytest.mark.django_db(transaction=True)

INSTRUCTOR = "instructeur.09@demo.test"
APPLICANT = "porteur.ariege@demo.test"
RIVAL_APPLICANT = "porteur.haut-salat@demo.test"
RIVAL_TITLE = "Épicerie sociale et jardin partagé du Haut-Salat"
COUSERANS_EPCI = "200067940"
NEW_DIAGNOSTIC = (
    "Diagnostic complété à la demande de la DDETS-PP : 412 familles monoparentales allocataires du RSA dans la CC "
    "Couserans-Pyrénées (CAF de l'Ariège, décembre 2023), dont 38 % sans solution de garde."
)


# -- setup: the rival dossier of the same EPCI, filed before the deadline through the services ---------------------
def file_rival_dossier(call) -> Dossier:
    """Another association of the CC Couserans-Pyrénées files on the same call, three days before its deadline."""
    config = call.rules
    applicant = User.objects.create_user(
        RIVAL_APPLICANT, DEMO_PASSWORD, first_name="Lucie", last_name="Barrau", role=Role.APPLICANT
    )
    document = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
    document["call"] = call.slug
    document.pop("submitted_at", None)
    document["title"] = RIVAL_TITLE
    document["applicant"].update({"name": "Centre social du Haut-Salat", "siret": "51238709200012", "consortium": []})
    document["perimeter"] = {"epci": [COUSERANS_EPCI], "communes": []}
    start = config.latest_start - dt.timedelta(days=27)
    for i, action in enumerate(document["actions"]):
        action["start"] = (start + dt.timedelta(days=14 * i)).isoformat()
        action["end"] = min(start + dt.timedelta(days=300), config.latest_end).isoformat()
    dossier = document_to_dossier(document, by=applicant)
    dossier_file(dossier=dossier, by=applicant, now=config.filing_closes_at - dt.timedelta(days=3), notify=False)
    dossier.refresh_from_db()
    return dossier


# -- helpers --------------------------------------------------------------------------------------------------------
def field(scope: Page | Locator, label: str) -> Locator:
    """The field whose label starts with ``label`` (the DSFR adds a « * » marker and the help text to the label)."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s|\*|$)"))


def tick(box: Locator) -> None:
    """Ticks a DSFR checkbox through its label, as a person would (see the applicant's filing journey)."""
    box.check(force=True)
    expect(box).to_be_checked()


def state_badge(page: Page) -> Locator:
    return page.get_by_role("main").locator("[data-state]").first


def form_with_button(page: Page, button: str) -> Locator:
    return page.locator("form").filter(has=page.get_by_role("button", name=button, exact=True))


def fire(page: Page, transition: str, state_label: str, reference: str) -> None:
    """Clicks a transition button of the instruction page and reads the new state."""
    page.get_by_role("button", name=transition, exact=True).click()
    expect(page.get_by_text(f"Le dossier {reference} est maintenant « {state_label} ».")).to_be_visible()
    expect(state_badge(page)).to_have_text(state_label)


def score_on_five_criteria(page: Page, scores: list[int], justification: str) -> None:
    """Fills « Ma grille d'évaluation »: a score and a written justification per criterion, then saves it."""
    sheet = form_with_button(page, "Enregistrer ma grille")
    for number, score in enumerate(scores, start=1):
        sheet.get_by_label(re.compile(rf"^\s*C{number} — ")).select_option(value=str(score))
        field(sheet, f"Justification du critère C{number}").fill(f"{justification} (critère C{number}).")
    sheet.get_by_role("button", name="Enregistrer ma grille").click()
    expect(page.get_by_text("Votre grille d'évaluation a été enregistrée.")).to_be_visible()


def propose(page: Page, amount: str, opinion: str) -> None:
    """The département's consolidated proposal. Both forms of the page name their fields ``proposed_amount`` and
    ``opinion`` with the same ids, so the proposal's fields are found by name inside their own form."""
    proposal = form_with_button(page, "Enregistrer la proposition")
    proposal.locator("[name=proposed_amount]").fill(amount)
    proposal.locator("[name=opinion]").select_option(label=opinion)
    proposal.get_by_role("button", name="Enregistrer la proposition").click()
    expect(page.get_by_text("La proposition de la DDETS-PP a été enregistrée.")).to_be_visible()


def close_evaluation(page: Page, reference: str) -> None:
    expect(page.locator("#clore + .fr-callout")).to_have_count(0)  # nothing left « Avant de clore l'évaluation »
    page.get_by_role("button", name="Clore l'évaluation").click()
    expect(page.get_by_text(f"L'évaluation du dossier {reference} est close")).to_be_visible()
    expect(page.get_by_text("Évalué", exact=True).first).to_be_visible()


def pdf_text(path) -> str:
    assert path.read_bytes().startswith(b"%PDF-")
    return subprocess.run(["/usr/bin/pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


# -- the journey ----------------------------------------------------------------------------------------------------
def test_instructor_asks_complements_scores_ranks_two_dossiers_of_one_epci_and_transmits(
    page: Page, browser: Browser, browser_context_args, live_server, demo_platform, tmp_path
):
    call = demo_platform["pts-occitanie-2024"]
    couserans = Dossier.objects.get(call=call, created_by__email=APPLICANT, state="depose")
    rival = file_rival_dossier(call)
    assert rival.departement.code == "09" and rival.state == "depose"
    first, second = couserans.reference, rival.reference
    due_on = timezone.localdate() + dt.timedelta(days=10)

    # The instructor opens the queue and the Couserans dossier, and starts its instruction.
    log_in(page, INSTRUCTOR)
    page.get_by_role("link", name="Dossiers à instruire").click()
    expect(page.get_by_role("heading", level=1, name="Instruction des dossiers")).to_be_visible()
    queue = page.get_by_role("table", name="Dossiers à instruire")
    expect(queue.locator(f"tr[data-reference='{first}']")).to_contain_text("Déposé")
    expect(queue.locator(f"tr[data-reference='{second}']")).to_contain_text("Centre social du Haut-Salat")
    queue.get_by_role("link", name=first, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Dossier {first}")
    fire(page, "Commencer l'instruction", "En instruction", first)

    # She asks for complements: a reason and a due date.
    request = page.locator("#demander-complements")
    request.get_by_role("button", name="Demander des compléments").click()
    expect(request.get_by_text("Décrivez les compléments demandés au porteur.")).to_be_visible()
    field(request, "Compléments demandés").fill(
        "Merci de chiffrer le nombre de familles monoparentales concernées dans le diagnostic."
    )
    field(request, "À transmettre au plus tard le").fill(due_on.isoformat())
    request.get_by_role("button", name="Demander des compléments").click()
    expect(page.get_by_text("Les compléments ont été demandés au porteur")).to_be_visible()
    expect(state_badge(page)).to_have_text("Compléments demandés")

    # The applicant, in her own browser, sees the request, rewrites her diagnostic and transmits the complements.
    applicant_context = browser.new_context(**browser_context_args)
    try:
        applicant = applicant_context.new_page()
        applicant.set_default_timeout(10_000)
        log_in(applicant, APPLICANT)
        applicant.get_by_role("link", name=first, exact=True).click()
        callout = applicant.locator("#complements")
        expect(callout.get_by_role("heading", name="Compléments demandés par l'instruction")).to_be_visible()
        expect(callout).to_contain_text("Merci de chiffrer le nombre de familles monoparentales")
        applicant.get_by_role("link", name="Diagnostic", exact=True).click()
        applicant.get_by_label("Diagnostic : besoins identifiés").fill(NEW_DIAGNOSTIC)
        applicant.get_by_role("button", name="Enregistrer", exact=True).click()
        expect(applicant.get_by_text("Étape « Diagnostic » enregistrée.")).to_be_visible()
        applicant.goto(reverse("dossiers:detail", args=[first]))
        applicant.locator("#complements").get_by_role("link", name="Transmettre les compléments").click()
        expect(applicant.get_by_text("les compléments peuvent être transmis")).to_be_visible()
        tick(applicant.get_by_label("Je certifie l'exactitude des informations fournies"))
        applicant.get_by_role("button", name="Transmettre les compléments").click()
        expect(applicant.get_by_text(re.compile("Vos compléments ont été transmis"))).to_be_visible()
        expect(applicant.get_by_role("button", name="Transmettre les compléments")).to_have_count(0)
    finally:
        applicant_context.close()

    # The instructor sees version 2, with the new diagnostic, and declares the dossier admissible.
    page.reload()
    expect(state_badge(page)).to_have_text("En instruction")
    versions = page.get_by_role("table", name="Versions déposées par le porteur")
    expect(versions.get_by_role("row")).to_have_count(3)
    expect(page.get_by_text("Version 2 — déposée le")).to_be_visible()
    expect(page.locator("#contenu")).to_contain_text("412 familles monoparentales")
    expect(page.get_by_role("table", name="Demandes de compléments")).to_contain_text("version 2")
    fire(page, "Déclarer recevable", "Recevable", first)

    # She scores the dossier on the five criteria, proposes 40 000 € with a favourable opinion, closes the evaluation.
    page.get_by_role("link", name="Évaluation qualité").click()
    expect(page.get_by_role("heading", level=1, name=f"Évaluation qualité — dossier {first}")).to_be_visible()
    score_on_five_criteria(page, [4, 3, 4, 3, 2], "Diagnostic chiffré, publics prioritaires bien identifiés")
    board = page.get_by_role("table", name=re.compile("Notes par critère"))
    expect(board.get_by_role("row", name=re.compile("Note pondérée"))).to_contain_text("3,2")
    propose(page, "40 000", "Favorable")
    close_evaluation(page, first)

    # The rival dossier of the same EPCI: instructed and scored more quickly, with 30 000 € proposed.
    page.goto(reverse("instruction:dossier", args=[second]))
    fire(page, "Commencer l'instruction", "En instruction", second)
    fire(page, "Déclarer recevable", "Recevable", second)
    page.get_by_role("link", name="Évaluation qualité").click()
    score_on_five_criteria(page, [3, 2, 4, 3, 3], "Projet complémentaire, diagnostic plus général")
    propose(page, "30 000", "Réservé")
    close_evaluation(page, second)

    # The territory's proposals cumulate 70 000 €: over the cap, the ranking and the transmission say so.
    page.get_by_role("link", name="Classement par territoire").click()
    expect(page.get_by_role("heading", level=1, name="Classement par territoire")).to_be_visible()
    expect(page.locator("[data-code=TERRITORY_CAP_EXCEEDED]").first).to_contain_text("70\u202f000\xa0€")
    page.get_by_role("link", name="Transmettre au comité régional").click()
    expect(page.get_by_role("heading", level=3, name="La transmission n'est pas encore possible")).to_be_visible()
    page.get_by_role("button", name="Transmettre au comité régional").click()
    expect(page.get_by_role("heading", name="La transmission est refusée")).to_be_visible()
    expect(page.locator("[role=alert] [data-code=TERRITORY_CAP_EXCEEDED]")).to_be_visible()

    # She reopens the rival's evaluation and lowers its proposal to 22 000 €: 62 000 € in all, the cap exactly.
    page.goto(reverse("assessment:score", args=[second]))
    page.get_by_role("button", name="Rouvrir l'évaluation").click()
    expect(page.get_by_text(f"L'évaluation du dossier {second} est rouverte.")).to_be_visible()
    propose(page, "22 000", "Réservé")
    close_evaluation(page, second)

    # She ranks the rival first in the CC Couserans-Pyrénées, then the Couserans dossier.
    page.get_by_role("link", name="Classement par territoire").click()
    territory = page.get_by_role("table", name=re.compile("Dossiers évalués du territoire"))
    expect(territory.get_by_role("row")).to_have_count(4)  # header, two dossiers, total
    expect(page.locator("[data-code=TERRITORY_CAP_EXCEEDED]")).to_have_count(0)
    page.get_by_label(f"Rang de {first}").fill("2")
    page.get_by_label(f"Rang de {second}").fill("1")
    page.get_by_role("button", name="Enregistrer le classement").click()
    expect(page.get_by_text("Le classement a été enregistré.")).to_be_visible()
    expect(page.get_by_text("Classement complet, plafond respecté")).to_be_visible()
    rows = territory.get_by_role("row")
    expect(rows.nth(1)).to_contain_text(second)
    expect(rows.nth(1).get_by_role("cell").first).to_have_text("1")
    expect(rows.nth(2)).to_contain_text(first)
    expect(rows.last).to_contain_text("62\u202f000\xa0€")

    # She transmits to the regional committee and downloads the departmental summary.
    page.get_by_role("link", name="Transmettre au comité régional").click()
    expect(page.get_by_text("Tous les territoires sont classés et sous le plafond")).to_be_visible()
    page.get_by_label("Observations de la DDETS-PP").fill("Deux projets concurrents sur le Couserans, classés.")
    page.get_by_role("button", name="Transmettre au comité régional").click()
    expect(page.get_by_text("2 dossiers transmis au comité régional")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Synthèse départementale")).click()
    summary = tmp_path / "synthese.pdf"
    download_info.value.save_as(summary)
    text = pdf_text(summary)
    assert first in text and second in text

    for dossier in (couserans, rival):
        dossier.refresh_from_db()
        assert dossier.state == "transmis"
