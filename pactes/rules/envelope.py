"""The regional envelope of the call (BOP 304, action 23): what is committed, proposed and left (§1.4, §1.6).

No Django here; Decimal only. Words:
- *envelope*: the regional amount set by an administrator (the call does not publish it; ``None`` until set).
- *decision*: the outcome for one dossier; *closed* once the committee has decided (its ``awarded`` amount is then
  *committed*), open while only a *proposed* amount exists.
- *remaining*: envelope − committed; *remaining after proposals*: envelope − committed − proposed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from pactes.rules.call_config import CallConfig
from pactes.rules.money import check_amount, cited, euros
from pactes.rules.verdict import Reason

ENVELOPE_EXCEEDED = "ENVELOPE_EXCEEDED"
ENVELOPE_NOT_SET = "ENVELOPE_NOT_SET"
AWARD_OVER_CAP = "AWARD_OVER_CAP"

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class EnvelopeDecision:
    reference: str
    is_closed: bool
    proposed: Decimal | None = None
    awarded: Decimal | None = None  # for a closed decision: the amount awarded (0 or None when refused)

    def __post_init__(self) -> None:
        for name in ("proposed", "awarded"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, check_amount(value))


@dataclass(frozen=True)
class EnvelopeSummary:
    envelope: Decimal | None
    committed: Decimal
    proposed: Decimal
    remaining: Decimal | None
    remaining_after_proposals: Decimal | None
    reasons: tuple[Reason, ...]

    @property
    def ok(self) -> bool:
        return not any(r.blocking for r in self.reasons)


def award_problems(amount: Decimal, config: CallConfig, *, reference: str = "") -> list[Reason]:
    # 1.4 FINANCEMENT: the State grant is capped per project.
    if amount <= config.grant_cap:
        return []
    section = config.section("funding.grant_cap")
    who = f"Dossier {reference} : l" if reference else "L"
    return [
        Reason(
            AWARD_OVER_CAP,
            f"{who}e montant attribué ({euros(amount)}) dépasse le plafond de {euros(config.grant_cap)} par projet"
            f"{cited(section)}.",
            section=section,
        )
    ]


def summarize_envelope(
    envelope: Decimal | None, decisions: Sequence[EnvelopeDecision], config: CallConfig
) -> EnvelopeSummary:
    """Committed, proposed and remaining amounts of the regional envelope, with what goes beyond it."""
    committed = sum((d.awarded for d in decisions if d.is_closed and d.awarded is not None), ZERO)
    proposed = sum((d.proposed for d in decisions if not d.is_closed and d.proposed is not None), ZERO)
    return summarize_envelope_totals(envelope, committed=committed, proposed=proposed, checked=decisions, config=config)


def summarize_envelope_totals(
    envelope: Decimal | None,
    *,
    committed: Decimal,
    proposed: Decimal,
    checked: Sequence[EnvelopeDecision],
    config: CallConfig,
) -> EnvelopeSummary:
    """The same summary from totals the database added up; ``checked`` are the decisions whose amount is held against
    the cap per project (every decision, or those a query found above it: a query narrows, this rule decides)."""
    section = config.section("funding.regional_envelope")
    reasons: list[Reason] = []
    for d in checked:
        amount = d.awarded if d.is_closed else d.proposed
        if amount is not None:
            reasons += award_problems(amount, config, reference=d.reference)
    if envelope is None:
        reasons.append(
            Reason(
                ENVELOPE_NOT_SET,
                "L'enveloppe régionale n'est pas fixée : un administrateur doit en saisir le montant.",
                section=section,
            )
        )
        return EnvelopeSummary(None, committed, proposed, None, None, tuple(reasons))
    envelope = check_amount(envelope)
    remaining = envelope - committed
    after = remaining - proposed
    if after < 0:
        reasons.append(
            Reason(
                ENVELOPE_EXCEEDED,
                f"L'enveloppe régionale de {euros(envelope)} est dépassée de {euros(-after)} : "
                f"{euros(committed)} engagés et {euros(proposed)} proposés.",
                section=section,
            )
        )
    return EnvelopeSummary(envelope, committed, proposed, remaining, after, tuple(reasons))
