"""Journey (issue 16, cases 1 and 9): a session is never opened before its date, and the jury gives its opinions.

Setup, through the services: the Ariège and Aude dossiers of the 2024 call were instructed, scored and transmitted by
their DDETS-PP; the regional envelope is 100 000 €; two more jury members exist for the quorum of 3.

As Hélène Garcia of the DREETS (``dreets@demo.test``), I plan the session for a day two months ahead: the page offers
no « Ouvrir la séance » and says why. Marc Delpech, jury member (``jury@demo.test``), in his own browser, reads the
agenda and gives his opinion on the Ariège dossier: « Réservé » without a comment is refused, with one it is saved;
Anne Jury gives « Favorable ». The committee finally meets today: I move the session to today's date, open it, tick
the presences, read both opinions beside the DDETS-PP's proposal on the dossier's page and decide; Marc may no
longer change his opinion once I close the session. The procès-verbal says the session was held today, lists the
members present and summarises the opinions; the letter is dated on or after the session.
"""

import datetime as dt
import re
import subprocess
from decimal import Decimal

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Locator, Page, expect

from pactes.accounts.models import Role, User
from pactes.assessment.services import evaluation_complete, proposal_update, score_sheet_save, transmission_create
from pactes.committee.models import CommitteeDecision, CommitteeSession, JuryOpinion
from pactes.demo.accounts import DEMO_PASSWORD
from pactes.dossiers.models import Dossier
from pactes.dossiers.services import dossier_transition
from pactes.rules.formatting import date_fr
from pactes.rules.scoring import CriterionScore
from tests.browser.login import log_in

pytestmark = pytest.mark.django_db(transaction=True)

DREETS = "dreets@demo.test"
JURY = "jury@demo.test"
SECOND_JURY = "jury.2@demo.test"
THIRD_JURY = "jury.3@demo.test"
RESERVATION = "Le diagnostic date de 2019 : l'actualiser avec la CAF avant la convention."


def transmit_through_services(dossier: Dossier, *, amount: str) -> Dossier:
    instructor = User.objects.get(role=Role.INSTRUCTOR, departement=dossier.departement)
    for transition in ("start_review", "declare_admissible"):
        dossier = dossier_transition(dossier=dossier, transition=transition, by=instructor)
    scores = [CriterionScore(c.code, 3, "Critère satisfait au vu du dossier.") for c in dossier.call.rules.criteria]
    score_sheet_save(
        dossier=dossier, instructor=instructor, scores=scores, proposed_amount=Decimal(amount), opinion="favorable"
    )
    proposal_update(dossier=dossier, by=instructor, proposed_amount=Decimal(amount), opinion="favorable")
    evaluation_complete(dossier=dossier, by=instructor)
    dossier.refresh_from_db()
    transmission_create(call=dossier.call, departement=dossier.departement, by=instructor)
    dossier.refresh_from_db()
    return dossier


def field(scope: Page | Locator, label: str) -> Locator:
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s|\*|$)"))


def tick(box: Locator) -> None:
    box.check(force=True)
    expect(box).to_be_checked()


def member(page: Page, email: str) -> Locator:
    return page.get_by_label(re.compile(re.escape(f"({email})")))


def pdf_text(path) -> str:
    assert path.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(["/usr/bin/pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def give_opinion(page: Page, session: CommitteeSession, reference: str, opinion: str, comment: str) -> None:
    page.goto(f"/comite/{session.pk}/")
    page.locator(f"#dossier-{reference}").get_by_role("link", name="Donner mon avis").click()
    expect(page.get_by_role("heading", level=2, name="Votre avis de membre du jury")).to_be_visible()
    tick(page.get_by_label(opinion, exact=True))
    field(page, "Commentaire").fill(comment)
    page.get_by_role("button", name="Enregistrer mon avis").click()


def test_a_future_session_cannot_be_opened_and_the_jury_opinions_reach_the_dreets_and_the_minutes(
    page: Page, browser: Browser, browser_context_args, live_server, demo_platform, tmp_path
):
    call = demo_platform["pts-occitanie-2024"]
    ariege = transmit_through_services(
        Dossier.objects.get(call=call, departement__code="09", state="depose"), amount="45000"
    )
    aude = transmit_through_services(
        Dossier.objects.get(call=call, departement__code="11", state="depose"), amount="30000"
    )
    call.regional_envelope = Decimal("100000.00")
    call.save(update_fields=["regional_envelope"])
    for email, first_name in ((SECOND_JURY, "Anne"), (THIRD_JURY, "Paul")):
        juror = User.objects.create_user(email, DEMO_PASSWORD, first_name=first_name, last_name="Jury", role=Role.JURY)
        # Staff log in with a second factor: each new jury member has an authenticator app (log_in types its code).
        TOTPDevice.objects.create(user=juror, name="Application d'authentification", confirmed=True)
    today = timezone.localdate()
    planned_for = today + dt.timedelta(days=59)

    # The DREETS plans the session two months ahead: it cannot be opened before that day.
    log_in(page, DREETS)
    page.get_by_role("link", name="Comité régional").click()
    page.get_by_role("link", name="Planifier une séance").click()
    field(page, "Appel").select_option(value=str(call.pk))
    field(page, "Date de la séance").fill(planned_for.isoformat())
    field(page, "Lieu").fill("DREETS Occitanie, Toulouse — salle du comité")
    for email in (DREETS, JURY, SECOND_JURY, THIRD_JURY):
        tick(member(page, email))
    page.get_by_role("button", name="Enregistrer la séance").click()
    expect(page.get_by_text("La séance est planifiée.")).to_be_visible()
    session = CommitteeSession.objects.get()
    expect(page.get_by_role("button", name="Ouvrir la séance")).to_have_count(0)
    expect(
        page.get_by_text(f"La séance est datée du {planned_for:%d/%m/%Y} : elle ne peut pas être ouverte")
    ).to_be_visible()

    # Two jury members give their opinion before the session, each in their own browser.
    jury_context = browser.new_context(**browser_context_args)
    try:
        jury = jury_context.new_page()
        jury.set_default_timeout(10_000)
        log_in(jury, JURY)
        jury.get_by_role("link", name="Comité régional").click()
        jury.locator(f'a[href="/comite/{session.pk}/"]').first.click()
        expect(jury.get_by_role("heading", level=1)).to_have_text(
            f"Séance du comité régional du {planned_for:%d/%m/%Y}"
        )
        expect(jury.locator(f"#dossier-{ariege.reference}")).to_contain_text("Votre avis : à donner")
        give_opinion(jury, session, ariege.reference, "Réservé", "")
        expect(jury.get_by_text("Un avis « réservé » s'accompagne d'un commentaire qui l'explique.")).to_be_visible()
        field(jury, "Commentaire").fill(RESERVATION)
        jury.get_by_role("button", name="Enregistrer mon avis").click()
        expect(jury.get_by_text(f"Votre avis sur le dossier {ariege.reference} est enregistré.")).to_be_visible()
        expect(jury.locator(f"#dossier-{ariege.reference}")).to_contain_text("Votre avis : Réservé")

        second_context = browser.new_context(**browser_context_args)
        try:
            second = second_context.new_page()
            second.set_default_timeout(10_000)
            log_in(second, SECOND_JURY)
            give_opinion(second, session, ariege.reference, "Favorable", "Projet solide, partenariat CAF établi.")
            expect(second.get_by_text(f"Votre avis sur le dossier {ariege.reference} est enregistré.")).to_be_visible()
        finally:
            second_context.close()

        # The committee meets today: the DREETS moves the session to its real date, opens it, ticks the presences.
        page.get_by_role("link", name="Modifier la séance et ses membres").click()
        field(page, "Date de la séance").fill(today.isoformat())
        page.get_by_role("button", name="Enregistrer la séance").click()
        expect(page.get_by_text("La séance est modifiée.")).to_be_visible()
        page.get_by_role("button", name="Ouvrir la séance").click()
        expect(page.get_by_text("La séance est ouverte")).to_be_visible()
        for email in (DREETS, JURY, SECOND_JURY):
            tick(member(page, email))
        page.get_by_role("button", name="Enregistrer les présences").click()
        expect(page.get_by_text("La liste de présence est enregistrée.")).to_be_visible()
        expect(page.locator(f"#dossier-{ariege.reference}")).to_contain_text("1 favorable, 1 réservé")
        expect(page.locator(f"#dossier-{aude.reference}")).to_contain_text("aucun avis")

        # She reads the opinions beside the DDETS-PP's proposal, and decides.
        page.locator(f"#dossier-{ariege.reference}").get_by_role("link", name="Décider").click()
        expect(page.get_by_role("heading", level=2, name="Proposition de la DDETS-PP")).to_be_visible()
        opinions = page.get_by_role("table", name="Avis des membres du jury")
        expect(opinions.get_by_role("row").filter(has_text="Marc Delpech")).to_contain_text("Réservé")
        expect(opinions.get_by_role("row").filter(has_text="Marc Delpech")).to_contain_text(RESERVATION)
        expect(opinions.get_by_role("row").filter(has_text="Anne Jury")).to_contain_text("Favorable")
        tick(page.get_by_label("Retenu", exact=True))
        field(page, "Montant attribué (€)").fill("45 000")
        page.get_by_role("button", name="Enregistrer la décision").click()
        expect(page.get_by_text(f"La décision sur le dossier {ariege.reference} est enregistrée.")).to_be_visible()
        page.locator(f"#dossier-{aude.reference}").get_by_role("link", name="Décider").click()
        tick(page.get_by_label("Retenu", exact=True))
        field(page, "Montant attribué (€)").fill("30 000")
        page.get_by_role("button", name="Enregistrer la décision").click()
        expect(page.get_by_text(f"La décision sur le dossier {aude.reference} est enregistrée.")).to_be_visible()
        page.get_by_role("button", name="Clore la séance").click()
        expect(page.get_by_text("La séance est close")).to_be_visible()

        # Once closed, the jury member's opinion is frozen.
        jury.goto(f"/comite/{session.pk}/dossiers/{ariege.reference}/")
        expect(jury.get_by_text("La séance est close : les avis sont figés.")).to_be_visible()
        expect(jury.get_by_role("button", name="Enregistrer mon avis")).to_have_count(0)
    finally:
        jury_context.close()

    # The procès-verbal: held today, the members present, the opinions summarised.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le procès-verbal (PDF)").click()
    minutes = tmp_path / "proces-verbal.pdf"
    download_info.value.save_as(minutes)
    text = pdf_text(minutes)
    assert f"Séance tenue le {date_fr(today)}" in text
    assert "Marc Delpech" in text and "Anne Jury" in text
    assert "1 favorable, 1 réservé" in text and "Aucun avis" in text
    assert RESERVATION.split(" :")[0] in text

    session.refresh_from_db()
    assert session.date == today and session.opened_at.astimezone(call.rules.timezone).date() >= session.date
    letter = CommitteeDecision.objects.get(dossier=ariege)
    assert letter.session.closed_at.astimezone(call.rules.timezone).date() >= session.date
    assert JuryOpinion.objects.filter(session=session).count() == 2
