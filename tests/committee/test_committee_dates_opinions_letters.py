"""Issue 16, committee cases: a session opens on or after its date (1); the decision letters state the appeals, are
signed by the call's authority and name « la DDETS-PP de l'Ariège » (8); jury members give their opinion on each
dossier of the agenda, which the PV summarises (9)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from pactes.committee.models import CommitteeDecision, Decision, JuryOpinion
from pactes.committee.opinions import jury_opinion_record
from pactes.committee.selectors import opinion_summaries
from pactes.committee.services import CommitteeRefused, session_create, session_open, session_update
from pactes.rules.call_config import CallConfig
from pactes.rules.wording import of_departement
from tests.committee.test_committee_services import close, codes, decide, pdf_text


def test_a_session_dated_in_the_future_cannot_be_opened(committee_call, accounts, transmitted):
    future = timezone.localdate() + dt.timedelta(days=59)
    session = session_create(
        call=committee_call,
        date=future,
        place="Toulouse",
        chair="",
        members=[accounts["dreets"]],
        by=accounts["dreets"],
    )
    with pytest.raises(CommitteeRefused) as refused:
        session_open(session=session, by=accounts["dreets"])
    assert codes(refused) == ["SESSION_NOT_YET_HELD"]
    assert f"datée du {future:%d/%m/%Y}" in refused.value.reasons[0].message
    session.refresh_from_db()
    assert session.is_planned and session.opened_at is None


def test_a_session_recorded_afterwards_opens_with_its_real_past_date(committee_call, accounts, transmitted):
    session = session_create(
        call=committee_call,
        date=dt.date(2024, 10, 15),
        place="Toulouse",
        chair="",
        members=[accounts["dreets"]],
        by=accounts["dreets"],
    )
    opened = session_open(session=session, by=accounts["dreets"])
    assert opened.is_open


def test_an_open_session_cannot_be_moved_to_a_date_after_its_opening(open_session, accounts):
    with pytest.raises(CommitteeRefused) as refused:
        session_update(
            session=open_session,
            date=timezone.localdate() + dt.timedelta(days=30),
            place=open_session.place,
            chair=open_session.chair,
            members=list(open_session.members.all()),
            by=accounts["dreets"],
        )
    assert codes(refused) == ["SESSION_DATE_AFTER_OPENING"]


def test_the_letter_is_dated_on_or_after_the_session_and_states_the_appeals_and_the_signatory(
    open_session, transmitted, accounts, django_capture_on_commit_callbacks
):
    decide(open_session, transmitted["09"], accounts["dreets"], amount="40000.00")
    decide(open_session, transmitted["11"], accounts["dreets"], Decision.REJECTED, None, "Cofinancements fragiles.")
    closed = close(open_session, accounts["dreets"], django_capture_on_commit_callbacks)
    assert timezone.localtime(closed.closed_at).date() >= closed.date
    letter = pdf_text(CommitteeDecision.objects.get(dossier=transmitted["11"]).letter_pdf)
    assert "Voies et délais de recours" in letter
    assert "deux mois" in letter
    assert "recours gracieux auprès du préfet de la région Occitanie" in letter
    assert "recours contentieux devant le tribunal administratif de Toulouse" in letter
    assert "Le Préfet de la région Occitanie" in letter
    assert "la DDETS-PP de l'Aude" in letter and "du département" not in letter
    retained = pdf_text(CommitteeDecision.objects.get(dossier=transmitted["09"]).letter_pdf)
    assert "la DDETS-PP de l'Ariège" in retained
    assert retained.count("BOP 304") == 1


def test_every_call_names_the_authority_that_signs_its_letters_with_its_section(committee_call, settings):
    for name in ("pts-occitanie-2024.yaml",):
        config = CallConfig.from_yaml((settings.PACTES_CALLS_DIR / name).read_text(encoding="utf-8"))
        assert config.decisions.signatory == "Le Préfet de la région Occitanie"
        assert config.decisions.delay_months == 2
        assert config.section("decisions.signatory") and config.section("decisions.appeals")
    assert committee_call.rules.decisions.court == "devant le tribunal administratif de Toulouse"


@pytest.mark.parametrize(
    ("code", "name", "expected"),
    [
        ("09", "Ariège", "de l'Ariège"),
        ("30", "Gard", "du Gard"),
        ("31", "Haute-Garonne", "de la Haute-Garonne"),
        ("66", "Pyrénées-Orientales", "des Pyrénées-Orientales"),
        ("75", "Paris", "de Paris"),
        ("01", "Ain", "de l'Ain"),
    ],
)
def test_a_departement_is_named_with_its_preposition(code, name, expected):
    assert of_departement(code, name) == expected


# -- jury opinions ---------------------------------------------------------------------------------------------------
def test_a_jury_member_records_then_changes_an_opinion_before_the_session(planned_session, transmitted, accounts):
    jury = accounts["jury"]
    jury_opinion_record(
        session=planned_session, dossier=transmitted["09"], opinion="reserve", comment="Budget à préciser.", by=jury
    )
    jury_opinion_record(session=planned_session, dossier=transmitted["09"], opinion="favorable", comment="", by=jury)
    row = JuryOpinion.objects.get(session=planned_session, dossier=transmitted["09"], member=jury)
    assert row.opinion == "favorable"
    assert JuryOpinion.objects.count() == 1


def test_a_reserved_or_unfavourable_opinion_needs_a_comment(planned_session, transmitted, accounts):
    with pytest.raises(CommitteeRefused) as refused:
        jury_opinion_record(
            session=planned_session, dossier=transmitted["09"], opinion="defavorable", comment=" ", by=accounts["jury"]
        )
    assert codes(refused) == ["OPINION_COMMENT_REQUIRED"]


def test_only_jury_members_of_the_session_give_an_opinion(planned_session, transmitted, accounts):
    for outsider in (accounts["jury.outsider"], accounts["dreets"], accounts["instructeur.09"]):
        with pytest.raises(CommitteeRefused) as refused:
            jury_opinion_record(
                session=planned_session, dossier=transmitted["09"], opinion="favorable", comment="", by=outsider
            )
        assert "OPINION_NOT_A_JURY_MEMBER" in codes(refused)


def test_opinions_are_frozen_when_the_session_is_closed_and_summarised_in_the_minutes(
    open_session, transmitted, accounts, django_capture_on_commit_callbacks
):
    jury_opinion_record(
        session=open_session, dossier=transmitted["09"], opinion="favorable", comment="", by=accounts["jury"]
    )
    jury_opinion_record(
        session=open_session,
        dossier=transmitted["09"],
        opinion="reserve",
        comment="Gouvernance du consortium à clarifier.",
        by=accounts["jury2"],
    )
    summary = opinion_summaries(session=open_session, dossier_ids=[transmitted["09"].pk])[transmitted["09"].pk]
    assert summary.text == "1 favorable, 1 réservé"
    decide(open_session, transmitted["09"], accounts["dreets"], amount="40000.00")
    decide(open_session, transmitted["11"], accounts["dreets"], Decision.REJECTED, None, "Cofinancements fragiles.")
    closed = close(open_session, accounts["dreets"], django_capture_on_commit_callbacks)
    minutes = pdf_text(closed.minutes_pdf)
    assert "Avis du jury" in minutes
    assert "1 favorable, 1 réservé" in minutes
    assert "Gouvernance du consortium à clarifier." in minutes
    assert "Aucun avis" in minutes  # the Aude dossier
    with pytest.raises(CommitteeRefused) as refused:
        jury_opinion_record(
            session=closed, dossier=transmitted["09"], opinion="defavorable", comment="Trop tard.", by=accounts["jury"]
        )
    assert "OPINION_SESSION_CLOSED" in codes(refused)
    assert Decimal(closed.awarded_total) == Decimal("40000.00")
