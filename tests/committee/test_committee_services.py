"""The regional committee's services: quorum, decisions within the cap and the envelope, closing that applies the
decisions (states, logs, procès-verbal, letters, e-mails), frozen records and motivated reopening."""

import subprocess
from decimal import Decimal

import pytest
from django.core import mail

from pactes.committee.models import CommitteeDecision, Decision, SessionState
from pactes.committee.selectors import envelope_for_session, session_agenda_dossiers
from pactes.committee.services import (
    CommitteeRefused,
    attendance_set,
    decision_record,
    decision_reopen,
    session_close,
    session_create,
    session_open,
)
from pactes.dossiers.models import Dossier, DossierTransitionLog, ResourceLine
from pactes.rules.lifecycle import DossierState
from pactes.rules.money import euros
from tests.committee.fixtures import ENVELOPE, TO_EVALUATED, TO_TRANSMITTED, walk


def pdf_text(field) -> str:
    with field.open("rb") as handle:
        text = subprocess.run(
            ["/usr/bin/pdftotext", "-", "-"], input=handle.read(), capture_output=True, check=True
        ).stdout.decode("utf-8")
    # Table cells wrap: compare words, not lines (narrow no-break spaces of amounts become spaces).
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def codes(refused) -> list[str]:
    return [r.code for r in refused.value.reasons]


def decide(session, dossier, by, decision=Decision.RETAINED, amount="40000.00", motivation=""):
    return decision_record(
        session=session,
        dossier=dossier,
        decision=decision,
        awarded_amount=Decimal(amount) if amount else None,
        motivation=motivation,
        by=by,
    )


def decide_all(session, transmitted, dreets):
    decide(session, transmitted["09"], dreets, amount="40000.00", motivation="Projet solide, diagnostic précis.")
    decide(session, transmitted["11"], dreets, Decision.REJECTED, None, "Cofinancements insuffisamment assurés.")


def close(session, by, django_capture_on_commit_callbacks):
    """Closes the session and runs what its commit enqueues (the tasks that render the PV and the letters)."""
    with django_capture_on_commit_callbacks(execute=True):
        closed = session_close(session=session, by=by)
    closed.refresh_from_db()
    return closed


# -- quorum --------------------------------------------------------------------------------------------------------
def test_decisions_are_refused_while_fewer_members_than_the_quorum_are_present(open_session, transmitted, accounts):
    attendance_set(session=open_session, present=[accounts["dreets"], accounts["jury"]], by=accounts["dreets"])
    with pytest.raises(CommitteeRefused) as refused:
        decide(open_session, transmitted["09"], accounts["dreets"])
    assert codes(refused) == ["QUORUM_NOT_MET"]
    assert "2 membres présents sur 3 requis" in refused.value.reasons[0].message
    assert not CommitteeDecision.objects.exists()


def test_the_quorum_comes_from_the_call_yaml(open_session, transmitted, accounts, committee_call):
    assert committee_call.rules.quorum == 3
    assert decide(open_session, transmitted["09"], accounts["dreets"]).awarded_amount == Decimal("40000.00")


# -- decisions -----------------------------------------------------------------------------------------------------
def test_a_retained_decision_over_the_cap_per_project_is_refused(open_session, transmitted, accounts):
    ResourceLine.objects.filter(dossier=transmitted["09"], kind="state_pts").update(amount=Decimal("70000.00"))
    with pytest.raises(CommitteeRefused) as refused:
        decide(open_session, transmitted["09"], accounts["dreets"], amount="62000.01")
    assert codes(refused) == ["AWARD_OVER_CAP"]
    assert "62 000" in refused.value.reasons[0].message.replace("\u202f", " ")


def test_a_retained_decision_over_the_requested_grant_is_refused(open_session, transmitted, accounts):
    ResourceLine.objects.filter(dossier=transmitted["09"], kind="state_pts").update(amount=Decimal("30000.00"))
    with pytest.raises(CommitteeRefused) as refused:
        decide(open_session, transmitted["09"], accounts["dreets"], amount="30000.01")
    assert codes(refused) == ["AWARD_OVER_REQUESTED"]


def test_a_retained_decision_needs_an_awarded_amount(open_session, transmitted, accounts):
    with pytest.raises(CommitteeRefused) as refused:
        decide(open_session, transmitted["09"], accounts["dreets"], amount=None)
    assert codes(refused) == ["AWARD_MISSING"]


def test_the_session_awards_stay_within_the_remaining_envelope(open_session, transmitted, accounts):
    decide(open_session, transmitted["09"], accounts["dreets"], amount="62000.00")
    with pytest.raises(CommitteeRefused) as refused:
        decide(open_session, transmitted["11"], accounts["dreets"], amount="38000.01")
    assert codes(refused) == ["ENVELOPE_EXCEEDED"]
    assert euros(Decimal("38000.00")) in refused.value.reasons[0].message
    # Exactly what remains is accepted, and changing the first decision frees its amount.
    decide(open_session, transmitted["11"], accounts["dreets"], amount="38000.00")
    decide(open_session, transmitted["09"], accounts["dreets"], amount="62000.00")
    assert envelope_for_session(open_session).remaining == Decimal("0.00")


def test_a_retained_decision_is_refused_while_the_envelope_is_not_set(open_session, transmitted, accounts):
    open_session.call.regional_envelope = None
    open_session.call.save(update_fields=["regional_envelope"])
    with pytest.raises(CommitteeRefused) as refused:
        decide(open_session, transmitted["09"], accounts["dreets"])
    assert codes(refused) == ["ENVELOPE_NOT_SET"]
    # Refusing a dossier needs no envelope.
    decide(open_session, transmitted["09"], accounts["dreets"], Decision.REJECTED, None, "Hors des priorités.")


@pytest.mark.parametrize("decision", [Decision.REJECTED, Decision.POSTPONED])
def test_rejecting_or_postponing_needs_a_motivation(open_session, transmitted, accounts, decision):
    with pytest.raises(CommitteeRefused) as refused:
        decide(open_session, transmitted["09"], accounts["dreets"], decision, None, "   ")
    assert codes(refused) == ["MOTIVATION_REQUIRED"]


def test_a_decision_changes_no_dossier_until_the_session_is_closed(open_session, transmitted, accounts):
    decide(open_session, transmitted["09"], accounts["dreets"])
    decide(open_session, transmitted["09"], accounts["dreets"], Decision.POSTPONED, None, "Attendre le budget 2025.")
    assert CommitteeDecision.objects.get().decision == Decision.POSTPONED
    assert CommitteeDecision.objects.get().awarded_amount is None
    assert Dossier.objects.get(pk=transmitted["09"].pk).state == DossierState.TRANSMITTED


def test_only_the_dreets_records_a_decision(open_session, transmitted, accounts):
    with pytest.raises(CommitteeRefused) as refused:
        decide(open_session, transmitted["09"], accounts["jury"])
    assert "NOT_ALLOWED" in codes(refused)


def test_only_one_session_of_a_call_is_open_at_once(open_session, committee_call, accounts):
    second = session_create(
        call=committee_call,
        date=open_session.date,
        place="Visioconférence",
        chair="",
        members=[accounts["jury"]],
        by=accounts["dreets"],
    )
    assert second.chair == committee_call.rules.committee_chair
    with pytest.raises(CommitteeRefused) as refused:
        session_open(session=second, by=accounts["dreets"])
    assert codes(refused) == ["SESSION_ALREADY_OPEN"]


def test_an_instructor_cannot_sit_on_the_committee(committee_call, accounts):
    with pytest.raises(CommitteeRefused) as refused:
        session_create(
            call=committee_call,
            date=committee_call.rules.calendar_step("comite").start,
            place="Toulouse",
            chair="",
            members=[accounts["instructeur.09"]],
            by=accounts["dreets"],
        )
    assert codes(refused) == ["NOT_A_MEMBER_ROLE"]


# -- closing -------------------------------------------------------------------------------------------------------
def test_closing_is_refused_while_a_dossier_of_the_agenda_is_undecided(open_session, transmitted, accounts):
    decide(open_session, transmitted["09"], accounts["dreets"])
    with pytest.raises(CommitteeRefused) as refused:
        session_close(session=open_session, by=accounts["dreets"])
    assert codes(refused) == ["DOSSIER_UNDECIDED"]
    assert transmitted["11"].reference in refused.value.reasons[0].message
    open_session.refresh_from_db()
    assert open_session.state == SessionState.OPEN
    assert Dossier.objects.get(pk=transmitted["09"].pk).state == DossierState.TRANSMITTED


def test_closing_is_refused_without_the_quorum(open_session, transmitted, accounts):
    decide_all(open_session, transmitted, accounts["dreets"])
    attendance_set(session=open_session, present=[accounts["dreets"]], by=accounts["dreets"])
    with pytest.raises(CommitteeRefused) as refused:
        session_close(session=open_session, by=accounts["dreets"])
    assert codes(refused) == ["QUORUM_NOT_MET"]


def test_closing_applies_the_decisions_and_produces_the_minutes_letters_and_emails(
    open_session, transmitted, accounts, django_capture_on_commit_callbacks
):
    decide_all(open_session, transmitted, accounts["dreets"])
    closed = close(open_session, accounts["dreets"], django_capture_on_commit_callbacks)

    assert closed.state == SessionState.CLOSED and closed.closed_by == accounts["dreets"]
    assert closed.awarded_total == Decimal("40000.00")
    assert closed.envelope_remaining == ENVELOPE - Decimal("40000.00")
    ariege = Dossier.objects.get(pk=transmitted["09"].pk)
    aude = Dossier.objects.get(pk=transmitted["11"].pk)
    assert (ariege.state, aude.state) == (DossierState.RETAINED, DossierState.REJECTED)
    log = DossierTransitionLog.objects.get(dossier=aude, transition="reject")
    assert (log.from_state, log.to_state, log.by) == ("transmis", "non_retenu", accounts["dreets"])
    assert log.reason == "Cofinancements insuffisamment assurés."

    minutes = pdf_text(closed.minutes_pdf)
    for text in (
        "Procès-verbal du comité régional",
        "Hélène Garcia",  # the DREETS agent, present
        "Marc Delpech",  # the jury member, present
        "Membre Jury 3",  # absent
        transmitted["09"].reference,
        transmitted["11"].reference,
        "Association Entraide Corbières-Minervois",
        "Non retenu",
        "40 000",
        "60 000",  # what remains of the envelope
        "Cofinancements insuffisamment assurés.",
        "Commissaire à la lutte contre la pauvreté",
    ):
        assert text in minutes, text

    retained = CommitteeDecision.objects.get(dossier=ariege)
    letter = pdf_text(retained.letter_pdf)
    assert "votre projet est retenu" in letter
    assert "40 000" in letter
    assert "BOP 304 — action 23" in letter
    assert "à compter du 21 octobre 2024" in letter
    assert "Association Solidarités Couserans" in letter

    assert len(mail.outbox) == 2
    by_reference = {m.subject.split()[-1]: m for m in mail.outbox}
    message = by_reference[ariege.reference]
    assert message.subject == f"[AMI 2024-PTS] Décision du comité régional — dossier {ariege.reference}"
    assert message.to == ["porteur.ariege@demo.test"]
    assert message.attachments[0][0].endswith(".pdf")
    assert "Motivation : Cofinancements insuffisamment assurés." in by_reference[aude.reference].body


def test_decisions_are_frozen_once_the_session_is_closed(
    open_session, transmitted, accounts, django_capture_on_commit_callbacks
):
    decide_all(open_session, transmitted, accounts["dreets"])
    close(open_session, accounts["dreets"], django_capture_on_commit_callbacks)
    open_session.refresh_from_db()
    with pytest.raises(CommitteeRefused) as refused:
        decide(open_session, transmitted["09"], accounts["dreets"], amount="10000.00")
    assert "SESSION_NOT_OPEN" in codes(refused)
    assert CommitteeDecision.objects.get(dossier=transmitted["09"]).awarded_amount == Decimal("40000.00")
    with pytest.raises(CommitteeRefused):
        attendance_set(session=open_session, present=[], by=accounts["dreets"])


# -- envelope over sessions and reopening --------------------------------------------------------------------------
def test_closed_awards_are_committed_and_a_reopened_decision_releases_them(
    open_session, transmitted, accounts, committee_call, django_capture_on_commit_callbacks
):
    decide_all(open_session, transmitted, accounts["dreets"])
    close(open_session, accounts["dreets"], django_capture_on_commit_callbacks)
    next_session = session_create(
        call=committee_call,
        date=open_session.date,
        place="Toulouse",
        chair="",
        members=[accounts["dreets"], accounts["jury"], accounts["jury2"]],
        by=accounts["dreets"],
    )
    envelope = envelope_for_session(next_session)
    assert (envelope.envelope, envelope.committed, envelope.remaining) == (
        ENVELOPE,
        Decimal("40000.00"),
        Decimal("60000.00"),
    )
    assert envelope.proposed == Decimal("0.00")  # nothing awaits a decision any more

    retained = CommitteeDecision.objects.get(dossier=transmitted["09"])
    with pytest.raises(CommitteeRefused) as refused:
        decision_reopen(decision=retained, motivation="  ", by=accounts["dreets"])
    assert "TRANSITION_REASON_REQUIRED" in codes(refused)
    with pytest.raises(CommitteeRefused):
        decision_reopen(decision=retained, motivation="Erreur matérielle", by=accounts["jury"])

    decision_reopen(decision=retained, motivation="Erreur matérielle sur le montant.", by=accounts["dreets"])
    ariege = Dossier.objects.get(pk=transmitted["09"].pk)
    assert ariege.state == DossierState.TRANSMITTED
    log = DossierTransitionLog.objects.get(dossier=ariege, transition="reopen_retained")
    assert log.reason == "Erreur matérielle sur le montant." and log.by == accounts["dreets"]
    # The closed session's record is untouched; the amount is no longer committed, the proposal is back.
    retained.refresh_from_db()
    assert retained.decision == Decision.RETAINED and retained.awarded_amount == Decimal("40000.00")
    envelope = envelope_for_session(next_session)
    assert (envelope.committed, envelope.proposed, envelope.remaining) == (
        Decimal("0.00"),
        Decimal("60000.00"),
        ENVELOPE,
    )


def test_a_dossier_still_in_evaluation_is_off_the_agenda_and_cannot_be_decided(planned_session, filed, accounts):
    ariege = walk(filed["09"], accounts["instructeur.09"], TO_TRANSMITTED)
    aude = walk(filed["11"], accounts["instructeur.11"], TO_EVALUATED)
    session = session_open(session=planned_session, by=accounts["dreets"])
    attendance_set(
        session=session, present=[accounts["dreets"], accounts["jury"], accounts["jury2"]], by=accounts["dreets"]
    )
    assert list(session_agenda_dossiers(session)) == [ariege]
    with pytest.raises(CommitteeRefused) as refused:
        decide(session, aude, accounts["dreets"], Decision.REJECTED, None, "Hors délai.")
    assert codes(refused) == ["NOT_ON_AGENDA"]
    assert aude.state == DossierState.EVALUATED
