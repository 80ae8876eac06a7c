"""Assessment services (§1.6): score sheets, the département's proposal, closing the evaluation, ranking and the
transmission to the regional committee."""

from decimal import Decimal

import pytest
from django.core import mail

from pactes.accounts.models import Role, User
from pactes.assessment.models import CriterionScore, Proposal, ScoreSheet, Transmission
from pactes.assessment.services import (
    AssessmentRefused,
    evaluation_complete,
    evaluation_reopen,
    proposal_update,
    ranking_move,
    ranking_save,
    score_sheet_save,
    transmission_create,
)
from pactes.dossiers.models import DossierTransitionLog
from pactes.rules import scoring
from pactes.rules.lifecycle import DossierState
from tests.assessment.fixtures import (
    SHARED_EPCI,
    evaluate,
    pdf_text,
    sheet_scores,
)


@pytest.fixture
def second_instructor(ariege):
    return User.objects.create_user(
        "instructeur.bis.09@pactes.test", "x", role=Role.INSTRUCTOR, departement=ariege.departement
    )


# -- score sheets ------------------------------------------------------------------------------------------------------
def test_a_sheet_without_justification_is_refused_with_a_french_reason_and_nothing_is_saved(ariege, accounts):
    scores = sheet_scores(ariege)
    scores[0] = scoring.CriterionScore(scores[0].criterion, 3, "  ")
    with pytest.raises(AssessmentRefused) as refused:
        score_sheet_save(dossier=ariege, instructor=accounts["i09"], scores=scores, proposed_amount=None, opinion="")
    assert refused.value.codes == [scoring.JUSTIFICATION_MISSING]
    assert "doit être justifiée" in refused.value.reasons[0].message
    assert not ScoreSheet.objects.exists() and not CriterionScore.objects.exists()


def test_a_score_out_of_the_scale_is_refused(ariege, accounts):
    scores = sheet_scores(ariege, {"nature_publics": 5})
    with pytest.raises(AssessmentRefused) as refused:
        score_sheet_save(dossier=ariege, instructor=accounts["i09"], scores=scores, proposed_amount=None, opinion="")
    assert refused.value.codes == [scoring.SCORE_OUT_OF_SCALE]
    assert "hors du barème (0 à 4)" in refused.value.reasons[0].message
    assert not ScoreSheet.objects.exists()


def test_two_instructors_sheets_give_weighted_totals_and_decimal_means(ariege, accounts, second_instructor):
    first = score_sheet_save(
        dossier=ariege,
        instructor=accounts["i09"],
        scores=sheet_scores(ariege, {"pertinence_mesures": 4, "besoins_diagnostics": 4}, score=3),
        proposed_amount=Decimal("50000"),
        opinion="favorable",
    )
    second = score_sheet_save(
        dossier=ariege,
        instructor=second_instructor,
        scores=sheet_scores(ariege, {"complementarite": 0}, score=2),
        proposed_amount=None,
        opinion="reserve",
    )
    assert first.weighted_total == Decimal("3.40")  # (4 + 4 + 3 + 3 + 3) / 5
    assert second.weighted_total == Decimal("1.60")  # (2 + 2 + 2 + 2 + 0) / 5
    proposal = Proposal.objects.get(dossier=ariege)
    assert proposal.mean_score == Decimal("2.50")
    assert proposal.territory.siren == SHARED_EPCI
    from pactes.assessment.selectors import score_board

    board = score_board(ariege, ariege.call.rules)
    assert board.aggregate.mean_by_criterion["pertinence_mesures"] == Decimal("3.00")
    assert board.aggregate.mean_by_criterion["complementarite"] == Decimal("1.50")
    assert isinstance(board.aggregate.mean_total, Decimal)


def test_saving_a_sheet_again_replaces_it(ariege, accounts):
    for score in (1, 4):
        score_sheet_save(
            dossier=ariege,
            instructor=accounts["i09"],
            scores=sheet_scores(ariege, score=score),
            proposed_amount=None,
            opinion="",
        )
    sheet = ScoreSheet.objects.get()
    assert sheet.weighted_total == Decimal("4.00")
    assert sheet.scores.count() == 5


def test_an_instructor_of_another_departement_cannot_score(ariege, accounts):
    with pytest.raises(AssessmentRefused) as refused:
        score_sheet_save(
            dossier=ariege, instructor=accounts["i11"], scores=sheet_scores(ariege), proposed_amount=None, opinion=""
        )
    assert "OUT_OF_SCOPE" in refused.value.codes


@pytest.mark.parametrize(
    ("amount", "code"), [("62000.01", "PROPOSED_OVER_REQUESTED"), ("62000.01", "PROPOSED_OVER_CAP")]
)
def test_a_proposed_amount_over_the_request_or_the_cap_is_refused(ariege, accounts, amount, code):
    with pytest.raises(AssessmentRefused) as refused:
        proposal_update(dossier=ariege, by=accounts["i09"], proposed_amount=Decimal(amount), opinion="favorable")
    assert code in refused.value.codes
    assert not Proposal.objects.filter(proposed_amount__isnull=False).exists()


def test_a_proposed_amount_over_the_request_but_under_the_cap_is_refused(ariege, accounts):
    ariege.resources.filter(kind="state_pts").update(amount=Decimal("40000"))
    with pytest.raises(AssessmentRefused) as refused:
        proposal_update(dossier=ariege, by=accounts["i09"], proposed_amount=Decimal("45000"))
    assert refused.value.codes == ["PROPOSED_OVER_REQUESTED"]


# -- closing the evaluation --------------------------------------------------------------------------------------------
def test_closing_is_refused_without_a_sheet_nor_a_proposal(ariege, accounts):
    with pytest.raises(AssessmentRefused) as refused:
        evaluation_complete(dossier=ariege, by=accounts["i09"])
    assert scoring.NO_SHEET in refused.value.codes
    assert refused.value.codes.count("PROPOSAL_INCOMPLETE") == 2
    ariege.refresh_from_db()
    assert ariege.state == DossierState.ADMISSIBLE


def test_closing_is_refused_with_a_sheet_but_no_opinion_on_the_proposal(ariege, accounts):
    score_sheet_save(
        dossier=ariege,
        instructor=accounts["i09"],
        scores=sheet_scores(ariege),
        proposed_amount=Decimal("40000"),
        opinion="favorable",
    )
    proposal_update(dossier=ariege, by=accounts["i09"], proposed_amount=Decimal("40000"))
    with pytest.raises(AssessmentRefused) as refused:
        evaluation_complete(dossier=ariege, by=accounts["i09"])
    assert refused.value.codes == ["PROPOSAL_INCOMPLETE"]


def test_closing_a_complete_evaluation_makes_the_dossier_evaluated_and_ranks_it(ariege, rival, accounts):
    evaluate(ariege, accounts["i09"], "40000")
    evaluate(rival, accounts["i09"], "20000")
    ariege.refresh_from_db()
    assert ariege.state == DossierState.EVALUATED
    assert DossierTransitionLog.objects.filter(dossier=ariege, transition="complete_evaluation").exists()
    assert Proposal.objects.get(dossier=ariege).rank == 1
    assert Proposal.objects.get(dossier=rival).rank == 2


def test_an_evaluated_dossier_is_read_only_until_reopened(ariege, rival, accounts):
    evaluate(ariege, accounts["i09"], "40000")
    evaluate(rival, accounts["i09"], "20000")
    with pytest.raises(AssessmentRefused) as refused:
        proposal_update(dossier=ariege, by=accounts["i09"], proposed_amount=Decimal("30000"))
    assert "EVALUATION_CLOSED" in refused.value.codes
    evaluation_reopen(dossier=ariege, by=accounts["i09"])
    ariege.refresh_from_db()
    assert ariege.state == DossierState.ADMISSIBLE
    assert Proposal.objects.get(dossier=ariege).rank is None
    assert Proposal.objects.get(dossier=rival).rank == 1
    proposal_update(dossier=ariege, by=accounts["i09"], proposed_amount=Decimal("30000"))


# -- ranking and transmission ------------------------------------------------------------------------------------------
def test_transmission_is_refused_while_nothing_is_evaluated(ariege, accounts, real_call):
    with pytest.raises(AssessmentRefused) as refused:
        transmission_create(call=real_call, departement=ariege.departement, by=accounts["i09"])
    assert refused.value.codes == ["NOTHING_TO_TRANSMIT"]


def test_transmission_is_refused_when_a_territory_exceeds_the_cap(ariege, rival, accounts, real_call):
    evaluate(ariege, accounts["i09"], "40000")
    evaluate(rival, accounts["i09"], "30000")
    with pytest.raises(AssessmentRefused) as refused:
        transmission_create(call=real_call, departement=ariege.departement, by=accounts["i09"])
    assert refused.value.codes == ["TERRITORY_CAP_EXCEEDED"]
    assert "cumulent 70\u202f000\u00a0€" in refused.value.reasons[0].message
    ariege.refresh_from_db()
    assert ariege.state == DossierState.EVALUATED
    assert not Transmission.objects.exists()
    assert mail.outbox == []


def test_transmission_is_refused_while_the_ranking_is_incomplete(ariege, rival, accounts, real_call):
    evaluate(ariege, accounts["i09"], "40000")
    evaluate(rival, accounts["i09"], "20000")
    ranking_save(
        call=real_call,
        departement=ariege.departement,
        ranks={ariege.reference: 1, rival.reference: 1},
        by=accounts["i09"],
    )
    with pytest.raises(AssessmentRefused) as refused:
        transmission_create(call=real_call, departement=ariege.departement, by=accounts["i09"])
    assert refused.value.codes == ["RANKING_INCOMPLETE"]
    ranking_save(
        call=real_call,
        departement=ariege.departement,
        ranks={ariege.reference: None, rival.reference: 1},
        by=accounts["i09"],
    )
    with pytest.raises(AssessmentRefused) as refused:
        transmission_create(call=real_call, departement=ariege.departement, by=accounts["i09"])
    assert refused.value.codes == ["RANKING_INCOMPLETE"]
    assert ariege.reference in refused.value.reasons[0].message


def test_moving_a_dossier_up_swaps_the_ranks(ariege, rival, accounts):
    evaluate(ariege, accounts["i09"], "40000")
    evaluate(rival, accounts["i09"], "20000")
    ranking_move(dossier=rival, up=True, by=accounts["i09"])
    assert Proposal.objects.get(dossier=rival).rank == 1
    assert Proposal.objects.get(dossier=ariege).rank == 2


def test_only_an_instructor_of_the_departement_may_transmit(ariege, accounts, real_call):
    evaluate(ariege, accounts["i09"], "40000")
    for who in ("i11", "dreets"):
        with pytest.raises(AssessmentRefused) as refused:
            transmission_create(call=real_call, departement=ariege.departement, by=accounts[who])
        assert refused.value.codes == ["OUT_OF_SCOPE"]


def test_transmission_sends_every_evaluated_dossier_with_a_summary_pdf_and_an_email(
    ariege, rival, aude, accounts, real_call, django_capture_on_commit_callbacks
):
    evaluate(ariege, accounts["i09"], "40000")
    evaluate(rival, accounts["i09"], "21999.50")
    evaluate(aude, accounts["i11"], "30000")
    with django_capture_on_commit_callbacks(execute=True):
        transmission = transmission_create(
            call=real_call, departement=ariege.departement, by=accounts["i09"], note="RAS"
        )
    for dossier in (ariege, rival):
        dossier.refresh_from_db()
        assert dossier.state == DossierState.TRANSMITTED
        assert DossierTransitionLog.objects.filter(dossier=dossier, transition="transmit").exists()
    aude.refresh_from_db()
    assert aude.state == DossierState.EVALUATED  # another département's dossiers stay
    assert set(transmission.dossiers.all()) == {ariege, rival}
    text = pdf_text(transmission.summary_pdf)
    assert ariege.reference in text and rival.reference in text
    assert aude.reference not in text
    assert "40 000" in text and "21 999,50" in text and "61 999,50" in text
    assert "Ariège (09)" in text
    [message] = mail.outbox
    assert message.to == ["dreets-oc.inclusionsociale@dreets.gouv.fr"]
    assert message.subject.startswith("[AMI 2024-PTS] Transmission au comité régional")
    assert ariege.reference in message.body
    assert message.attachments[0][2] == "application/pdf"
