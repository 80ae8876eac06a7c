"""The whole transition table, walked: every allowed move, and the refused ones (wrong state, wrong role, no reason)."""

import itertools

import pytest

from pactes.rules.lifecycle import (
    TRANSITIONS,
    Actor,
    DossierState,
    check_transition,
    is_editable,
    transitions_from,
)


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: t.code)
def test_each_transition_is_allowed_from_its_source_for_its_actors(transition):
    for actor in transition.actors:
        reason = "motif" if transition.needs_reason else ""
        assert check_transition(transition.code, state=transition.source, actor=actor, reason=reason) == []


@pytest.mark.parametrize(
    ("transition", "state"),
    [(t, s) for t, s in itertools.product(TRANSITIONS, DossierState) if s != t.source],
    ids=lambda v: getattr(v, "code", None) or str(v),
)
def test_each_transition_is_refused_from_every_other_state(transition, state):
    actor = next(iter(transition.actors))
    codes = [r.code for r in check_transition(transition.code, state=state, actor=actor, reason="motif")]
    assert codes == ["TRANSITION_NOT_FROM_STATE"]


@pytest.mark.parametrize(
    ("transition", "actor"),
    [(t, a) for t, a in itertools.product(TRANSITIONS, Actor) if a not in t.actors],
    ids=lambda v: getattr(v, "code", None) or str(v),
)
def test_each_transition_is_refused_to_every_other_role(transition, actor):
    codes = [r.code for r in check_transition(transition.code, state=transition.source, actor=actor, reason="m")]
    assert codes == ["TRANSITION_NOT_ALLOWED"]


@pytest.mark.parametrize("transition", [t for t in TRANSITIONS if t.needs_reason], ids=lambda t: t.code)
def test_motivated_transitions_are_refused_without_a_motivation(transition):
    actor = next(iter(transition.actors))
    problems = check_transition(transition.code, state=transition.source, actor=actor, reason="   ")
    assert [r.code for r in problems] == ["TRANSITION_REASON_REQUIRED"]
    assert "motivation" in problems[0].message


def test_inadmissible_rejected_and_postponed_require_a_motivation():
    motivated = {t.target for t in TRANSITIONS if t.needs_reason}
    assert {DossierState.INADMISSIBLE, DossierState.REJECTED, DossierState.POSTPONED} <= motivated


def test_every_state_is_reachable_from_the_draft():
    reached, frontier = {DossierState.DRAFT}, [DossierState.DRAFT]
    while frontier:
        state = frontier.pop()
        for t in transitions_from(state):
            if t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    assert reached == set(DossierState)


def test_every_decision_can_be_reopened_by_the_dreets_only_with_a_motivation():
    for decided in (DossierState.RETAINED, DossierState.REJECTED, DossierState.POSTPONED, DossierState.INADMISSIBLE):
        reopen = [t for t in transitions_from(decided) if t.code.startswith("reopen")]
        assert len(reopen) == 1
        assert reopen[0].actors == frozenset({Actor.DREETS})
        assert reopen[0].needs_reason


def test_unknown_transition_is_refused():
    assert [r.code for r in check_transition("teleport", state="brouillon", actor="porteur")] == ["TRANSITION_UNKNOWN"]


def test_only_drafts_and_dossiers_awaiting_complements_are_editable():
    assert {s for s in DossierState if is_editable(s)} == {DossierState.DRAFT, DossierState.COMPLEMENTS_REQUESTED}
