"""The one lifecycle engine, ``pactes.core.transitions.fire``: it locks the row, refuses a stale state, checks the
table, lets the caller refuse or complete the move, stamps the lifecycle's fields, writes one log row and runs the
notifications once committed; a refused move writes nothing."""

import datetime as dt
import logging

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from pactes.committee.models import CommitteeSession, CommitteeSessionTransitionLog, SessionState
from pactes.committee.services import session_open
from pactes.core import transitions
from pactes.core.models import JournalHead
from pactes.core.transitions import Fired, TransitionRefused, fire
from pactes.dossiers.models import Dossier, DossierTransitionLog
from pactes.rules.committee_session import SESSION_LIFECYCLE
from pactes.rules.committee_session import SessionState as LifecycleSessionState
from pactes.rules.lifecycle import DOSSIER_LIFECYCLE, DossierState
from pactes.rules.verdict import Reason


def codes(refused: pytest.ExceptionInfo[TransitionRefused]) -> list[str]:
    return [r.code for r in refused.value.reasons]


@pytest.fixture
def ariege(filed) -> Dossier:
    return filed["09"]


def test_a_move_writes_the_state_and_one_log_row_and_updates_the_callers_object(ariege, accounts):
    instructor = accounts["instructeur.09"]
    before = DossierTransitionLog.objects.filter(dossier=ariege).count()
    locked = fire(obj=ariege, lifecycle=DOSSIER_LIFECYCLE, code="start_review", by=instructor, reason=" vu ")
    assert locked.pk == ariege.pk and locked is not ariege
    assert ariege.state == locked.state == DossierState.UNDER_REVIEW
    assert Dossier.objects.get(pk=ariege.pk).state == DossierState.UNDER_REVIEW
    log = DossierTransitionLog.objects.filter(dossier=ariege).latest("pk")
    assert DossierTransitionLog.objects.filter(dossier=ariege).count() == before + 1
    assert (log.transition, log.from_state, log.to_state, log.by, log.reason) == (
        "start_review",
        DossierState.SUBMITTED,
        DossierState.UNDER_REVIEW,
        instructor,
        "vu",
    )


def test_the_row_is_locked_before_it_is_read(ariege, accounts, monkeypatch):
    locked_models = []
    original = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        locked_models.append(self.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    fire(obj=ariege, lifecycle=DOSSIER_LIFECYCLE, code="start_review", by=accounts["instructeur.09"])
    # The object's row first; then the journal's head row, for the log row's entry in the hash chain.
    assert locked_models == [Dossier, JournalHead]


def test_a_stale_state_is_refused_in_french_and_nothing_is_written(ariege, accounts):
    instructor = accounts["instructeur.09"]
    stale = Dossier.objects.get(pk=ariege.pk)
    fire(obj=ariege, lifecycle=DOSSIER_LIFECYCLE, code="start_review", by=instructor)
    logs = DossierTransitionLog.objects.count()
    with pytest.raises(TransitionRefused) as refused:
        fire(obj=stale, lifecycle=DOSSIER_LIFECYCLE, code="start_review", by=instructor)
    assert codes(refused) == ["STATE_CHANGED"]
    assert "a changé d'état entre-temps" in str(refused.value)
    assert DossierTransitionLog.objects.count() == logs


def test_the_table_refuses_a_role_and_a_missing_motivation(ariege, accounts):
    with pytest.raises(TransitionRefused) as refused:
        fire(obj=ariege, lifecycle=DOSSIER_LIFECYCLE, code="start_review", by=accounts["porteur.ariege"])
    assert codes(refused) == ["TRANSITION_NOT_ALLOWED"]
    fire(obj=ariege, lifecycle=DOSSIER_LIFECYCLE, code="start_review", by=accounts["instructeur.09"])
    with pytest.raises(TransitionRefused) as refused:
        fire(obj=ariege, lifecycle=DOSSIER_LIFECYCLE, code="declare_inadmissible", by=accounts["instructeur.09"])
    assert codes(refused) == ["TRANSITION_REASON_REQUIRED"]
    assert Dossier.objects.get(pk=ariege.pk).state == DossierState.UNDER_REVIEW


@pytest.mark.parametrize(
    ("at", "code"),
    [
        (timezone.now() + dt.timedelta(days=1), "MOMENT_IN_FUTURE"),
        (dt.datetime(2024, 9, 28, 14, 5), "MOMENT_NAIVE"),
    ],
)
def test_a_future_or_naive_moment_is_refused(ariege, accounts, at, code):
    with pytest.raises(TransitionRefused) as refused:
        fire(obj=ariege, lifecycle=DOSSIER_LIFECYCLE, code="start_review", by=accounts["instructeur.09"], at=at)
    assert codes(refused) == [code]
    assert Dossier.objects.get(pk=ariege.pk).state == DossierState.SUBMITTED


def test_a_past_moment_dates_the_log_and_the_stamps(planned_session, accounts):
    moment = timezone.now() - dt.timedelta(days=3)
    dreets = accounts["dreets"]
    fire(obj=planned_session, lifecycle=SESSION_LIFECYCLE, code="open", by=dreets, at=moment)
    session = CommitteeSession.objects.get(pk=planned_session.pk)
    assert (session.state, session.opened_at, session.opened_by) == (SessionState.OPEN, moment, dreets)
    assert (planned_session.opened_at, planned_session.opened_by) == (moment, dreets)
    log = CommitteeSessionTransitionLog.objects.get(session=session)
    assert (log.transition, log.from_label, log.to_label, log.at) == ("open", "Planifiée", "Ouverte", moment)


def test_the_callers_prepare_may_refuse_or_complete_the_move(planned_session, accounts):
    dreets = accounts["dreets"]

    def refuse(row, move):
        row.place = "ailleurs"
        return [Reason("OWN_RULE", "Refusé par le service.")]

    with pytest.raises(TransitionRefused) as refused:
        fire(obj=planned_session, lifecycle=SESSION_LIFECYCLE, code="open", by=dreets, prepare=refuse)
    assert codes(refused) == ["OWN_RULE"]
    session = CommitteeSession.objects.get(pk=planned_session.pk)
    assert (session.state, session.place) == (SessionState.PLANNED, "DREETS Occitanie, Toulouse")
    assert not session.transitions.exists()

    def complete(row, move):
        assert move.code == "open"
        row.place = "Préfecture, Toulouse"
        return []

    fire(obj=planned_session, lifecycle=SESSION_LIFECYCLE, code="open", by=dreets, prepare=complete)
    assert CommitteeSession.objects.get(pk=planned_session.pk).place == "Préfecture, Toulouse"


def test_the_guards_read_the_facts_given(planned_session, accounts):
    facts = {"other_open_session_date": dt.date(2024, 10, 28)}
    with pytest.raises(TransitionRefused) as refused:
        fire(obj=planned_session, lifecycle=SESSION_LIFECYCLE, code="open", by=accounts["dreets"], facts=facts)
    assert codes(refused) == ["SESSION_ALREADY_OPEN"]


def test_notifications_run_once_committed_and_a_failing_hook_is_only_logged(
    ariege, accounts, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    calls: list[object] = []

    def failing(fired: Fired) -> None:
        raise RuntimeError("serveur de courriel en panne")

    monkeypatch.setattr(transitions, "AFTER_COMMIT_HOOKS", [failing, calls.append])
    with django_capture_on_commit_callbacks(execute=True) as callbacks, caplog.at_level(logging.ERROR):
        fire(
            obj=ariege,
            lifecycle=DOSSIER_LIFECYCLE,
            code="start_review",
            by=accounts["instructeur.09"],
            on_commit=[lambda: calls.append("courriel")],
        )
        assert calls == []  # nothing before the commit
    assert len(callbacks) == 2
    assert calls[0] == "courriel"
    fired = calls[1]
    assert isinstance(fired, Fired)
    assert (fired.lifecycle, fired.code, fired.model, fired.pk) == (
        "dossier",
        "start_review",
        "dossiers.Dossier",
        ariege.pk,
    )
    assert (fired.from_state, fired.to_state) == (DossierState.SUBMITTED, DossierState.UNDER_REVIEW)
    assert "Échec d'un traitement après la transition" in caplog.text


def test_a_refused_move_schedules_nothing(ariege, accounts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(TransitionRefused):
        fire(obj=ariege, lifecycle=DOSSIER_LIFECYCLE, code="transmit", by=accounts["instructeur.09"], on_commit=[print])
    assert callbacks == []


def test_the_committee_service_opens_a_session_through_the_engine(planned_session, accounts):
    session = session_open(session=planned_session, by=accounts["dreets"])
    assert session.state == SessionState.OPEN
    assert [(t.transition, t.by) for t in session.transitions.all()] == [("open", accounts["dreets"])]


def test_the_database_choices_of_a_session_are_the_states_of_its_lifecycle():
    assert [(c.value, c.label) for c in SessionState] == [(s.value, s.label) for s in LifecycleSessionState]


def test_without_hooks_only_the_callers_callbacks_are_scheduled(ariege, accounts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        fire(obj=ariege, lifecycle=DOSSIER_LIFECYCLE, code="start_review", by=accounts["instructeur.09"])
    assert callbacks == []


def test_an_object_moves_only_through_the_lifecycle_its_model_declares(ariege, accounts):
    assert Dossier.lifecycle is DOSSIER_LIFECYCLE and CommitteeSession.lifecycle is SESSION_LIFECYCLE
    with pytest.raises(ValueError, match="ne suit pas le cycle de vie « committee_session »"):
        fire(obj=ariege, lifecycle=SESSION_LIFECYCLE, code="open", by=accounts["dreets"])
