"""The dossiers of the stages after filing, on the real 2024 call: who files which demo document, and how its
DDETS-PP scores it.

Words: a *stage* is one dossier of the scenario, named by its *key*, the demo document it is imported from
(``pactes/demo/data/<key>.json``) and the state the scenario walks it to (``solde``, ``non-retenu``…). The carriers
and their texts are in the documents; what the format does not carry (the account that files, the scores) is here.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from pactes.demo.dossiers import title_of

REGIONAL_ENVELOPE = Decimal("500000.00")


@dataclass(frozen=True)
class Stage:
    key: str
    applicant_email: str
    scores: Mapping[str, int] = field(default_factory=dict)  # criterion code → score given by the DDETS-PP; 3 if absent


# In filing order: the dossiers' numbers (PTS-2024-09-0002…) follow it, and the README names some of them.
STAGES: tuple[Stage, ...] = (
    Stage(
        "solde",
        "porteur.ariege@demo.test",
        {"pertinence_mesures": 4, "besoins_diagnostics": 4, "nature_publics": 3},
    ),
    Stage(
        "non-retenu",
        "porteur.ccas-lavelanet@demo.test",
        {"pertinence_mesures": 1, "complementarite": 1, "territoires_prioritaires": 3},
    ),
    Stage("complements", "porteur.ccas-lavelanet@demo.test"),
    Stage("irrecevable", "porteur.arize-leze@demo.test"),
    Stage("evalue", "porteur.arize-leze@demo.test"),
    Stage(
        "signee",
        "porteur.aude@demo.test",
        {"pertinence_mesures": 4, "besoins_diagnostics": 3, "territoires_prioritaires": 4},
    ),
    Stage(
        "limouxin-1",
        "porteur.haute-vallee@demo.test",
        {"pertinence_mesures": 3, "besoins_diagnostics": 4, "nature_publics": 4},
    ),
    Stage("limouxin-2", "porteur.panier-limouxin@demo.test"),
    Stage("transmis", "porteur.haute-vallee@demo.test"),
    Stage("envoyee", "porteur.vallespir@demo.test"),
    Stage("recevable", "porteur.vallespir@demo.test"),
    Stage("resiliee", "porteur.fenouilledes@demo.test"),
    Stage("en-instruction", "porteur.fenouilledes@demo.test"),
    Stage("ajourne", "porteur.fenouilledes@demo.test", {"besoins_diagnostics": 2, "complementarite": 2}),
    Stage("depose-aveyron", "porteur.segala@demo.test"),
)

# A draft left unfinished by the Couserans association on the real call (its cofinancing is under half).
DRAFT = "couserans-brouillon"
DRAFT_APPLICANT = "porteur.ariege@demo.test"

# The accounts of ``pactes.demo.accounts.DEMO_ACCOUNTS`` the scenario acts with.
ACTORS = (
    "instructeur.09@demo.test",
    "instructeur.11@demo.test",
    "dreets@demo.test",
    "jury@demo.test",
    "admin@demo.test",
    "porteur.ariege@demo.test",
    "porteur.aude@demo.test",
)


def stage(key: str) -> Stage:
    return next(s for s in STAGES if s.key == key)


def stage_titles() -> list[str]:
    return [title_of(s.key) for s in STAGES]
