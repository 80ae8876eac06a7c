"""Journey (issue 3): the demo applicant builds a dossier from scratch on the demonstration call, is stopped by the
cofinancing rule, fixes the budget, files the dossier and downloads the receipt.

As Camille Roux of the Association Solidarités Couserans (``porteur.ariege@demo.test``), I create a new dossier,
fill its ten steps — porteur, périmètre (CC Couserans-Pyrénées), diagnostic, one priority, one action with an impact
measure, a partner lending staff valued quantity × unit value, a budget — and the rules panel tells me my cofinancing
is too low (``COFINANCING_TOO_LOW``); I raise the cofinancing, the rule is met, I describe the expected impact,
attach a PDF, certify and file; I get the dossier number and download the receipt (accusé de réception).
"""

import datetime as dt
import re
import subprocess

import pytest
from playwright.sync_api import Locator, Page, expect
from weasyprint import HTML

from tests.browser.login import log_in

pytestmark = pytest.mark.django_db(transaction=True)

APPLICANT = "porteur.ariege@demo.test"
PROJECT = "Maison des solidarités mobile du Haut-Couserans"
PARTNER = "Centre communal d'action sociale de Saint-Girons"


def field(page: Page, label: str) -> Locator:
    """The field whose label starts with ``label`` (the DSFR adds a « * » marker and the help text to the label)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s|\*|$)"))


def tick(box: Locator) -> None:
    """Ticks a DSFR checkbox or radio: the DSFR draws the box on its label, laid over the input, so the click goes
    through the label as a person's would (``force`` skips Playwright's "covered by another element" wait)."""
    box.check(force=True)
    expect(box).to_be_checked()


def save_and_continue(page: Page) -> None:
    page.get_by_role("button", name="Enregistrer et continuer").click()


def rules_panel(page: Page) -> Locator:
    return page.get_by_role("complementary", name="Règles de l'appel")


def rule_line(page: Page, label: str) -> Locator:
    return rules_panel(page).get_by_role("listitem").filter(has_text=label).first


def a_small_pdf() -> bytes:
    return HTML(string="<h1>Statuts de l'association Solidarités Couserans</h1><p>Article 1 : objet.</p>").write_pdf()


def fill_budget(page: Page, *, state_grant: str, departement: str, own_funds: str) -> None:
    page.get_by_label("Subvention demandée à l'État").fill(state_grant)
    page.get_by_label("Fonds propres du porteur").fill(own_funds)
    page.get_by_label("Financeur — Cofinancements, ligne 1").fill("Conseil départemental de l'Ariège")
    page.get_by_label("Montant — Cofinancements, ligne 1").fill(departement)
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Étape « Budget » enregistrée.")).to_be_visible()


def test_applicant_fills_a_dossier_from_scratch_fixes_the_cofinancing_files_and_gets_the_receipt(
    page: Page, live_server, demo_platform, tmp_path
):
    config = demo_platform["pts-occitanie-demo"].rules
    start = config.latest_start - dt.timedelta(days=30)
    end = start + dt.timedelta(days=300)
    assert end <= config.latest_end

    # Log in and start a new dossier from « Mon espace ».
    log_in(page, APPLICANT)
    page.get_by_role("link", name="Nouveau dossier").click()
    expect(page.get_by_role("heading", level=1, name="Nouveau dossier")).to_be_visible()
    field(page, "Appel").select_option(label="Démonstration — Pactes territoriaux des solidarités en Occitanie")
    page.get_by_label("Intitulé du projet").fill(PROJECT)
    page.get_by_label("Organisation porteuse").select_option(
        label="Association Solidarités Couserans — SIRET 83914701400014"
    )
    page.get_by_role("button", name="Créer le dossier").click()
    created = page.get_by_text(re.compile(r"Le dossier \S+ est créé"))
    expect(created).to_be_visible()
    reference = re.search(r"Le dossier (\S+) est créé", created.inner_text()).group(1)

    # 1. Porteur: the organisation is known; add its legal representative and contact.
    expect(field(page, "Raison sociale de l'organisation porteuse")).to_have_value("Association Solidarités Couserans")
    page.get_by_label("Représentant légal").fill("Camille Roux, présidente")
    page.get_by_label("Personne à contacter").fill("Camille Roux — camille.roux@solidarites-couserans.example")
    save_and_continue(page)

    # 2. Périmètre: the CC Couserans-Pyrénées, offered first as eligible; its INSEE indicators appear once saved.
    tick(page.get_by_label("un ou plusieurs EPCI entiers"))
    tick(page.get_by_label("CC Couserans-Pyrénées — éligible"))
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_role("table", name=re.compile("EPCI CC Couserans-Pyrénées"))).to_contain_text("Éligible")
    save_and_continue(page)

    # 3. Diagnostic.
    page.get_by_label("Diagnostic : besoins identifiés").fill(
        "Médiane du niveau de vie de 19 380 € (Insee, Filosofi 2019), l'une des plus basses d'Occitanie ; "
        "30 communes de montagne sans service social de proximité."
    )
    page.get_by_label("Articulation et complémentarité").fill(
        "Complète le contrat départemental des solidarités de l'Ariège (volet accès aux droits) sans le recouper."
    )
    save_and_continue(page)

    # 4. Priorités: one, tied to a measure of the Pacte, with its publics.
    page.get_by_label("Intitulé de la priorité").fill("Aller vers les ménages isolés pour lutter contre le non-recours")
    tick(page.get_by_role("group", name="Mesures du Pacte des solidarités").get_by_role("checkbox").first)
    tick(page.get_by_label("Les familles monoparentales"))
    tick(page.get_by_label("Les exclus"))
    save_and_continue(page)

    # 5. Plan d'actions: one action inside the call's window, with an impact measure.
    page.get_by_role("link", name="Ajouter une action").click()
    page.get_by_label("Intitulé de l'action").fill("Tournées hebdomadaires d'un véhicule d'accès aux droits")
    page.get_by_label("Description").fill("Un travailleur social et un conseiller numérique dans 30 communes.")
    page.get_by_label("Échelon territorial").select_option(label="EPCI")
    tick(page.get_by_label("Les exclus"))
    page.get_by_label("Autres partenaires engagés").fill(PARTNER)
    page.get_by_label("Date de début").fill(start.isoformat())
    page.get_by_label("Date de fin").fill(end.isoformat())
    page.get_by_label("Indicateur").fill("Ménages accompagnés dans l'ouverture de leurs droits")
    field(page, "Unité").fill("ménages")
    page.get_by_label("Valeur de départ").fill("0")
    page.get_by_label("Cible").fill("250")
    page.get_by_label("Méthode de mesure").fill("Registre des accompagnements")
    page.get_by_label("Fréquence").fill("trimestrielle")
    page.get_by_role("button", name="Enregistrer l'action").click()
    expect(
        page.get_by_text("Action « Tournées hebdomadaires d'un véhicule d'accès aux droits » enregistrée.")
    ).to_be_visible()
    expect(rule_line(page, "ACTION_INCOMPLETE")).to_have_count(0)
    save_and_continue(page)

    # 6. Partenaires: a staff contribution, valued quantity × unit value (2,4 ETP-mois × 3 500 € = 8 400 €).
    field(page, "Partenaire").fill(PARTNER)
    page.get_by_label("Nature de la contribution").select_option(label="En moyens humains")
    page.get_by_label("Quantité").fill("2,4")
    field(page, "Unité").fill("ETP-mois")
    page.get_by_label("Valeur unitaire").fill("3 500")
    page.get_by_label("Base du calcul").fill("0,2 ETP × 12 mois × 3 500 €")
    save_and_continue(page)
    # Typed once: the budget shows the valuation read-only, as the partners step computed it.
    in_kind = page.get_by_role("table", name="Contributions en nature et en moyens humains")
    expect(in_kind).to_contain_text(PARTNER)
    expect(in_kind).to_contain_text("8\u202f400\xa0€")

    # 7. Budget: the State is asked too much, the cofinancing is under 50 %.
    page.get_by_label("Libellé — Dépenses prévisionnelles, ligne 1").fill("Véhicule, personnel et fonctionnement")
    page.get_by_label("Catégorie — Dépenses prévisionnelles, ligne 1").fill("Frais de personnel")
    page.get_by_label("Montant — Dépenses prévisionnelles, ligne 1").fill("100 000")
    fill_budget(page, state_grant="62 000", departement="28 000", own_funds="10 000")
    cofinancing_rule = rule_line(page, "Le cofinancement atteint le taux minimal")
    expect(cofinancing_rule).to_contain_text("Bloquant : Le cofinancement atteint le taux minimal")
    expect(cofinancing_rule).to_contain_text("il doit en couvrir au moins 50 %")
    expect(rules_panel(page).locator("[data-figure=cofinancing_rate]")).to_contain_text("38")

    # … so the applicant asks the State less and the département more: exactly 50 %, the rule is met.
    fill_budget(page, state_grant="50 000", departement="40 000", own_funds="10 000")
    expect(cofinancing_rule).not_to_contain_text("Bloquant")
    expect(cofinancing_rule).to_contain_text("Respectée")
    save_and_continue(page)

    # 8. Impact attendu.
    page.get_by_label("Impact réel attendu sur les bénéficiaires").fill(
        "250 ménages isolés ouvrent les droits auxquels ils peuvent prétendre (RSA, prime d'activité, CSS)."
    )
    page.get_by_label("Comment cet impact est mesuré").fill("Suivi trimestriel du registre et enquête à 12 mois.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(rules_panel(page).get_by_text("Toutes les règles bloquantes sont respectées")).to_be_visible()
    save_and_continue(page)

    # 9. Pièces jointes: a real PDF, checked by its content.
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    page.get_by_label("Type de pièce").select_option(label="Statuts")
    page.get_by_label("Fichier").set_input_files(
        files=[{"name": "statuts.pdf", "mimeType": "application/pdf", "buffer": a_small_pdf()}]
    )
    page.get_by_role("button", name="Ajouter la pièce").click()
    expect(page.get_by_text("La pièce « statuts.pdf » a été ajoutée au dossier.")).to_be_visible()
    expect(page.get_by_role("table", name="Pièces jointes du dossier")).to_contain_text("Statuts")
    page.get_by_role("link", name="Étape suivante : récapitulatif et dépôt").click()

    # 10. Récapitulatif et dépôt.
    expect(page.get_by_text("Toutes les règles de l'appel sont respectées")).to_be_visible()
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.get_by_text("Cochez la case de certification pour déposer le dossier.")).to_be_visible()
    tick(page.get_by_label("Je certifie l'exactitude des informations fournies"))
    page.get_by_role("button", name="Déposer le dossier").click()

    expect(page.get_by_text(re.compile("Votre dossier a été déposé : reçu le"))).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.get_by_text("Déposé", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Déposer le dossier")).to_have_count(0)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Accusé de réception")).click()
    receipt = tmp_path / "accuse.pdf"
    download_info.value.save_as(receipt)
    assert receipt.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(["/usr/bin/pdftotext", str(receipt), "-"], capture_output=True, text=True, check=True).stdout
    assert reference in text
    assert "Accusé de réception" in text
