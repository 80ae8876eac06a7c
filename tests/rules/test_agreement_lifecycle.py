"""The convention's transition table, walked: every allowed move, and the refused ones (wrong state, role, no reason)."""

import itertools

import pytest

from pactes.rules.agreement import (
    AGREEMENT_CLOSED_STATES,
    AGREEMENT_STATE_DATES,
    AGREEMENT_TRANSITIONS,
    AgreementState,
    agreement_state_label,
    agreement_transitions_from,
    check_agreement_transition,
    is_agreement_editable,
    is_agreement_in_force,
    is_agreement_payable,
)
from pactes.rules.lifecycle import Actor


@pytest.mark.parametrize("transition", AGREEMENT_TRANSITIONS, ids=lambda t: t.code)
def test_each_transition_is_allowed_from_its_source_for_its_actors(transition):
    for actor in transition.actors:
        reason = "motif" if transition.needs_reason else ""
        assert check_agreement_transition(transition.code, state=transition.source, actor=actor, reason=reason) == []


@pytest.mark.parametrize(
    ("transition", "state"),
    [(t, s) for t, s in itertools.product(AGREEMENT_TRANSITIONS, AgreementState) if s != t.source],
    ids=lambda v: getattr(v, "code", None) or str(v),
)
def test_each_transition_is_refused_from_every_other_state(transition, state):
    actor = next(iter(transition.actors))
    problems = check_agreement_transition(transition.code, state=state, actor=actor, reason="motif")
    assert [r.code for r in problems] == ["TRANSITION_NOT_FROM_STATE"]
    assert state.label in problems[0].message


@pytest.mark.parametrize(
    ("transition", "actor"),
    [(t, a) for t, a in itertools.product(AGREEMENT_TRANSITIONS, Actor) if a not in t.actors],
    ids=lambda v: getattr(v, "code", None) or str(v),
)
def test_each_transition_is_refused_to_every_other_role(transition, actor):
    problems = check_agreement_transition(transition.code, state=transition.source, actor=actor, reason="motif")
    assert [r.code for r in problems] == ["TRANSITION_NOT_ALLOWED"]


@pytest.mark.parametrize("transition", [t for t in AGREEMENT_TRANSITIONS if t.needs_reason], ids=lambda t: t.code)
def test_motivated_transitions_are_refused_without_a_motivation(transition):
    actor = next(iter(transition.actors))
    problems = check_agreement_transition(transition.code, state=transition.source, actor=actor, reason="  ")
    assert [r.code for r in problems] == ["TRANSITION_REASON_REQUIRED"]
    assert "motivation" in problems[0].message


def test_termination_abandonment_and_reopening_always_need_a_motivation():
    motivated = {t.target for t in AGREEMENT_TRANSITIONS if t.needs_reason}
    assert {AgreementState.TERMINATED, AgreementState.ABANDONED} <= motivated
    assert all(t.needs_reason for t in AGREEMENT_TRANSITIONS if t.source in AGREEMENT_CLOSED_STATES)


def test_unknown_transition_is_a_french_reason():
    problems = check_agreement_transition("teleport", state="brouillon", actor="instructeur")
    assert [r.code for r in problems] == ["TRANSITION_UNKNOWN"]
    assert "n'existe pas" in problems[0].message


def test_the_signature_path_runs_draft_sent_signed_by_applicant_signed_settled():
    path = [
        ("send", Actor.INSTRUCTOR),
        ("upload_applicant_signature", Actor.APPLICANT),
        ("sign", Actor.INSTRUCTOR),
        ("settle", Actor.INSTRUCTOR),
    ]
    state = AgreementState.DRAFT
    by_code = {t.code: t for t in AGREEMENT_TRANSITIONS}
    for code, actor in path:
        assert check_agreement_transition(code, state=state, actor=actor) == []
        state = by_code[code].target
    assert state == AgreementState.SETTLED


def test_only_the_state_side_signs_and_the_applicant_only_uploads_its_scan():
    applicant_moves = {t.code for t in AGREEMENT_TRANSITIONS if Actor.APPLICANT in t.actors}
    assert applicant_moves == {"upload_applicant_signature"}
    problems = check_agreement_transition("sign", state="signee_porteur", actor="porteur")
    assert [r.code for r in problems] == ["TRANSITION_NOT_ALLOWED"]


def test_every_state_is_reachable_from_the_draft():
    reached, frontier = {AgreementState.DRAFT}, [AgreementState.DRAFT]
    while frontier:
        state = frontier.pop()
        for t in agreement_transitions_from(state):
            if t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    assert reached == set(AgreementState)


def test_transition_codes_are_unique_and_no_row_loops_on_itself():
    codes = [t.code for t in AGREEMENT_TRANSITIONS]
    assert len(codes) == len(set(codes))
    assert all(t.source != t.target for t in AGREEMENT_TRANSITIONS)


def test_terminated_and_abandoned_are_final():
    assert agreement_transitions_from(AgreementState.TERMINATED) == ()
    assert agreement_transitions_from(AgreementState.ABANDONED) == ()


def test_transitions_offered_to_an_actor_are_those_it_may_fire():
    assert [t.code for t in agreement_transitions_from("envoyee", "porteur")] == ["upload_applicant_signature"]
    assert {t.code for t in agreement_transitions_from("signee", "dreets")} == {"settle", "terminate"}


def test_only_a_draft_is_editable_and_only_a_signed_convention_is_in_force_and_payable():
    assert [s for s in AgreementState if is_agreement_editable(s)] == [AgreementState.DRAFT]
    assert [s for s in AgreementState if is_agreement_in_force(s)] == [AgreementState.SIGNED]
    assert [s for s in AgreementState if is_agreement_payable(s)] == [AgreementState.SIGNED]


def test_each_state_names_the_dates_it_requires_and_a_forward_move_keeps_those_of_earlier_states():
    assert set(AGREEMENT_STATE_DATES) == set(AgreementState)
    forward = [t for t in AGREEMENT_TRANSITIONS if not t.needs_reason or t.target == AgreementState.TERMINATED]
    assert {t.code for t in forward} == {"send", "upload_applicant_signature", "sign", "settle", "terminate"}
    for t in forward:
        assert set(AGREEMENT_STATE_DATES[t.source]) < set(AGREEMENT_STATE_DATES[t.target]), t.code


def test_every_state_has_a_french_label():
    assert agreement_state_label("signee_porteur") == "Signée par le porteur"
    assert agreement_state_label("inconnu") == "inconnu"
    assert all(s.label for s in AgreementState)
