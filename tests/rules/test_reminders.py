"""Reminders before deadlines (stable keys, never twice) and the alert on credits not engaged by 30 November (§1.7)."""

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from pactes.rules.call_config import CallConfig
from pactes.rules.reminders import (
    Deadline,
    DeadlineKind,
    ReminderError,
    agreement_deadlines,
    engagement_alert,
    engagement_deadline_for,
    reminder_key,
    reminders_due,
)

DATA = Path(__file__).resolve().parents[2] / "pactes" / "calls" / "data"
TEXT = (DATA / "pts-occitanie-2024.yaml").read_text(encoding="utf-8")
CONFIG = CallConfig.from_yaml(TEXT)
OFFSETS = CONFIG.agreements.reminder_offsets_days
DUE = dt.date(2025, 3, 15)
REPORT = Deadline("releve_indicateurs", "12", DUE, "porteur:12")


def _keys(reminders):
    return [r.key for r in reminders]


def test_key_is_kind_object_due_offset():
    assert reminder_key(kind="bilan_final", object_id="12", due=DUE, offset_days=7) == "bilan_final:12:2025-03-15:7"


@pytest.mark.parametrize(
    ("today", "offset"),
    [
        (dt.date(2025, 2, 28), None),  # 15 days before: nothing yet
        (dt.date(2025, 3, 1), 14),
        (dt.date(2025, 3, 7), 14),
        (dt.date(2025, 3, 8), 7),
        (dt.date(2025, 3, 14), 1),
        (dt.date(2025, 3, 15), 1),  # the due date itself
        (dt.date(2025, 3, 16), None),  # passed: no reminder before a passed deadline
    ],
)
def test_the_latest_reached_offset_is_due_until_the_deadline(today, offset):
    reminders = reminders_due([REPORT], today=today, offsets=OFFSETS)
    assert [r.offset_days for r in reminders] == ([] if offset is None else [offset])
    if offset is not None:
        assert reminders[0].send_on == DUE - dt.timedelta(days=offset)
        assert reminders[0].days_left(today) == (DUE - today).days


def test_nothing_is_due_twice_once_the_caller_passes_the_keys_already_sent():
    sent: set[str] = set()
    day = dt.date(2025, 2, 1)
    log = []
    while day <= dt.date(2025, 4, 1):
        for reminder in reminders_due([REPORT], today=day, offsets=OFFSETS, already_sent=sent):
            assert reminder.key not in sent
            sent.add(reminder.key)
            log.append((day, reminder.offset_days))
        day += dt.timedelta(days=1)
    assert log == [(dt.date(2025, 3, 1), 14), (dt.date(2025, 3, 8), 7), (dt.date(2025, 3, 14), 1)]


def test_a_worker_that_missed_days_sends_only_the_latest_offset_not_a_burst():
    sent = {r.key for r in reminders_due([REPORT], today=dt.date(2025, 3, 10), offsets=OFFSETS)}
    assert sent == {"releve_indicateurs:12:2025-03-15:7"}
    assert reminders_due([REPORT], today=dt.date(2025, 3, 12), offsets=OFFSETS, already_sent=sent) == ()


def test_a_negative_offset_reminds_after_the_deadline():
    reminders = reminders_due([REPORT], today=dt.date(2025, 3, 22), offsets=(7, -7))
    assert _keys(reminders) == ["releve_indicateurs:12:2025-03-15:-7"]


def test_the_same_deadline_given_twice_yields_one_reminder():
    assert len(reminders_due([REPORT, REPORT], today=dt.date(2025, 3, 14), offsets=OFFSETS)) == 1


def test_a_deadline_with_a_colon_in_its_object_or_no_offsets_is_a_french_error():
    with pytest.raises(ReminderError, match="sans « : »"):
        Deadline("bilan_final", "12:3", DUE, "porteur:12")
    with pytest.raises(ReminderError, match="Aucun délai de rappel"):
        reminders_due([REPORT], today=DUE, offsets=())


@given(
    deadlines=st.lists(
        st.builds(
            Deadline,
            kind=st.sampled_from(list(DeadlineKind)),
            object_id=st.integers(min_value=1, max_value=5).map(str),
            due=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2025, 3, 1)),
            recipients=st.just("porteur:1"),
        ),
        max_size=10,
    ),
    start=st.dates(min_value=dt.date(2024, 12, 1), max_value=dt.date(2025, 3, 1)),
)
def test_keys_are_unique_and_stable_and_a_daily_worker_never_sends_one_twice(deadlines, start):
    sent: list[str] = []
    for day in range(40):
        today = start + dt.timedelta(days=day)
        first = reminders_due(deadlines, today=today, offsets=OFFSETS, already_sent=set(sent))
        again = reminders_due(deadlines, today=today, offsets=OFFSETS, already_sent=set(sent))
        assert _keys(first) == _keys(again)  # stable
        sent += _keys(first)
    assert len(sent) == len(set(sent))
    assert len(sent) <= len({(d.kind, d.object_id, d.due) for d in deadlines}) * len(OFFSETS)


def test_a_convention_has_report_interim_end_and_final_deadlines():
    deadlines = agreement_deadlines(
        object_id="7",
        recipients="porteur:7",
        start=dt.date(2024, 12, 1),
        end=dt.date(2025, 11, 30),
        frequency="semestrielle",
        config=CONFIG,
    )
    assert [(d.kind, d.due) for d in deadlines] == [
        (DeadlineKind.INTERIM_REPORT, dt.date(2025, 6, 1)),
        (DeadlineKind.INDICATOR_REPORT, dt.date(2025, 6, 15)),
        (DeadlineKind.ACTIONS_END, dt.date(2025, 11, 30)),
        (DeadlineKind.INDICATOR_REPORT, dt.date(2025, 12, 15)),
        (DeadlineKind.FINAL_REPORT, dt.date(2026, 5, 31)),
    ]
    keys = [reminder_key(kind=d.kind, object_id=d.object_id, due=d.due, offset_days=7) for d in deadlines]
    assert len(keys) == len(set(keys))


# -- engagement (§1.7: credits engaged by 30 November) ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("today", "has_commitment", "codes"),
    [
        (dt.date(2024, 11, 14), False, []),  # 16 days before: not yet
        (dt.date(2024, 11, 15), False, ["ENGAGEMENT_DEADLINE_NEAR"]),
        (dt.date(2024, 11, 30), False, ["ENGAGEMENT_DEADLINE_NEAR"]),
        (dt.date(2024, 12, 1), False, ["ENGAGEMENT_DEADLINE_PASSED"]),
        (dt.date(2024, 11, 20), True, []),  # an EJ is entered
        (dt.date(2024, 12, 1), True, []),
    ],
)
def test_engagement_alert_when_a_retained_project_has_no_ej_near_the_deadline(today, has_commitment, codes):
    reasons = engagement_alert(has_commitment=has_commitment, today=today, config=CONFIG)
    assert [r.code for r in reasons] == codes
    assert all(not r.blocking for r in reasons)


def test_engagement_alert_message_cites_the_date_and_section_1_7():
    (reason,) = engagement_alert(has_commitment=False, today=dt.date(2024, 11, 23), config=CONFIG)
    assert reason.message == (
        "Ce projet retenu n'a pas encore d'engagement juridique (EJ) : les crédits doivent être engagés au plus "
        "tard le 30 novembre 2024, dans 7 jours (§1.7)."
    )


def test_engagement_alert_window_comes_from_the_call_and_follows_the_demo_shift():
    data = yaml.safe_load(TEXT)
    data["agreements"]["engagement_alert_days"] = 30
    config = CallConfig.from_dict(data, date_offset_days=10)
    assert engagement_alert(has_commitment=False, today=dt.date(2024, 11, 10), config=config) != []
    assert engagement_alert(has_commitment=False, today=dt.date(2024, 12, 5), config=config) != []
    assert [r.code for r in engagement_alert(has_commitment=False, today=dt.date(2024, 12, 11), config=config)] == [
        "ENGAGEMENT_DEADLINE_PASSED"
    ]


def test_engagement_deadline_is_a_reminder_deadline_too():
    deadline = engagement_deadline_for(object_id="3", recipients="ddets:31", config=CONFIG)
    assert deadline is not None and deadline.due == dt.date(2024, 11, 30)
    assert _keys(reminders_due([deadline], today=dt.date(2024, 11, 23), offsets=OFFSETS)) == [
        "engagement:3:2024-11-30:7"
    ]


def test_no_engagement_alert_for_a_call_without_an_engagement_step():
    data = yaml.safe_load(TEXT)
    data["calendar"]["steps"] = [s for s in data["calendar"]["steps"] if s["code"] != "engagement"]
    config = CallConfig.from_dict(data)
    assert engagement_alert(has_commitment=False, today=dt.date(2024, 11, 30), config=config) == []
    assert engagement_deadline_for(object_id="3", recipients="ddets:31", config=config) is None
