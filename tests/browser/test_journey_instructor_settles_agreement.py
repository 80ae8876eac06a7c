"""Journey (issue 5): from a retained project to its settlement — convention, signatures, EJ, payments, follow-up,
final report and balance.

Setup, through the services: the Couserans dossier of the Ariège (2024 call) was instructed and transmitted by the
DDETS-PP, then retained for 40 000 € by the regional committee in a closed session.

As Sophie Fabre, instructor of the Ariège (``instructeur.09@demo.test``), I open « Conventions et paiements », open
the convention page of the dossier, generate the convention and download its PDF (the amount and the carrier are in
it), send it to the carrier, upload the convention signed by the carrier (a PDF received by post), record the State's
signature, enter the legal commitment (EJ, refused first with 9 digits) and record the advance of 20 000 €.
Camille Roux, the carrier (``porteur.ariege@demo.test``), in her own browser, opens « Suivi des projets retenus »,
enters a measured value of her impact indicator and a progress note, then writes her final report with the financial
statement: a line more than 15 % below plan is refused until its variance is explained; she explains it and submits.
I validate the final report: the balance of the grant justified pro rata of the expenses made is put into payment;
I record its payment when made and the convention
and the dossier are « Soldé(e) ».
"""

import re
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Locator, Page, expect
from weasyprint import HTML

from pactes.accounts.models import User
from pactes.agreements.services import today_for
from pactes.dossiers.models import Dossier
from pactes.followup.models import Report
from pactes.rules.money import euros
from tests.agreements.fixtures import retain
from tests.browser.login import log_in

pytestmark = pytest.mark.django_db(transaction=True)

INSTRUCTOR = "instructeur.09@demo.test"
APPLICANT = "porteur.ariege@demo.test"
CARRIER = "Association Solidarités Couserans"
AWARDED = Decimal("40000.00")
ADVANCE = Decimal("20000.00")  # the call's schedule: 50 % at signature
EJ = "2103456789"
# The final financial statement: every line as planned except these (planned → actual, explanation).
MATERIAL = "Achats — Matériel et fournitures"  # planned 6 000 €
STATE_GRANT = "Subvention de l'État"  # planned 62 000 € (requested), 40 000 € awarded
ACTUALS = {MATERIAL: Decimal("4500.00"), STATE_GRANT: Decimal("40000.00")}
EXPLANATIONS = {
    MATERIAL: "Matériel de puériculture prêté par la commune de Saint-Girons : achats moindres.",
    STATE_GRANT: "Le comité régional a attribué 40 000 € au lieu des 62 000 € demandés.",
}


# -- helpers --------------------------------------------------------------------------------------------------------
def field(scope: Page | Locator, label: str) -> Locator:
    """The field whose label starts with ``label`` (the DSFR adds a « * » marker and the help text to the label)."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s|\*|$)"))


def tick(box: Locator) -> None:
    """Ticks a DSFR checkbox or radio through its label, as a person would (see the applicant's filing journey)."""
    box.check(force=True)
    expect(box).to_be_checked()


def form_with_button(page: Page, button: str) -> Locator:
    return page.locator("form").filter(has=page.get_by_role("button", name=button, exact=True))


def pdf_text(path) -> str:
    assert path.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(["/usr/bin/pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def signed_scan() -> bytes:
    """What the carrier sends back by post, scanned: a small valid PDF."""
    return HTML(
        string=f"<h1>Convention signée</h1><p>Pour l'{CARRIER}, la présidente, Camille Roux (signature).</p>"
    ).write_pdf()


def retained_couserans(call) -> Dossier:
    """The Couserans dossier walked to « retenu » through the services, 40 000 € awarded by a closed session."""
    users = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.test")}
    dossier = Dossier.objects.get(call=call, departement__code="09", state="depose")
    return retain(dossier, users, AWARDED)


def alert_success(page: Page, text: str) -> None:
    expect(page.locator(".fr-alert--success").filter(has_text=text).first).to_be_visible()


# -- the journey ----------------------------------------------------------------------------------------------------
def test_instructor_signs_engages_and_pays_the_carrier_reports_and_the_final_report_settles_the_dossier(
    page: Page, browser: Browser, browser_context_args, live_server, demo_platform, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    call = demo_platform["pts-occitanie-2024"]
    dossier = retained_couserans(call)
    reference = dossier.reference
    today = today_for(call)

    # 1. The instructor opens « Conventions et paiements »: the retained dossier awaits its convention.
    log_in(page, INSTRUCTOR)
    page.get_by_role("link", name="Conventions et paiements").click()
    expect(page.get_by_role("heading", level=1, name="Conventions, engagements et versements")).to_be_visible()
    row = (
        page.get_by_role("table", name="Conventions des projets retenus").get_by_role("row").filter(has_text=reference)
    )
    expect(row).to_contain_text("À établir")
    expect(row).to_contain_text(euros(AWARDED))
    row.get_by_role("link", name=reference, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=f"Convention du dossier {reference}")).to_be_visible()
    expect(page.get_by_text("Convention à établir")).to_be_visible()

    # She generates the convention and downloads its PDF: the carrier and the amount are in it.
    page.get_by_role("button", name="Générer la convention").click()
    alert_success(page, "La convention est générée")
    expect(page.get_by_text("Brouillon", exact=True)).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Convention (PDF)").click()
    convention = tmp_path / "convention.pdf"
    download_info.value.save_as(convention)
    text = pdf_text(convention)
    assert CARRIER in text
    assert "40 000" in text
    assert reference in text

    # She sends it to the carrier for signature.
    page.get_by_role("button", name="Envoyer au porteur pour signature").click()
    alert_success(page, "Convention : « Envoyée au porteur ».")

    # The signed convention comes back by post: she uploads the scan with the carrier's signature date.
    upload = form_with_button(page, "Déposer la convention signée")
    field(upload, "Convention signée par le porteur (PDF)").set_input_files(
        files=[{"name": "convention-signee.pdf", "mimeType": "application/pdf", "buffer": signed_scan()}]
    )
    field(upload, "Date de signature par le porteur").fill(today.isoformat())
    upload.get_by_role("button", name="Déposer la convention signée").click()
    alert_success(page, "La convention signée par le porteur est déposée.")
    expect(page.get_by_role("link", name="Convention signée par le porteur (PDF)")).to_be_visible()

    # The préfet signs: the convention is in force.
    signature = form_with_button(page, "Enregistrer la signature de l'État")
    field(signature, "Date").fill(today.isoformat())
    signature.get_by_role("button", name="Enregistrer la signature de l'État").click()
    alert_success(page, "Convention : « Signée (en vigueur) ».")
    expect(page.locator("dt", has_text="Signée par l'État le").locator("xpath=following-sibling::dd[1]")).to_have_text(
        today.strftime("%d/%m/%Y")
    )

    # The legal commitment (EJ) from Chorus: 9 digits are refused, 10 are recorded.
    commitment = form_with_button(page, "Enregistrer l'engagement")
    field(commitment, "Numéro d'engagement juridique (EJ)").fill("210345678")
    field(commitment, "Date de l'engagement").fill(today.isoformat())
    commitment.get_by_role("button", name="Enregistrer l'engagement").click()
    expect(page.get_by_text("Le numéro d'engagement juridique (EJ) compte 10 chiffres").first).to_be_visible()
    commitment = form_with_button(page, "Enregistrer l'engagement")
    field(commitment, "Numéro d'engagement juridique (EJ)").fill(EJ)
    field(commitment, "Date de l'engagement").fill(today.isoformat())
    commitment.get_by_role("button", name="Enregistrer l'engagement").click()
    alert_success(page, f"Engagement juridique n° {EJ} enregistré.")
    expect(page.get_by_text(f"EJ n° {EJ} du {today:%d/%m/%Y}.")).to_be_visible()

    # The advance at signature.
    payment = form_with_button(page, "Enregistrer le versement")
    field(payment, "Échéance").select_option(label="Avance à la signature de la convention")
    field(payment, "Montant versé (€)").fill("20 000")
    field(payment, "Date du versement").fill(today.isoformat())
    field(payment, "Référence (Chorus)").fill("DP-2024-0915")
    payment.get_by_role("button", name="Enregistrer le versement").click()
    alert_success(page, f"Versement de {euros(ADVANCE)} du {today:%d/%m/%Y} enregistré.")
    paid = page.get_by_role("table", name="Versements effectués")
    expect(paid.get_by_role("row").filter(has_text="DP-2024-0915")).to_contain_text(euros(ADVANCE))
    expect(page.get_by_text(f"reste à verser : {euros(AWARDED - ADVANCE)}")).to_be_visible()

    # 2. The carrier, in her own browser, reports on her project.
    carrier_context = browser.new_context(**browser_context_args)
    try:
        carrier = carrier_context.new_page()
        carrier.set_default_timeout(10_000)
        log_in(carrier, APPLICANT)
        carrier.get_by_role("link", name="Suivi des projets retenus").click()
        expect(carrier.get_by_role("heading", level=1, name="Suivi des projets retenus")).to_be_visible()
        carrier.get_by_role("table", name="Projets suivis").get_by_role("link", name=reference, exact=True).click()
        expect(carrier.get_by_role("heading", level=1, name=f"Suivi du dossier {reference}")).to_be_visible()
        expect(
            carrier.get_by_text(f"Convention : Signée (en vigueur) · subvention attribuée {euros(AWARDED)}")
        ).to_be_visible()

        # A measured value of her indicator.
        carrier.get_by_role("link", name="Saisir une valeur mesurée").first.click()
        expect(carrier.get_by_role("heading", level=1)).to_contain_text("Familles bénéficiaires ayant repris un emploi")
        field(carrier, "Valeur mesurée").fill("18")
        field(carrier, "Date de la mesure").fill(today.isoformat())
        field(carrier, "Commentaire").fill("Bilan des parcours à la fin des actions (suivi nominatif).")
        carrier.get_by_role("button", name="Enregistrer", exact=True).click()
        alert_success(carrier, "La valeur mesurée est enregistrée.")
        values = carrier.get_by_role("table", name="Valeurs de l'indicateur").first
        expect(values.get_by_role("row").filter(has_text=today.strftime("%d/%m/%Y"))).to_contain_text("18")

        # A progress note on the first action.
        carrier.get_by_role("link", name="Ajouter un point d'avancement").first.click()
        field(carrier, "Date du point d'avancement").fill(today.isoformat())
        field(carrier, "Taux de réalisation (%)").fill("100")
        field(carrier, "Avancement de l'action").fill("Action terminée : 31 familles accompagnées, 18 en emploi.")
        carrier.get_by_role("button", name="Enregistrer", exact=True).click()
        alert_success(carrier, "Le point d'avancement est enregistré.")
        expect(carrier.get_by_role("table", name="Points d'avancement").first).to_contain_text("100 %")

        # The final report: the statement starts from the filed budget.
        reports = carrier.get_by_role("table", name="Bilan intermédiaire et bilan final")
        reports.get_by_role("row").filter(has_text="Bilan final").get_by_role("link", name="Commencer").click()
        expect(carrier.get_by_role("heading", level=1, name="Bilan final et compte rendu financier")).to_be_visible()
        lines = list(Report.objects.get(dossier=dossier, kind="final").lines.order_by("side", "position"))
        assert any(line.label.startswith(STATE_GRANT) for line in lines)

        def actual_of(label: str) -> Decimal | None:
            return next((amount for prefix, amount in ACTUALS.items() if label.startswith(prefix)), None)

        # First version: the actual amounts, the material's variance (-25 %) explained, not the grant's (-35 %).
        carrier.get_by_role("link", name="Rédiger ou compléter").click()
        field(carrier, "Bilan qualitatif").fill(
            "Les deux actions ont été menées à terme : 31 familles accompagnées vers la garde en horaires atypiques, "
            "18 ont repris un emploi ou une formation ; 12 ateliers parents-enfants dans 6 communes."
        )
        for line in lines:
            actual = actual_of(line.label)
            amount = line.planned if actual is None else actual
            field(carrier, f"Réalisé — {line.label}").fill(f"{amount:.2f}".replace(".", ","))
        field(carrier, f"Explication de l'écart — {MATERIAL}").fill(EXPLANATIONS[MATERIAL])
        carrier.get_by_role("button", name="Enregistrer", exact=True).click()
        alert_success(carrier, "Le bilan est enregistré.")
        before = carrier.locator(".fr-callout").filter(has_text="Avant de remettre le bilan")
        expect(before).to_contain_text(f"Ligne « {STATE_GRANT}")
        expect(before).to_contain_text("expliquez cet écart")
        expect(carrier.get_by_role("button", name="Remettre le bilan à la DDETS-PP")).to_be_disabled()

        # She explains the grant's variance and submits.
        carrier.get_by_role("link", name="Rédiger ou compléter").click()
        grant_line = next(line for line in lines if line.label.startswith(STATE_GRANT))
        field(carrier, f"Explication de l'écart — {grant_line.label}").fill(EXPLANATIONS[STATE_GRANT])
        carrier.get_by_role("button", name="Enregistrer", exact=True).click()
        alert_success(carrier, "Le bilan est enregistré.")
        expect(carrier.get_by_text("Avant de remettre le bilan")).to_have_count(0)
        carrier.get_by_role("button", name="Remettre le bilan à la DDETS-PP").click()
        alert_success(carrier, "Le bilan final et compte rendu financier est remis à la DDETS-PP.")
        expect(carrier.get_by_text("Remis à la DDETS-PP", exact=True)).to_be_visible()
    finally:
        carrier_context.close()

    # 3. The instructor reads the report: 122 500 € of the 124 000 € planned were spent, the grant justified pro rata.
    justified = Decimal("39516.13")  # 40 000 × 122 500 / 124 000
    balance = justified - ADVANCE
    page.goto("/espace/")  # still logged in, in her own browser
    page.get_by_role("link", name="Suivi des projets retenus").click()
    page.get_by_role("table", name="Projets suivis").get_by_role("link", name=reference, exact=True).click()
    reports = page.get_by_role("table", name="Bilan intermédiaire et bilan final")
    reports.get_by_role("row").filter(has_text="Bilan final").get_by_role("link", name="Consulter").click()
    statement = page.get_by_role("table", name="Prévu (budget déposé) et réalisé, par ligne")
    expect(statement.get_by_role("row").filter(has_text="Matériel et fournitures")).to_contain_text(
        EXPLANATIONS[MATERIAL]
    )
    expect(statement).to_contain_text(euros(Decimal("122500")))

    def settlement(term: str) -> Locator:
        return page.locator("dt", has_text=term).locator("xpath=following-sibling::dd[1]")

    expect(settlement("Subvention justifiée")).to_have_text(euros(justified))
    expect(settlement("Solde à verser")).to_have_text(euros(balance))
    expect(settlement("Subvention non consommée")).to_have_text(euros(Decimal("0")))

    # She validates it: the balance is put into payment; the convention stays in force until it is paid.
    decision = form_with_button(page, "Enregistrer la décision")
    tick(decision.get_by_label("Valider le bilan", exact=True))
    decision.get_by_role("button", name="Enregistrer la décision").click()
    alert_success(page, f"Bilan final validé : mise en paiement du solde de {euros(balance)} demandée.")
    expect(page.get_by_text("Validé", exact=True).first).to_be_visible()
    expect(page.get_by_role("button", name="Enregistrer la décision")).to_have_count(0)

    page.goto(reverse("agreements:detail", args=[dossier.pk]))
    expect(page.locator("#solde-mis-en-paiement")).to_contain_text(f"{euros(balance)} à verser")
    expect(page.get_by_text(f"reste à verser : {euros(balance)}")).to_be_visible()

    # The balance is paid: she records it with its date and Chorus reference; the convention is settled.
    payment = form_with_button(page, "Enregistrer le versement")
    field(payment, "Échéance").select_option(label="Solde à la validation du bilan final")
    field(payment, "Montant versé (€)").fill(str(balance).replace(".", ","))
    field(payment, "Date du versement").fill(today.isoformat())
    field(payment, "Référence (Chorus)").fill("DP-2025-1204")
    payment.get_by_role("button", name="Enregistrer le versement").click()
    expect(page.get_by_text("Soldée", exact=True).first).to_be_visible()
    paid = page.get_by_role("table", name="Versements effectués")
    expect(paid.get_by_role("row").filter(has_text="DP-2025-1204")).to_contain_text(euros(balance))
    expect(page.get_by_text(f"versé : {euros(justified)}")).to_be_visible()
    expect(page.get_by_text(f"reste à verser : {euros(Decimal('0'))}")).to_be_visible()
    expect(page.get_by_role("button", name="Enregistrer le versement")).to_have_count(0)

    page.goto(reverse("instruction:dossier", args=[reference]))
    expect(page.get_by_role("main").locator("[data-state]").first).to_have_text("Soldé")

    dossier.refresh_from_db()
    assert dossier.state == "solde"
    assert dossier.agreement.state == "soldee"
