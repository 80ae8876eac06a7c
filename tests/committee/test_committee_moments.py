"""A committee session recorded afterwards (the demonstration of the 2024 call) keeps its explicit moments: opening,
decisions and closing, the dossiers' transition logs and the procès-verbal; a moment before the opening or in the
future is refused in French. Without a moment, the services stamp now (the views never pass one)."""

import datetime as dt
import subprocess
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from pactes.committee.models import Decision
from pactes.committee.services import (
    MOMENT_BEFORE_OPENING,
    CommitteeRefused,
    attendance_set,
    decision_record,
    session_close,
    session_open,
)
from pactes.dossiers.models import DossierTransitionLog
from pactes.dossiers.services import MOMENT_IN_FUTURE

PARIS = ZoneInfo("Europe/Paris")
OPENED = dt.datetime(2024, 10, 15, 9, 30, tzinfo=PARIS)
CLOSED = dt.datetime(2024, 10, 15, 12, 0, tzinfo=PARIS)


def decide_all(session, transmitted, dreets, at=None):
    decision_record(
        session=session,
        dossier=transmitted["09"],
        decision=Decision.RETAINED,
        awarded_amount=Decimal("40000.00"),
        motivation="",
        by=dreets,
        at=at,
    )
    decision_record(
        session=session,
        dossier=transmitted["11"],
        decision=Decision.REJECTED,
        awarded_amount=None,
        motivation="Cofinancements insuffisamment assurés.",
        by=dreets,
        at=at + dt.timedelta(minutes=10) if at else None,
    )


def pdf_text(field) -> str:
    with field.open("rb") as handle:
        text = subprocess.run(
            ["/usr/bin/pdftotext", "-", "-"], input=handle.read(), capture_output=True, check=True
        ).stdout.decode("utf-8")
    return " ".join(text.split())


def test_a_session_recorded_afterwards_keeps_its_moments_on_the_logs_and_the_minutes(
    planned_session, transmitted, accounts, django_capture_on_commit_callbacks
):
    dreets = accounts["dreets"]
    session = session_open(session=planned_session, by=dreets, at=OPENED)
    attendance_set(session=session, present=[dreets, accounts["jury"], accounts["jury2"]], by=dreets)
    decide_all(session, transmitted, dreets, at=OPENED + dt.timedelta(minutes=15))
    with django_capture_on_commit_callbacks(execute=True):
        closed = session_close(session=session, by=dreets, at=CLOSED)
    closed.refresh_from_db()  # the procès-verbal is rendered by the task its commit enqueued
    assert closed.opened_at == OPENED and closed.closed_at == CLOSED
    assert {d.decided_at for d in closed.decisions.all()} == {
        OPENED + dt.timedelta(minutes=15),
        OPENED + dt.timedelta(minutes=25),
    }
    for dossier in transmitted.values():
        log = DossierTransitionLog.objects.filter(dossier=dossier).order_by("-pk").first()
        assert log.at == CLOSED
    assert "15 octobre 2024" in pdf_text(closed.minutes_pdf)


def test_closing_before_the_opening_is_refused(open_session, transmitted, accounts):
    dreets = accounts["dreets"]
    decide_all(open_session, transmitted, dreets)
    with pytest.raises(CommitteeRefused) as refused:
        session_close(session=open_session, by=dreets, at=CLOSED)
    assert MOMENT_BEFORE_OPENING in [r.code for r in refused.value.reasons]
    assert "précéder l'ouverture" in str(refused.value)


def test_a_session_cannot_be_opened_in_the_future(planned_session, accounts):
    with pytest.raises(CommitteeRefused) as refused:
        session_open(session=planned_session, by=accounts["dreets"], at=timezone.now() + dt.timedelta(days=1))
    assert [r.code for r in refused.value.reasons] == [MOMENT_IN_FUTURE]
    assert "avenir" in str(refused.value)


def test_without_a_moment_the_session_is_opened_now(planned_session, accounts):
    before = timezone.now()
    session = session_open(session=planned_session, by=accounts["dreets"])
    assert before <= session.opened_at <= timezone.now()
