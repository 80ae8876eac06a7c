"""A rule's decision with its reasons: stable codes (for UI, API, CLI, tests) and French messages (for people)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    blocking: bool = True
    section: str = ""


@dataclass(frozen=True)
class Verdict:
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not any(r.blocking for r in self.reasons)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)

    @classmethod
    def of(cls, *reasons: Reason) -> Verdict:
        return cls(tuple(reasons))

    def __add__(self, other: Verdict) -> Verdict:
        return Verdict(self.reasons + other.reasons)
