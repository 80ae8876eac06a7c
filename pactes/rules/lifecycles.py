"""Every lifecycle of the platform, and its diagram: what ``make docs`` writes into ``docs/lifecycles.md``.

No Django here. Each lifecycle is a table of ``pactes.rules.state_machine``; this module lists them and draws each
as a Mermaid ``stateDiagram-v2`` with French labels (transition label and the roles that may fire it).
"""

from __future__ import annotations

from pactes.rules.agreement import AGREEMENT_LIFECYCLE
from pactes.rules.committee_session import SESSION_LIFECYCLE
from pactes.rules.lifecycle import DOSSIER_LIFECYCLE
from pactes.rules.report_lifecycle import REPORT_LIFECYCLE
from pactes.rules.state_machine import ACTOR_LABELS, Lifecycle

LIFECYCLES: tuple[Lifecycle, ...] = (DOSSIER_LIFECYCLE, AGREEMENT_LIFECYCLE, REPORT_LIFECYCLE, SESSION_LIFECYCLE)


def lifecycle_named(name: str) -> Lifecycle:
    return next(lc for lc in LIFECYCLES if lc.name == name)


def mermaid(lifecycle: Lifecycle) -> str:
    """The lifecycle as a Mermaid state diagram: one node per state (its French label), one arrow per transition."""
    ids = {state: f"s{index}" for index, state in enumerate(lifecycle.states)}
    lines = ["stateDiagram-v2"]
    lines += [f'    state "{lifecycle.state_label(s)}" as {ids[s]}' for s in lifecycle.states]
    lines.append(f"    [*] --> {ids[lifecycle.initial]}")
    for t in lifecycle.transitions:
        roles = ", ".join(ACTOR_LABELS[a] for a in sorted(t.actors))
        motivated = ", motivé" if t.needs_reason else ""
        lines.append(f"    {ids[t.source]} --> {ids[t.target]} : {t.label} ({roles}{motivated})")
    return "\n".join(lines)


def lifecycles_markdown() -> str:
    """The whole ``docs/lifecycles.md``: one section per lifecycle, its diagram and its table."""
    parts = [
        "# Cycles de vie",
        "",
        "Fichier généré par `make docs` à partir des tables de `pactes/rules/` : ne pas le modifier à la main.",
        "Une seule fonction écrit l'état d'un objet : `pactes.core.transitions.fire` (ADR 0014).",
    ]
    for lifecycle in LIFECYCLES:
        parts += ["", f"## {lifecycle.label}", "", "```mermaid", mermaid(lifecycle), "```", ""]
        parts += ["| Transition | Code | De | Vers | Rôles | Motivation |", "|---|---|---|---|---|---|"]
        for t in lifecycle.transitions:
            roles = ", ".join(ACTOR_LABELS[a] for a in sorted(t.actors))
            parts.append(
                f"| {t.label} | `{t.code}` | {lifecycle.state_label(t.source)} | {lifecycle.state_label(t.target)} "
                f"| {roles} | {'oui' if t.needs_reason else 'non'} |"
            )
    return "\n".join(parts) + "\n"
