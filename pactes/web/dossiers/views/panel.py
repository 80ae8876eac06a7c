"""The live rules panel: each rule of the call, met, failed or without object (« sans objet »: nothing to judge yet),
under the editor step that fixes it (``RuleInfo.step``), with the budget's figures. Shown beside every step, on the
summary and to the instruction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from pactes.dossiers.editing import STEPS
from pactes.dossiers.interchange import dossier_verdict
from pactes.dossiers.models import Dossier
from pactes.rules.dossier import RULES, STEP_FILING
from pactes.rules.verdict import Outcome

# The panel's group of the rules judged at the filing itself (the deadline).
FILING_TITLE = "Dépôt"
# The label of a reason the rules list does not know: its message says what it is (its code never reaches the page).
OTHER_RULE = "Autre règle de l'appel"


@dataclass
class RuleLine:
    code: str
    label: str
    messages: list[str]
    blocking: bool
    outcome: Outcome = Outcome.MET

    @property
    def is_met(self) -> bool:
        return self.outcome is Outcome.MET

    @property
    def is_not_applicable(self) -> bool:
        return self.outcome is Outcome.NOT_APPLICABLE


@dataclass
class RuleGroup:
    step: str
    title: str
    rules: list[RuleLine] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.rules if r.outcome is Outcome.FAILED)


def rules_panel(dossier: Dossier, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Each rule of the call, met or not, grouped by the step that fixes it (steps in the editor's order, then the
    filing), with the budget's figures; a reason the rules list does not know goes under « Autres règles ». ``now``
    (default: the current time) judges a draft's filing deadline."""
    # The filing deadline is judged on a draft only: complements are answered during the instruction.
    verdict, summary = dossier_verdict(dossier, now=(now or timezone.now()) if dossier.is_draft else None)
    titles = dict(STEPS)
    used = {rule.step for rule in RULES}
    groups = {step: RuleGroup(step, titles[step]) for step in (code for code, _ in STEPS) if step in used}
    if STEP_FILING in used:
        groups[STEP_FILING] = RuleGroup(STEP_FILING, FILING_TITLE)
    for rule in RULES:
        reasons = [r for r in verdict.reasons if r.code == rule.code]
        line = RuleLine(
            rule.code,
            rule.label,
            [r.message for r in reasons],
            any(r.blocking for r in reasons),
            verdict.outcome(rule.code),
        )
        groups[rule.step].rules.append(line)
    others = RuleGroup("", "Autres règles")
    known = {rule.code for rule in RULES}
    for reason in verdict.reasons:
        if reason.code not in known:
            others.rules.append(RuleLine(reason.code, OTHER_RULE, [reason.message], reason.blocking, Outcome.FAILED))
    shown = [*groups.values(), *([others] if others.rules else [])]
    return {"ok": verdict.ok, "groups": shown, "summary": summary, "failed": sum(g.failed for g in shown)}
