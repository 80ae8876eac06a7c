"""The report lifecycle table (pure rules): who submits, validates or returns a report, and from which state."""

import pytest

from pactes.rules.report_lifecycle import (
    REPORT_TRANSITIONS,
    ReportState,
    check_report_transition,
    is_report_editable,
    report_transitions_from,
    submit_transition_for,
)

TABLE = [
    ("submit", "brouillon", "porteur", "remis"),
    ("resubmit", "renvoye", "porteur", "remis"),
    ("validate", "remis", "instructeur", "valide"),
    ("return", "remis", "instructeur", "renvoye"),
]


@pytest.mark.parametrize(("code", "source", "actor", "target"), TABLE)
def test_each_transition_of_the_table_is_allowed_to_its_actor_from_its_source(code, source, actor, target):
    reason = "Motif" if code == "return" else ""
    assert check_report_transition(code, state=source, actor=actor, reason=reason) == []
    assert {t.code: t.target.value for t in REPORT_TRANSITIONS}[code] == target


def test_the_table_has_exactly_the_four_transitions():
    assert sorted(t.code for t in REPORT_TRANSITIONS) == sorted(row[0] for row in TABLE)


def test_an_applicant_cannot_validate_its_own_report():
    codes = [r.code for r in check_report_transition("validate", state="remis", actor="porteur")]
    assert codes == ["REPORT_TRANSITION_NOT_ALLOWED"]


def test_returning_a_report_requires_a_motivation():
    codes = [r.code for r in check_report_transition("return", state="remis", actor="instructeur", reason="  ")]
    assert codes == ["REPORT_TRANSITION_REASON_REQUIRED"]


def test_a_validated_report_leaves_no_state():
    assert report_transitions_from(ReportState.VALIDATED) == ()
    codes = [r.code for r in check_report_transition("return", state="valide", actor="instructeur", reason="x")]
    assert codes == ["REPORT_TRANSITION_NOT_FROM_STATE"]


def test_a_returned_report_is_editable_again_and_is_resubmitted():
    assert is_report_editable("renvoye") and is_report_editable("brouillon")
    assert not is_report_editable("remis") and not is_report_editable("valide")
    assert submit_transition_for("renvoye") == "resubmit"
    assert submit_transition_for("brouillon") == "submit"


def test_an_unknown_transition_is_refused_with_its_code():
    assert [r.code for r in check_report_transition("approve", state="remis", actor="instructeur")] == [
        "REPORT_TRANSITION_UNKNOWN"
    ]
