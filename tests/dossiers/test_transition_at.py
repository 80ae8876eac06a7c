"""The moment of a dossier transition: now by default; an explicit, past, aware ``at`` (an act recorded afterwards,
such as the demonstration of the 2024 call) is kept on the log and on ``submitted_at``; a future or naive one is
refused in French and nothing changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from pactes.dossiers.filing import dossier_file
from pactes.dossiers.models import DossierTransitionLog
from pactes.dossiers.services import MOMENT_IN_FUTURE, MOMENT_NAIVE, TransitionRefused, dossier_transition
from pactes.rules.lifecycle import DossierState
from tests.dossiers.fixtures import FILING_NOW

PARIS = ZoneInfo("Europe/Paris")
RECORDED_MOMENT = dt.datetime(2024, 9, 28, 14, 5, tzinfo=PARIS)


def test_an_explicit_moment_is_kept_on_the_log_and_on_the_filing_date(draft, applicant):
    dossier_transition(dossier=draft, transition="submit", by=applicant, at=RECORDED_MOMENT)
    log = DossierTransitionLog.objects.get(dossier=draft)
    draft.refresh_from_db()
    assert log.at == RECORDED_MOMENT
    assert draft.submitted_at == RECORDED_MOMENT
    assert draft.state == DossierState.SUBMITTED


def test_without_a_moment_the_transition_is_logged_now(draft, applicant):
    before = timezone.now()
    dossier_transition(dossier=draft, transition="submit", by=applicant)
    after = timezone.now()
    log = DossierTransitionLog.objects.get(dossier=draft)
    draft.refresh_from_db()
    assert before <= log.at <= after
    assert before <= draft.submitted_at <= after


def test_a_moment_in_the_future_is_refused_and_nothing_changes(draft, applicant):
    with pytest.raises(TransitionRefused) as refused:
        dossier_transition(dossier=draft, transition="submit", by=applicant, at=timezone.now() + dt.timedelta(hours=1))
    assert [r.code for r in refused.value.reasons] == [MOMENT_IN_FUTURE]
    assert "avenir" in str(refused.value)
    draft.refresh_from_db()
    assert draft.state == DossierState.DRAFT
    assert not DossierTransitionLog.objects.filter(dossier=draft).exists()


def test_a_moment_without_time_zone_is_refused(draft, applicant):
    with pytest.raises(TransitionRefused) as refused:
        dossier_transition(dossier=draft, transition="submit", by=applicant, at=dt.datetime(2024, 9, 28, 14, 5))
    assert [r.code for r in refused.value.reasons] == [MOMENT_NAIVE]
    assert "fuseau horaire" in str(refused.value)


def test_filing_at_a_given_moment_logs_the_submission_at_that_moment(draft, applicant):
    dossier_file(dossier=draft, by=applicant, now=FILING_NOW, notify=False)
    log = DossierTransitionLog.objects.get(dossier=draft, transition="submit")
    draft.refresh_from_db()
    assert log.at == FILING_NOW
    assert draft.submitted_at == FILING_NOW
