"""The rules panel of a dossier: each rule of the call (``RULES``) with its outcome — met, failed with its reasons, or
not applicable (« sans objet ») — as the editor's side panel and the filing summary show it."""

from __future__ import annotations

from dataclasses import dataclass

from pactes.rules.call_config import CallConfig
from pactes.rules.dossier import RULES, RuleInfo, check_dossier
from pactes.rules.dossier_inputs import DossierInput
from pactes.rules.verdict import Outcome, Reason, Verdict


@dataclass(frozen=True)
class RuleCheck:
    """One rule of ``RULES`` on one dossier: met, failed (with its reasons) or not applicable."""

    rule: RuleInfo
    outcome: Outcome
    reasons: tuple[Reason, ...]


def panel_of(verdict: Verdict) -> list[RuleCheck]:
    """Each rule of ``RULES`` with its outcome in ``verdict`` and the reasons it failed for."""
    return [
        RuleCheck(rule, verdict.outcome(rule.code), tuple(r for r in verdict.reasons if r.code == rule.code))
        for rule in RULES
    ]


def panel(data: DossierInput, config: CallConfig) -> list[RuleCheck]:
    """Each rule of ``RULES`` on one dossier: met, failed with its reasons, or not applicable."""
    return panel_of(check_dossier(data, config))
