"""Every table of every lifecycle, walked through the one generic check: each transition fired from its source by
each of its roles, refused from every other state, refused to every other role, refused without a motivation when
one is required; the guards; the wording each lifecycle kept; the diagrams generated from the tables."""

import datetime as dt
import itertools
from pathlib import Path

import pytest

from pactes.rules.agreement import AGREEMENT_LIFECYCLE, AgreementState
from pactes.rules.committee_session import (
    OTHER_OPEN_SESSION_DATE,
    SESSION_ALREADY_OPEN,
    SESSION_LIFECYCLE,
    SessionState,
)
from pactes.rules.lifecycle import DOSSIER_LIFECYCLE, DossierState
from pactes.rules.lifecycles import LIFECYCLES, lifecycle_named, lifecycles_markdown, mermaid
from pactes.rules.report_lifecycle import REPORT_LIFECYCLE, ReportState
from pactes.rules.state_machine import Actor, Lifecycle, Transition, Wording, check_transition

ROWS = [(lc, t) for lc in LIFECYCLES for t in lc.transitions]


def _id(value: object) -> str:
    if isinstance(value, Lifecycle):
        return value.name
    if isinstance(value, Transition):
        return value.code
    return str(value)


def _reason(transition: Transition) -> str:
    return "motif" if transition.needs_reason else ""


def test_the_five_lifecycles_are_listed_payments_have_no_state():
    assert [lc.name for lc in LIFECYCLES] == ["dossier", "agreement", "report", "committee_session"]
    assert lifecycle_named("report") is REPORT_LIFECYCLE


@pytest.mark.parametrize(("lifecycle", "transition"), ROWS, ids=_id)
def test_each_transition_is_allowed_from_its_source_for_each_of_its_roles(lifecycle, transition):
    for actor in transition.actors:
        reason = _reason(transition)
        assert check_transition(lifecycle, transition.code, state=transition.source, actor=actor, reason=reason) == []


@pytest.mark.parametrize(
    ("lifecycle", "transition", "state"),
    [(lc, t, s) for lc, t in ROWS for s in lc.states if s != t.source],
    ids=_id,
)
def test_each_transition_is_refused_from_every_other_state(lifecycle, transition, state):
    actor = next(iter(transition.actors))
    problems = check_transition(lifecycle, transition.code, state=state, actor=actor, reason="motif")
    assert [r.code for r in problems] == [lifecycle.code("TRANSITION_NOT_FROM_STATE")]
    assert lifecycle.state_label(state) in problems[0].message


@pytest.mark.parametrize(
    ("lifecycle", "transition", "actor"),
    [(lc, t, a) for (lc, t), a in itertools.product(ROWS, Actor) if a not in t.actors],
    ids=_id,
)
def test_each_transition_is_refused_to_every_other_role(lifecycle, transition, actor):
    problems = check_transition(lifecycle, transition.code, state=transition.source, actor=actor, reason="motif")
    assert [r.code for r in problems] == [lifecycle.code("TRANSITION_NOT_ALLOWED")]
    assert problems[0].message == f"Votre rôle ne permet pas « {transition.label} »."


@pytest.mark.parametrize(("lifecycle", "transition"), [r for r in ROWS if r[1].needs_reason], ids=_id)
def test_motivated_transitions_are_refused_without_a_motivation(lifecycle, transition):
    actor = next(iter(transition.actors))
    problems = check_transition(lifecycle, transition.code, state=transition.source, actor=actor, reason="  ")
    assert [r.code for r in problems] == [lifecycle.code("TRANSITION_REASON_REQUIRED")]
    assert problems[0].message == f"« {transition.label} » demande une motivation."


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=_id)
def test_an_unknown_transition_is_refused(lifecycle):
    problems = check_transition(lifecycle, "teleport", state=lifecycle.initial, actor=Actor.ADMIN)
    assert [r.code for r in problems] == [lifecycle.code("TRANSITION_UNKNOWN")]
    assert "« teleport »" in problems[0].message


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=_id)
def test_every_state_is_reachable_from_the_initial_state(lifecycle):
    reached, frontier = {lifecycle.initial}, [lifecycle.initial]
    while frontier:
        state = frontier.pop()
        for t in lifecycle.transitions_from(state):
            if t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    assert reached == set(lifecycle.states)


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=_id)
def test_every_state_has_a_french_label(lifecycle):
    assert all(lifecycle.state_label(s) and lifecycle.state_label(s) != s for s in lifecycle.states)


def test_the_wording_of_each_lifecycle_is_kept():
    def refusal(lifecycle, code, state):
        return check_transition(lifecycle, code, state=state, actor=Actor.INSTRUCTOR, reason="m")[0]

    assert refusal(DOSSIER_LIFECYCLE, "transmit", DossierState.DRAFT).message == (
        "« Transmettre au comité régional » n'est pas possible depuis l'état « Brouillon »."
    )
    assert refusal(AGREEMENT_LIFECYCLE, "sign", AgreementState.DRAFT).message == (
        "« Enregistrer la signature de l'État » n'est pas possible pour une convention à l'état « Brouillon »."
    )
    report = refusal(REPORT_LIFECYCLE, "validate", ReportState.DRAFT)
    assert report.code == "REPORT_TRANSITION_NOT_FROM_STATE"
    assert report.message == "« Valider le bilan » n'est pas possible pour un bilan à l'état « Brouillon »."
    assert DOSSIER_LIFECYCLE.wording.stale_code == "STATE_CHANGED"
    assert AGREEMENT_LIFECYCLE.wording.stale_code == "AGREEMENT_STATE_CHANGED"
    assert REPORT_LIFECYCLE.wording.stale_code == "REPORT_STATE_CHANGED"
    assert SESSION_LIFECYCLE.wording.stale_code == "STATE_CHANGED"


def test_the_stamps_name_the_fields_the_engine_sets():
    assert [s.at for s in DOSSIER_LIFECYCLE.stamps[DossierState.SUBMITTED]] == ["submitted_at"]
    assert [(s.at, s.by) for s in REPORT_LIFECYCLE.stamps[ReportState.VALIDATED]] == [("validated_at", "validated_by")]
    assert [(s.at, s.by) for s in SESSION_LIFECYCLE.stamps[SessionState.CLOSED]] == [("closed_at", "closed_by")]


# -- the committee session's guard ----------------------------------------------------------------------------------
def test_a_session_opens_when_no_other_session_of_the_call_is_open():
    assert check_transition(SESSION_LIFECYCLE, "open", state=SessionState.PLANNED, actor=Actor.DREETS) == []
    facts = {OTHER_OPEN_SESSION_DATE: None}
    assert check_transition(SESSION_LIFECYCLE, "open", state="planifiee", actor="dreets", facts=facts) == []


def test_a_second_open_session_of_the_call_is_refused_with_the_date_of_the_first():
    facts = {OTHER_OPEN_SESSION_DATE: dt.date(2024, 10, 28)}
    problems = check_transition(SESSION_LIFECYCLE, "open", state="planifiee", actor="dreets", facts=facts)
    assert [r.code for r in problems] == [SESSION_ALREADY_OPEN]
    assert problems[0].message == "La séance du 28/10/2024 est déjà ouverte pour cet appel : closez-la d'abord."


def test_guards_run_only_once_the_table_allows_the_move():
    facts = {OTHER_OPEN_SESSION_DATE: dt.date(2024, 10, 28)}
    problems = check_transition(SESSION_LIFECYCLE, "open", state="planifiee", actor="jury", facts=facts)
    assert [r.code for r in problems] == ["TRANSITION_NOT_ALLOWED"]


# -- the shape of a table -------------------------------------------------------------------------------------------
def test_a_table_naming_a_transition_twice_or_an_undeclared_state_is_refused():
    move = Transition("go", "Aller", "a", "b", frozenset({Actor.DREETS}))
    with pytest.raises(ValueError, match="deux fois"):
        Lifecycle("x", "X", ("a", "b"), {"a": "A", "b": "B"}, "a", (move, move))
    with pytest.raises(ValueError, match="ne déclare pas"):
        Lifecycle("x", "X", ("a",), {"a": "A"}, "a", (move,))
    table = Lifecycle("x", "X", ("a", "b"), {"a": "A", "b": "B"}, "a", (move,), wording=Wording(code_prefix="X_"))
    assert table.code("TRANSITION_UNKNOWN") == "X_TRANSITION_UNKNOWN"
    assert table.state_label("z") == "z"


# -- the generated diagrams -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=_id)
def test_the_diagram_has_one_arrow_per_transition_and_french_labels(lifecycle):
    diagram = mermaid(lifecycle)
    assert diagram.startswith("stateDiagram-v2\n")
    arrows = [line for line in diagram.splitlines() if " --> " in line and "[*]" not in line]
    assert len(arrows) == len(lifecycle.transitions)
    for t in lifecycle.transitions:
        assert any(t.label in arrow for arrow in arrows)
    for state in lifecycle.states:
        assert f'"{lifecycle.state_label(state)}"' in diagram


def test_the_committed_document_is_the_one_the_tables_generate():
    committed = Path(__file__).resolve().parents[2] / "docs" / "lifecycles.md"
    assert committed.read_text(encoding="utf-8") == lifecycles_markdown(), "Lancez `make docs`."
