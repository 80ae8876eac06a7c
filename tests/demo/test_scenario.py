"""`setup_demo` shows every stage after filing on the real 2024 call, built through the services, and a second run
creates nothing and keeps what a demo user changed.

The demo is loaded once for the module (two runs of the command, a demo user's changes in between), in a transaction
rolled back at the end; each test reads it.
"""

import datetime as dt
import io
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum
from django.test.utils import override_settings

from pactes.accounts.models import Role, User
from pactes.agreements.models import Agreement, AgreementTransitionLog, Payment
from pactes.assessment.models import Proposal, ScoreSheet, Transmission
from pactes.calls.models import Call, EligibleEpci
from pactes.calls.selectors import current_eligible_list
from pactes.calls.services import call_envelope_set
from pactes.committee.models import CommitteeDecision, CommitteeSession, Decision, SessionState
from pactes.demo.accounts import DEMO_ACCOUNTS, STAGE_ACCOUNTS
from pactes.demo.dossiers import title_of
from pactes.demo.stages import DRAFT, REGIONAL_ENVELOPE, stage_titles
from pactes.dossiers.models import Dossier, DossierTransitionLog
from pactes.dossiers.selectors import requested_grants
from pactes.followup.models import IndicatorMeasurement, Report
from pactes.instruction.models import ComplementRequest, Message, MessageKind
from pactes.organisations.models import Organisation
from pactes.rules.agreement import AgreementState
from pactes.rules.lifecycle import DossierState
from pactes.rules.report_lifecycle import ReportKind, ReportState

REAL = "pts-occitanie-2024"
COUNTED = (
    User,
    Organisation,
    Dossier,
    DossierTransitionLog,
    ComplementRequest,
    Message,
    ScoreSheet,
    Proposal,
    Transmission,
    CommitteeSession,
    CommitteeDecision,
    Agreement,
    AgreementTransitionLog,
    Payment,
    IndicatorMeasurement,
    Report,
)
CHANGED_ENVELOPE = Decimal("650000.00")
DRAFT_TITLE = title_of(DRAFT)
RENAMED_DRAFT = "Épicerie itinérante du Couserans (version de travail)"


@dataclass(frozen=True)
class Runs:
    first: dict[str, int]
    second: dict[str, int]
    second_output: str


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture(scope="module")
def runs(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("uploads")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        call_command("setup_demo", stdout=io.StringIO())
        # A demo user's changes: the administrator raises the envelope, the Couserans carrier renames its draft.
        call = Call.objects.get(slug=REAL)
        call_envelope_set(call=call, amount=CHANGED_ENVELOPE, by=User.objects.get(email="admin@demo.test"))
        Dossier.objects.filter(call=call, title=DRAFT_TITLE).update(title=RENAMED_DRAFT)
        first = counts()
        output = io.StringIO()
        call_command("setup_demo", stdout=output)
        yield Runs(first=first, second=counts(), second_output=output.getvalue())
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def media_root():
    """The demo's files stay in the folder ``runs`` wrote them to, for the whole module (not one folder per test)."""


@pytest.fixture
def real(runs, db):
    return Call.objects.get(slug=REAL)


def dossier(call: Call, title: str) -> Dossier:
    return Dossier.objects.get(call=call, title=title)


def test_every_state_of_the_dossier_lifecycle_is_shown_on_the_real_call(real):
    states = set(Dossier.objects.filter(call=real).values_list("state", flat=True))
    assert states == {s.value for s in DossierState}


def test_every_state_after_filing_was_reached_by_logged_transitions_ending_in_it(real):
    for item in Dossier.objects.filter(call=real).exclude(state=DossierState.DRAFT.value):
        last = DossierTransitionLog.objects.filter(dossier=item).order_by("-pk").first()
        assert last is not None and last.to_state == item.state, item.reference


def test_the_acts_of_the_2024_call_are_dated_on_its_2024_2026_calendar_not_at_load_time(real):
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    logs = DossierTransitionLog.objects.filter(dossier__call=real)
    assert logs.exists()
    # The last act: the balance paid on 6 February 2026 settles the dossier (issue 16, ADR 0017).
    assert not logs.filter(at__gte=dt.datetime(2026, 3, 1, tzinfo=paris)).exists()
    assert not logs.filter(at__lt=dt.datetime(2024, 9, 1, tzinfo=paris)).exists()
    session = CommitteeSession.objects.get(call=real, state=SessionState.CLOSED)
    assert session.opened_at.astimezone(paris) == dt.datetime(2024, 10, 15, 9, 30, tzinfo=paris)
    assert session.closed_at.astimezone(paris) == dt.datetime(2024, 10, 15, 12, 0, tzinfo=paris)
    for decision in CommitteeDecision.objects.filter(session=session):
        assert session.opened_at <= decision.decided_at <= session.closed_at, decision.dossier.reference
    for transmission in Transmission.objects.filter(call=real):
        assert transmission.transmitted_at.astimezone(paris).date() < dt.date(2024, 10, 15) or (
            transmission.transmitted_at > session.closed_at
        )
    assert not AgreementTransitionLog.objects.filter(
        agreement__dossier__call=real, at__gte=dt.datetime(2026, 3, 1, tzinfo=paris)
    ).exists()
    assert Report.objects.filter(dossier__call=real, submitted_at__year=2025).exists()


def test_dossiers_spread_over_four_departements_on_eligible_territories(real):
    assert {"09", "11", "12", "66"} <= set(
        Dossier.objects.filter(call=real).values_list("departement__code", flat=True)
    )
    eligible = set(
        EligibleEpci.objects.filter(eligible_list=current_eligible_list(real)).values_list("epci__siren", flat=True)
    )
    for item in Dossier.objects.filter(call=real):
        assert set(item.epcis.values_list("siren", flat=True)) <= eligible, item.reference


def test_the_complements_request_carries_a_message_and_the_inadmissible_dossier_its_motivation(real):
    waiting = Dossier.objects.get(call=real, state=DossierState.COMPLEMENTS_REQUESTED.value)
    request = ComplementRequest.objects.get(dossier=waiting)
    assert "RIB" in request.message and request.answered_at is None
    assert Message.objects.filter(dossier=waiting, kind=MessageKind.EXCHANGE).exists()
    assert Message.objects.filter(dossier=waiting, kind=MessageKind.ANNOTATION).exists()
    refused = Dossier.objects.get(call=real, state=DossierState.INADMISSIBLE.value)
    log = DossierTransitionLog.objects.get(dossier=refused, transition="declare_inadmissible")
    assert "incomplet" in log.reason


def test_a_territory_has_two_competing_dossiers_ranked_within_the_cumulated_cap(real):
    cap = real.rules.territory_cap
    shared = (
        Proposal.objects.filter(dossier__call=real, rank__isnull=False)
        .values("territory__siren")
        .annotate(n=Count("pk"), proposed=Sum("proposed_amount"))
        .filter(n=2)
    )
    assert len(shared) == 1
    siren = shared[0]["territory__siren"]
    proposals = Proposal.objects.filter(dossier__call=real, territory__siren=siren).order_by("rank")
    assert [p.rank for p in proposals] == [1, 2]
    assert shared[0]["proposed"] <= cap
    # What they ask for together exceeds the cap: the ranking and the proposals are what keeps them within it.
    assert sum(requested_grants(p.dossier_id for p in proposals).values()) > cap


def test_a_closed_session_decided_within_the_envelope_with_its_minutes_and_letters(real):
    session = CommitteeSession.objects.get(call=real)
    assert session.state == SessionState.CLOSED
    assert session.minutes_pdf and session.minutes_pdf.open("rb").read(5) == b"%PDF-"
    decisions = list(session.decisions.all())
    assert {d.decision for d in decisions} == set(Decision.values)
    assert all(d.letter_pdf for d in decisions)
    awarded = sum(d.awarded_amount for d in decisions if d.decision == Decision.RETAINED)
    assert awarded == session.awarded_total <= REGIONAL_ENVELOPE
    assert session.attendances.filter(is_present=True).count() >= real.rules.quorum


def test_conventions_cover_every_stage_with_commitment_and_payments_where_due(real):
    agreements = {a.state: a for a in Agreement.objects.filter(dossier__call=real)}
    assert set(agreements) == {s.value for s in AgreementState} - {AgreementState.ABANDONED.value}
    for state in (AgreementState.DRAFT, AgreementState.SENT, AgreementState.SIGNED_BY_APPLICANT):
        assert not agreements[state].commitment_number and not agreements[state].payments.exists()
    assert agreements[AgreementState.SIGNED_BY_APPLICANT].signed_scan
    for state in (AgreementState.SIGNED, AgreementState.SETTLED, AgreementState.TERMINATED):
        agreement = agreements[state]
        assert len(agreement.commitment_number) == 10 and agreement.commitment_date.isoformat() < "2024-11-30"
        advance = agreement.payments.get(step_code="avance")
        assert advance.amount == agreement.awarded_amount / 2 and advance.paid_on.year == 2024
    for agreement in agreements.values():
        paid = sum((p.amount for p in agreement.payments.all()), Decimal("0.00"))
        assert paid <= agreement.awarded_amount


def test_impact_indicators_have_several_measured_values_and_an_interim_report_awaits_validation(real):
    per_measure = (
        IndicatorMeasurement.objects.filter(measure__action__dossier__call=real)
        .values("measure")
        .annotate(n=Count("pk"))
    )
    assert sum(1 for row in per_measure if row["n"] >= 3) >= 3
    signed = Agreement.objects.get(dossier__call=real, state=AgreementState.SIGNED.value).dossier
    interim = Report.objects.get(dossier=signed, kind=ReportKind.INTERIM.value)
    assert interim.state == ReportState.SUBMITTED.value


def test_one_dossier_is_settled_final_report_validated_and_balance_paid(real):
    settled = Dossier.objects.get(call=real, state=DossierState.SETTLED.value)
    agreement = settled.agreement
    assert agreement.state == AgreementState.SETTLED.value
    assert Report.objects.get(dossier=settled, kind=ReportKind.FINAL.value).state == ReportState.VALIDATED.value
    balance = agreement.payments.get(step_code="solde")
    assert balance.paid_on > agreement.balance_requested_on  # put into payment at validation, paid afterwards
    assert agreement.final_amount == sum((p.amount for p in agreement.payments.all()), Decimal("0.00"))
    paid = sum((p.amount for p in agreement.payments.all()), Decimal("0.00"))
    # An underspent travel line lowers the grant pro rata: the balance is less than half the award.
    assert Decimal("0.00") < balance.amount < agreement.awarded_amount / 2
    assert paid < agreement.awarded_amount


def test_a_second_run_creates_nothing_and_keeps_what_demo_users_changed(runs, real):
    assert runs.second == runs.first
    assert "dossiers de démonstration de l'instruction au solde" not in runs.second_output
    assert real.regional_envelope == CHANGED_ENVELOPE
    assert Dossier.objects.filter(call=real, title=RENAMED_DRAFT).count() == 1
    assert not Dossier.objects.filter(call=real, title=DRAFT_TITLE).exists()


def test_the_stages_are_loaded_on_the_real_call_only(real):
    assert not Dossier.objects.filter(call__is_demo=True, title__in=stage_titles()).exists()
    assert Dossier.objects.filter(call=real, title__in=stage_titles()).count() == len(stage_titles())


def test_setup_demo_prints_each_staff_account_with_its_totp_secret_on_its_line(runs):
    lines = {line.split()[0]: line for line in runs.second_output.splitlines() if "@demo.test" in line}
    for account in (*DEMO_ACCOUNTS, *STAGE_ACCOUNTS):
        if account.email not in lines:
            continue
        if account.role == Role.APPLICANT:
            assert "TOTP" not in lines[account.email]
        else:
            assert lines[account.email].endswith(f"TOTP {account.totp_secret}"), lines[account.email]
    assert "instructeur.66@demo.test" in lines
    assert {"instructeur.09@demo.test", "dreets@demo.test", "jury@demo.test", "admin@demo.test"} <= set(lines)
    assert "application d'authentification" in runs.second_output


def test_the_jury_gave_opinions_on_the_demo_session_and_the_minutes_summarise_them(real):
    """Issue 16 (9): the closed demo session holds opinions of two jury members, given before it."""
    session = CommitteeSession.objects.get(call=real, state=SessionState.CLOSED)
    opinions = list(session.jury_opinions.select_related("member", "dossier"))
    assert {o.member.email for o in opinions} == {"jury@demo.test", "jury.2@demo.test"}
    assert all(o.updated_at < session.opened_at for o in opinions)
    assert any(o.opinion == "defavorable" and o.comment for o in opinions)
