"""The assessment pages through the browser's eyes: scoring form, proposal, closing, ranking per territory,
transmission and its PDF — and who may see each (404 outside scope, login for anonymous visitors)."""

import html
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from pactes.assessment.models import Proposal, ScoreSheet, Transmission
from pactes.rules.lifecycle import DossierState
from tests.assessment.fixtures import evaluate


def text(response) -> str:
    return html.unescape(response.content.decode()).replace("\u202f", " ").replace("\u00a0", " ")


def score_url(dossier):
    return reverse("assessment:score", args=[dossier.reference])


def sheet_post(dossier, **overrides):
    data = {}
    for criterion in dossier.call.rules.criteria:
        data[f"score_{criterion.code}"] = "3"
        data[f"justification_{criterion.code}"] = f"Le dossier répond au critère {criterion.code}."
    data.update({"proposed_amount": "45 000", "opinion": "favorable", "comment": ""})
    data.update(overrides)
    return data


RANKING_URL = reverse("assessment:ranking")
TRANSMIT_URL = reverse("assessment:transmit")


# -- scoring form ------------------------------------------------------------------------------------------------------
def test_an_instructor_scores_the_five_criteria_and_sees_the_weighted_total(client, ariege, accounts):
    client.force_login(accounts["i09"])
    page = client.get(score_url(ariege))
    assert page.status_code == 200
    assert "La pertinence de l'action au regard des thématiques" in text(page)
    assert "3 — Satisfaisant" in text(page)
    response = client.post(score_url(ariege), sheet_post(ariege, score_nature_publics="4"))
    assert response.status_code == 302
    sheet = ScoreSheet.objects.get(dossier=ariege)
    assert sheet.weighted_total == Decimal("3.20")
    assert sheet.proposed_amount == Decimal("45000.00")
    assert "3,20" in text(client.get(score_url(ariege)))


def test_a_missing_justification_gets_a_french_error_and_nothing_is_saved(client, ariege, accounts):
    client.force_login(accounts["i09"])
    response = client.post(score_url(ariege), sheet_post(ariege, justification_complementarite=" "))
    assert response.status_code == 400
    assert "la note doit être justifiée par un commentaire" in text(response)
    assert not ScoreSheet.objects.exists()


def test_a_score_out_of_the_scale_gets_a_french_error_and_nothing_is_saved(client, ariege, accounts):
    client.force_login(accounts["i09"])
    response = client.post(score_url(ariege), sheet_post(ariege, score_pertinence_mesures="7"))
    assert response.status_code == 400
    assert "la note 7 est hors du barème (0 à 4)" in text(response)
    assert not ScoreSheet.objects.exists()


def test_a_missing_score_gets_a_french_error(client, ariege, accounts):
    client.force_login(accounts["i09"])
    response = client.post(score_url(ariege), sheet_post(ariege, score_territoires_prioritaires=""))
    assert response.status_code == 400
    assert "n'est pas noté : choisissez une note" in text(response)
    assert not ScoreSheet.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("62 000,01", "dépasse la subvention demandée par le porteur (62 000 €)"),
        ("62 000,01", "dépasse le plafond de 62 000 € par projet"),
        ("abc", "n'est pas un montant"),
    ],
)
def test_a_proposed_amount_over_the_request_or_the_cap_or_unreadable_is_refused(
    client, ariege, accounts, amount, message
):
    client.force_login(accounts["i09"])
    response = client.post(
        reverse("assessment:proposal", args=[ariege.reference]), {"proposed_amount": amount, "opinion": "favorable"}
    )
    assert response.status_code == 400
    assert message in text(response)
    assert not Proposal.objects.filter(proposed_amount__isnull=False).exists()


def test_closing_without_a_sheet_is_refused_with_its_reasons(client, ariege, accounts):
    client.force_login(accounts["i09"])
    response = client.post(reverse("assessment:complete", args=[ariege.reference]))
    assert response.status_code == 400
    assert "Aucune grille de notation n'a été remplie." in text(response)
    ariege.refresh_from_db()
    assert ariege.state == DossierState.ADMISSIBLE


def test_sheet_proposal_and_closing_through_the_pages(client, ariege, accounts):
    client.force_login(accounts["i09"])
    client.post(score_url(ariege), sheet_post(ariege))
    response = client.post(
        reverse("assessment:proposal", args=[ariege.reference]), {"proposed_amount": "45 000", "opinion": "reserve"}
    )
    assert response.status_code == 302
    response = client.post(reverse("assessment:complete", args=[ariege.reference]))
    assert response.status_code == 302
    ariege.refresh_from_db()
    assert ariege.state == DossierState.EVALUATED
    page = client.get(score_url(ariege))
    assert "Rouvrir l'évaluation" in text(page)
    assert "Enregistrer ma grille" not in text(page)


def test_two_instructors_sheets_are_shown_side_by_side_with_the_mean(client, ariege, accounts):
    from pactes.accounts.models import Role, User

    other = User.objects.create_user(
        "bis@pactes.test", "x", role=Role.INSTRUCTOR, departement=ariege.departement, first_name="Léa", last_name="Bis"
    )
    client.force_login(accounts["i09"])
    client.post(score_url(ariege), sheet_post(ariege))
    client.force_login(other)
    client.post(score_url(ariege), sheet_post(ariege, score_complementarite="0"))
    client.force_login(accounts["dreets"])
    page = text(client.get(score_url(ariege)))
    assert "Sophie Fabre" in page and "Léa Bis" in page
    assert "1,50" in page  # mean of 3 and 0 on the complementarity criterion
    assert "2,70" in page  # mean of the totals 3,00 and 2,40
    assert "Enregistrer ma grille" not in page  # the DREETS reads


# -- ranking and transmission ------------------------------------------------------------------------------------------
def test_the_ranking_shows_the_cap_exceeded_and_transmission_is_refused(client, ariege, rival, accounts):
    evaluate(ariege, accounts["i09"], "40000")
    evaluate(rival, accounts["i09"], "30000")
    client.force_login(accounts["i09"])
    page = text(client.get(RANKING_URL))
    assert "TERRITORY_CAP_EXCEEDED" in page
    assert "cumulent 70 000 €" in page
    response = client.post(TRANSMIT_URL, {"note": ""})
    assert response.status_code == 400
    assert "TERRITORY_CAP_EXCEEDED" in text(response)
    assert not Transmission.objects.exists()


def test_ranks_typed_twice_are_reported_as_ranking_incomplete_then_fixed_with_the_buttons(
    client, ariege, rival, accounts
):
    evaluate(ariege, accounts["i09"], "40000")
    evaluate(rival, accounts["i09"], "20000")
    client.force_login(accounts["i09"])
    response = client.post(RANKING_URL, {f"rank_{ariege.reference}": "1", f"rank_{rival.reference}": "1"})
    assert response.status_code == 302
    page = text(client.get(RANKING_URL))
    assert "RANKING_INCOMPLETE" in page
    assert "rang(s) attribué(s) plusieurs fois : 1" in page
    refused = client.post(TRANSMIT_URL, {"note": ""})
    assert "RANKING_INCOMPLETE" in text(refused)
    client.post(reverse("assessment:move", args=[rival.reference]), {"direction": "haut"})
    assert Proposal.objects.get(dossier=rival).rank == 1
    assert Proposal.objects.get(dossier=ariege).rank == 2
    assert "RANKING_INCOMPLETE" not in text(client.get(RANKING_URL))


def test_a_rank_below_one_gets_a_french_error(client, ariege, accounts):
    evaluate(ariege, accounts["i09"], "40000")
    client.force_login(accounts["i09"])
    response = client.post(RANKING_URL, {f"rank_{ariege.reference}": "0"})
    assert response.status_code == 400
    assert "Le rang commence à 1." in text(response)


def test_a_transmission_through_the_page_and_its_pdf_for_the_departement_and_the_dreets(
    client, ariege, rival, accounts, django_capture_on_commit_callbacks
):
    evaluate(ariege, accounts["i09"], "40000")
    evaluate(rival, accounts["i09"], "22000")
    client.force_login(accounts["i09"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            TRANSMIT_URL, {"note": "Deux projets complémentaires.", "dossier": [ariege.reference, rival.reference]}
        )
    assert response.status_code == 302
    transmission = Transmission.objects.get()
    assert len(mail.outbox) == 1
    page = text(client.get(TRANSMIT_URL))
    assert "Synthèse départementale" in page
    pdf_url = reverse("assessment:transmission_pdf", args=[transmission.pk])
    for who, status in (("i09", 200), ("dreets", 200), ("i11", 404), ("jury", 404), ("applicant", 404)):
        client.force_login(accounts[who])
        response = client.get(pdf_url)
        assert response.status_code == status, who
        if status == 200:
            assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_after_transmission_the_ranking_page_keeps_the_transmitted_ranking_read_only(
    client, ariege, rival, accounts, django_capture_on_commit_callbacks
):
    evaluate(ariege, accounts["i09"], "40000")
    evaluate(rival, accounts["i09"], "22000")
    client.force_login(accounts["i09"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(TRANSMIT_URL, {"note": "", "dossier": [ariege.reference, rival.reference]})
    page = text(client.get(reverse("assessment:ranking")))
    assert "Aucun dossier évalué" in page
    assert "Classements transmis au comité régional" in page
    assert ariege.reference in page and rival.reference in page and "Transmis au comité" in page
    client.force_login(accounts["i11"])
    assert ariege.reference not in text(client.get(reverse("assessment:ranking")))


# -- access -----------------------------------------------------------------------------------------------------------
def test_instructor_11_gets_404_on_an_ariege_evaluation_and_sees_nothing_of_09_in_the_ranking(
    client, ariege, rival, aude, accounts
):
    evaluate(ariege, accounts["i09"], "40000")
    client.force_login(accounts["i11"])
    assert client.get(score_url(ariege)).status_code == 404
    assert client.post(score_url(ariege), sheet_post(ariege)).status_code == 404
    assert client.post(reverse("assessment:complete", args=[rival.reference])).status_code == 404
    assert client.post(reverse("assessment:move", args=[ariege.reference]), {"direction": "bas"}).status_code == 404
    for url in (RANKING_URL, f"{RANKING_URL}?departement=09", TRANSMIT_URL, f"{TRANSMIT_URL}?departement=09"):
        page = text(client.get(url))
        assert ariege.reference not in page and "Ariège" not in page
    assert client.get(score_url(aude)).status_code == 200


def test_the_dreets_chooses_a_departement_and_reads_its_ranking(client, ariege, aude, accounts):
    evaluate(ariege, accounts["i09"], "40000")
    evaluate(aude, accounts["i11"], "30000")
    client.force_login(accounts["dreets"])
    page = text(client.get(f"{RANKING_URL}?departement=09"))
    assert ariege.reference in page and aude.reference not in page
    assert "Enregistrer le classement" not in page
    assert client.post(f"{RANKING_URL}?departement=09", {}).status_code == 404
    assert client.post(TRANSMIT_URL, {"departement": "09"}).status_code == 404


@pytest.mark.parametrize("who", ["applicant", "jury"])
def test_applicants_and_jury_members_get_404_everywhere(client, ariege, accounts, who):
    client.force_login(accounts[who])
    for url in (score_url(ariege), RANKING_URL, TRANSMIT_URL):
        assert client.get(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_the_login_page(client, ariege):
    login = reverse("accounts:login")
    for url in (score_url(ariege), RANKING_URL, TRANSMIT_URL, reverse("assessment:transmission_pdf", args=[1])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(login)


def test_transmission_sends_exactly_the_dossiers_listed_on_the_confirmed_page(
    client, ariege, rival, accounts, django_capture_on_commit_callbacks
):
    """Issue 16 (6): a dossier evaluated after the page was displayed is not transmitted with the others."""
    evaluate(ariege, accounts["i09"], "40000")
    client.force_login(accounts["i09"])
    page = text(client.get(TRANSMIT_URL))
    assert f'name="dossier" value="{ariege.reference}"' in page
    evaluate(rival, accounts["i09"], "22000")  # meanwhile, in another tab
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(TRANSMIT_URL, {"note": "", "dossier": [ariege.reference]})
    assert response.status_code == 302
    assert list(Transmission.objects.get().dossiers.values_list("reference", flat=True)) == [ariege.reference]
    ariege.refresh_from_db()
    rival.refresh_from_db()
    assert (ariege.state, rival.state) == (DossierState.TRANSMITTED, DossierState.EVALUATED)


def test_transmission_is_refused_when_a_listed_dossier_is_no_longer_evaluated(client, ariege, rival, accounts):
    evaluate(ariege, accounts["i09"], "40000")
    client.force_login(accounts["i09"])
    response = client.post(TRANSMIT_URL, {"note": "", "dossier": [ariege.reference, rival.reference]})
    assert response.status_code == 400
    assert f"Le dossier {rival.reference} n'est plus évalué depuis l'affichage de la page" in text(response)
    assert not Transmission.objects.exists()


def test_the_ranking_checks_the_cap_on_requested_amounts_as_a_warning_and_on_proposed_amounts_as_blocking(
    client, ariege, rival, accounts
):
    """Issue 16 (5): §1.6 speaks of the cumulated requested amount; the proposed amounts are what must fit."""
    evaluate(ariege, accounts["i09"], "40000")
    evaluate(rival, accounts["i09"], "20000")
    client.force_login(accounts["i09"])
    page = text(client.get(RANKING_URL))
    assert 'data-code="TERRITORY_REQUESTED_OVER_CAP"' in page
    assert "Les montants demandés du territoire" in page
    assert "l'appel apprécie le plafond sur le montant cumulé en demande" in page
    assert "sous le plafond (contrôle bloquant)" in page
    assert "TERRITORY_CAP_EXCEEDED" not in page
