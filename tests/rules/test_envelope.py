"""Regional envelope arithmetic: committed (closed decisions), proposed, remaining; award within the cap."""

from decimal import Decimal
from pathlib import Path

from pactes.rules.call_config import CallConfig
from pactes.rules.envelope import (
    AWARD_OVER_CAP,
    ENVELOPE_EXCEEDED,
    ENVELOPE_NOT_SET,
    EnvelopeDecision,
    award_problems,
    summarize_envelope,
)
from pactes.rules.money import euros

CONFIG = CallConfig.from_yaml(
    (Path(__file__).resolve().parents[2] / "pactes/calls/data/pts-occitanie-2024.yaml").read_text()
)

DECISIONS = (
    EnvelopeDecision("PTS-31-001", is_closed=True, proposed=Decimal("62000"), awarded=Decimal("60000")),
    EnvelopeDecision("PTS-31-002", is_closed=True, proposed=Decimal("30000"), awarded=None),  # refused
    EnvelopeDecision("PTS-81-001", is_closed=False, proposed=Decimal("50000")),
    EnvelopeDecision("PTS-81-002", is_closed=False),
)


def test_envelope_arithmetic() -> None:
    summary = summarize_envelope(Decimal("500000"), DECISIONS, CONFIG)
    assert summary.committed == Decimal("60000")
    assert summary.proposed == Decimal("50000")
    assert summary.remaining == Decimal("440000")
    assert summary.remaining_after_proposals == Decimal("390000")
    assert summary.reasons == ()
    assert summary.ok


def test_envelope_exactly_used_passes() -> None:
    assert summarize_envelope(Decimal("110000"), DECISIONS, CONFIG).ok


def test_envelope_exceeded_by_proposals() -> None:
    summary = summarize_envelope(Decimal("100000"), DECISIONS, CONFIG)
    assert [r.code for r in summary.reasons] == [ENVELOPE_EXCEEDED]
    assert summary.reasons[0].message == (
        f"L'enveloppe régionale de {euros(Decimal('100000'))} est dépassée de {euros(Decimal('10000'))} : "
        f"{euros(Decimal('60000'))} engagés et {euros(Decimal('50000'))} proposés."
    )
    assert summary.remaining_after_proposals == Decimal("-10000")


def test_envelope_not_set_keeps_the_sums_but_no_remaining() -> None:
    summary = summarize_envelope(None, DECISIONS, CONFIG)
    assert [r.code for r in summary.reasons] == [ENVELOPE_NOT_SET]
    assert summary.committed == Decimal("60000")
    assert summary.remaining is None
    assert not summary.ok


def test_award_over_the_cap_is_refused() -> None:
    over = CONFIG.grant_cap + Decimal("0.01")
    assert award_problems(CONFIG.grant_cap, CONFIG) == []
    (reason,) = award_problems(over, CONFIG, reference="PTS-31-003")
    assert reason.code == AWARD_OVER_CAP
    assert reason.message.startswith("Dossier PTS-31-003 : le montant attribué")
    assert reason.section == CONFIG.section("funding.grant_cap")


def test_summary_reports_awards_over_the_cap() -> None:
    decisions = (EnvelopeDecision("PTS-09-001", is_closed=True, awarded=CONFIG.grant_cap + 1),)
    summary = summarize_envelope(Decimal("1000000"), decisions, CONFIG)
    assert [r.code for r in summary.reasons] == [AWARD_OVER_CAP]
