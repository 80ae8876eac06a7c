"""A rule's decision with its reasons: stable codes (for UI, API, CLI, tests) and French messages (for people).

Words: a rule is *met* when none of its reasons stands, *failed* when one does, and *not applicable* when it had
nothing to judge (no action to start on time, no in-kind contribution to value): a person reads « sans objet » for
it, never « respectée ». A verdict lists the codes of its rules that were not applicable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    MET = "met"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {Outcome.MET: "Respectée", Outcome.FAILED: "Non respectée", Outcome.NOT_APPLICABLE: "Sans objet"}


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    blocking: bool = True
    section: str = ""


@dataclass(frozen=True)
class Verdict:
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    # The codes of the rules that had nothing to judge (and gave no reason).
    not_applicable: frozenset[str] = frozenset()

    @property
    def ok(self) -> bool:
        return not any(r.blocking for r in self.reasons)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)

    def outcome(self, code: str) -> Outcome:
        """Failed when a reason of ``code`` stands, else not applicable when the rule had nothing to judge, else met."""
        if any(r.code == code for r in self.reasons):
            return Outcome.FAILED
        return Outcome.NOT_APPLICABLE if code in self.not_applicable else Outcome.MET

    @classmethod
    def of(cls, *reasons: Reason) -> Verdict:
        return cls(tuple(reasons))

    def __add__(self, other: Verdict) -> Verdict:
        return Verdict(self.reasons + other.reasons, self.not_applicable | other.not_applicable)
