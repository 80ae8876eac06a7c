"""Admissibility (recevabilité) of a whole dossier against its call: every rule of §1.3 to §1.7 in one verdict.

No Django here: an app builds a ``DossierInput`` from its models and calls ``check_dossier``; the live panel calls
``panel`` to show each rule of ``RULES`` as met or not. Words:
- *applicant* (porteur): the organisation filing, of a *carrier kind* listed by the call (§1.3.4).
- *perimeter*: the EPCI and communes the pact covers; each must belong to an eligible EPCI (annex 1, §1.3.2).
- *priority*: one to three per dossier (§1.3.1), each tied to measures of the national pact or justified locally.
- *action*: a line of the action plan, attached to a priority by ``priority_index`` (0 = the first priority).
- *contribution*: a partner's commitment; in kind or in staff it carries a *valuation* = quantity × unit value (§1.5).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from pactes.rules.budget import (
    BUDGET_UNBALANCED,
    COFINANCING_TOO_LOW,
    GRANT_MISSING,
    GRANT_OVER_CAP,
    BudgetInput,
    budget_problems,
    summarize_budget,
)
from pactes.rules.calendar import (
    ACTION_DATES_INVERTED,
    ACTION_ENDS_TOO_LATE,
    ACTION_STARTS_TOO_LATE,
    DEADLINE_PASSED,
    PLAN_TOO_LONG,
    action_window_problems,
    deadline_problems,
    plan_duration_problems,
)
from pactes.rules.call_config import CallConfig
from pactes.rules.dossier_inputs import (  # re-exported: the apps build them from here
    ActionInput,
    ApplicantInput,
    ContributionInput,
    ContributionNature,
    DossierInput,
    PerimeterInput,
    PriorityInput,
)
from pactes.rules.money import CENT, cited, euros
from pactes.rules.siret import SIRET_INVALID, siret_problems
from pactes.rules.verdict import Reason, Verdict

APPLICANT_NOT_ELIGIBLE = "APPLICANT_NOT_ELIGIBLE"
PERIMETER_EMPTY = "PERIMETER_EMPTY"
PERIMETER_NOT_ELIGIBLE = "PERIMETER_NOT_ELIGIBLE"
PRIORITIES_COUNT = "PRIORITIES_COUNT"
PRIORITY_WITHOUT_MEASURE = "PRIORITY_WITHOUT_MEASURE"
PUBLIC_MISSING = "PUBLIC_MISSING"
ACTION_PLAN_EMPTY = "ACTION_PLAN_EMPTY"
ACTION_INCOMPLETE = "ACTION_INCOMPLETE"
NO_IMPACT_MEASURE = "NO_IMPACT_MEASURE"
IMPACT_NOT_DESCRIBED = "IMPACT_NOT_DESCRIBED"
CONTRIBUTION_NOT_VALUED = "CONTRIBUTION_NOT_VALUED"
CONTRIBUTIONS_MISMATCH = "CONTRIBUTIONS_MISMATCH"


# -- the list of rules, for the live panel -------------------------------------------------------------------------
# The editor steps where a rule is fixed (codes of the applicant's editor); STEP_FILING for the filing itself.
STEP_APPLICANT, STEP_PERIMETER, STEP_PRIORITIES, STEP_ACTIONS, STEP_PARTNERS, STEP_BUDGET, STEP_IMPACT, STEP_FILING = (
    "porteur",
    "perimetre",
    "priorites",
    "actions",
    "partenaires",
    "budget",
    "impact",
    "",
)


@dataclass(frozen=True)
class RuleInfo:
    code: str
    label: str
    section_key: str  # a key of CallConfig.sections
    step: str  # the editor step whose page fixes the rule (its code), STEP_FILING ("") for the filing itself

    def section(self, config: CallConfig) -> str:
        return config.section(self.section_key)


RULES: tuple[RuleInfo, ...] = (
    RuleInfo(SIRET_INVALID, "Le SIRET du porteur est valide", "carrier_kinds", STEP_APPLICANT),
    RuleInfo(APPLICANT_NOT_ELIGIBLE, "Le porteur fait partie des porteurs éligibles", "carrier_kinds", STEP_APPLICANT),
    RuleInfo(PERIMETER_EMPTY, "Le périmètre géographique est renseigné", "eligibility", STEP_PERIMETER),
    RuleInfo(
        PERIMETER_NOT_ELIGIBLE,
        "Le périmètre ne couvre que des EPCI éligibles (annexe 1)",
        "eligibility",
        STEP_PERIMETER,
    ),
    RuleInfo(PRIORITIES_COUNT, "Le projet porte le nombre de priorités attendu", "priorities", STEP_PRIORITIES),
    RuleInfo(
        PRIORITY_WITHOUT_MEASURE,
        "Chaque priorité se réfère à des mesures du Pacte ou est justifiée localement",
        "priorities",
        STEP_PRIORITIES,
    ),
    RuleInfo(PUBLIC_MISSING, "Chaque priorité vise un public précaire", "target_publics", STEP_PRIORITIES),
    RuleInfo(
        ACTION_PLAN_EMPTY,
        "Le plan d'actions comporte au moins une action",
        "action_plan.territorial_levels",
        STEP_ACTIONS,
    ),
    RuleInfo(
        ACTION_INCOMPLETE,
        "Chaque action précise son échelon territorial, son public, ses partenaires et ses dates",
        "action_plan.territorial_levels",
        STEP_ACTIONS,
    ),
    RuleInfo(ACTION_STARTS_TOO_LATE, "Chaque action démarre à temps", "action_plan.latest_start", STEP_ACTIONS),
    RuleInfo(ACTION_ENDS_TOO_LATE, "Chaque action se termine à temps", "action_plan.latest_end", STEP_ACTIONS),
    RuleInfo(
        ACTION_DATES_INVERTED, "Les dates de chaque action sont dans l'ordre", "action_plan.max_duration", STEP_ACTIONS
    ),
    RuleInfo(PLAN_TOO_LONG, "Le plan d'actions tient dans la durée maximale", "action_plan.max_duration", STEP_ACTIONS),
    RuleInfo(
        NO_IMPACT_MEASURE, "Des actions prévoient des mesures d'impact", "action_plan.impact_measures", STEP_ACTIONS
    ),
    RuleInfo(
        IMPACT_NOT_DESCRIBED, "L'impact attendu et sa mesure sont décrits", "action_plan.impact_measures", STEP_IMPACT
    ),
    RuleInfo(
        CONTRIBUTION_NOT_VALUED,
        "Les apports en nature et en moyens humains sont valorisés (quantité × valeur unitaire)",
        "funding.min_cofinancing",
        STEP_PARTNERS,
    ),
    RuleInfo(
        CONTRIBUTIONS_MISMATCH,
        "Le budget reprend les apports des partenaires tels qu'ils sont engagés",
        "funding.min_cofinancing",
        STEP_PARTNERS,
    ),
    RuleInfo(BUDGET_UNBALANCED, "Le budget est équilibré", "funding.min_cofinancing", STEP_BUDGET),
    RuleInfo(GRANT_MISSING, "La subvention demandée à l'État est renseignée", "funding.grant_cap", STEP_BUDGET),
    RuleInfo(GRANT_OVER_CAP, "La subvention demandée respecte le plafond", "funding.grant_cap", STEP_BUDGET),
    RuleInfo(COFINANCING_TOO_LOW, "Le cofinancement atteint le taux minimal", "funding.min_cofinancing", STEP_BUDGET),
    RuleInfo(DEADLINE_PASSED, "Le dépôt a lieu avant la clôture", "filing", STEP_FILING),
)


# -- the rules -----------------------------------------------------------------------------------------------------
def applicant_problems(applicant: ApplicantInput, config: CallConfig) -> list[Reason]:
    # 1.3.4: collectivités and groupements of annex 1 territories, consortia behind a lead, else associations.
    section = config.section("carrier_kinds")
    reasons = siret_problems(applicant.siret, section=section)
    kind = config.carrier_kind(applicant.carrier_kind)
    if kind is None:
        allowed = ", ".join(k.label.lower() for k in config.carrier_kinds)
        shown = applicant.carrier_kind or "non renseignée"
        reasons.append(
            Reason(
                APPLICANT_NOT_ELIGIBLE,
                f"La nature du porteur (« {shown} ») ne fait pas partie des porteurs éligibles : {allowed}"
                f"{cited(section)}.",
                section=section,
            )
        )
        return reasons
    is_lead = applicant.is_consortium and applicant.has_lead  # any chef de file of a consortium is eligible
    if kind.requires_eligible_territory and not applicant.is_in_eligible_territory and not is_lead:
        reasons.append(
            Reason(
                APPLICANT_NOT_ELIGIBLE,
                f"Le porteur est de nature « {kind.label} » : il doit appartenir à un territoire de la liste des EPCI "
                f"éligibles (annexe 1){cited(section)}.",
                section=section,
            )
        )
    if not kind.eligible_alone and not is_lead:
        reasons.append(
            Reason(
                APPLICANT_NOT_ELIGIBLE,
                f"Un porteur de nature « {kind.label} » n'est éligible que comme chef de file d'un consortium"
                f"{cited(section)}.",
                section=section,
            )
        )
    if (kind.requires_lead or applicant.is_consortium) and not applicant.has_lead:
        reasons.append(
            Reason(
                APPLICANT_NOT_ELIGIBLE,
                "Le consortium doit désigner un chef de file, porteur du budget et interlocuteur de l'administration"
                f"{cited(section)}.",
                section=section,
            )
        )
    return reasons


def perimeter_problems(perimeter: PerimeterInput, config: CallConfig) -> list[Reason]:
    # 1.3.2: a tight perimeter taken from the list of the poorest EPCI (annex 1).
    section = config.section("eligibility")
    if not perimeter.epcis and not perimeter.communes:
        return [
            Reason(
                PERIMETER_EMPTY,
                "Le périmètre géographique est vide : indiquez au moins un EPCI ou une commune.",
                section=section,
            )
        ]
    eligible = perimeter.eligible_epci_sirens
    reasons = [
        Reason(
            PERIMETER_NOT_ELIGIBLE,
            f"L'EPCI {epci.shown} ne figure pas sur la liste des EPCI éligibles (annexe 1).",
            section=section,
        )
        for epci in perimeter.epcis
        if epci.siren not in eligible
    ]
    reasons += [
        Reason(
            PERIMETER_NOT_ELIGIBLE,
            f"La commune {commune.shown} appartient à un EPCI (SIREN {commune.epci_siren or 'inconnu'}) qui ne "
            "figure pas sur la liste des EPCI éligibles (annexe 1).",
            section=section,
        )
        for commune in perimeter.communes
        if commune.epci_siren not in eligible
    ]
    return reasons


def _priority_label(index: int, priority: PriorityInput) -> str:
    title = priority.title.strip()
    return f"Priorité {index + 1} « {title} »" if title else f"Priorité {index + 1}"


def _action_label(index: int, action: ActionInput) -> str:
    title = action.title.strip()
    return f"Action {index + 1} « {title} »" if title else f"Action {index + 1}"


def _publics_problems(label: str, publics: tuple[str, ...], justification: str, config: CallConfig) -> list[Reason]:
    section = config.section("target_publics")
    if not publics:
        return [Reason(PUBLIC_MISSING, f"{label} : aucun public visé n'est indiqué.", section=section)]
    reasons: list[Reason] = []
    for code in publics:
        public = config.target_public(code)
        if public is None:
            reasons.append(
                Reason(
                    PUBLIC_MISSING, f"{label} : le public « {code} » n'est pas un public de l'appel.", section=section
                )
            )
        elif public.requires_justification and not justification.strip():
            reasons.append(
                Reason(
                    PUBLIC_MISSING,
                    f"{label} : le public « {public.label} » doit être précisé et justifié.",
                    section=section,
                )
            )
    return reasons


def priorities_problems(priorities: tuple[PriorityInput, ...], config: CallConfig) -> list[Reason]:
    # 1.3.1: one to three priorities, in the 25 measures of the national pact or justified by the local context.
    section = config.section("priorities")
    reasons: list[Reason] = []
    count = len(priorities)
    if not config.priorities_min <= count <= config.priorities_max:
        reasons.append(
            Reason(
                PRIORITIES_COUNT,
                f"Le projet porte {count} priorité{'s' if count > 1 else ''} : il en faut de "
                f"{config.priorities_min} à {config.priorities_max}{cited(section)}.",
                section=section,
            )
        )
    for index, priority in enumerate(priorities):
        label = _priority_label(index, priority)
        if not priority.measure_codes and not priority.local_justification.strip():
            reasons.append(
                Reason(
                    PRIORITY_WITHOUT_MEASURE,
                    f"{label} : elle ne se réfère à aucune mesure du Pacte des solidarités et n'est pas justifiée "
                    "par le contexte socioéconomique local.",
                    section=section,
                )
            )
        reasons += _publics_problems(label, priority.publics, priority.other_public_justification, config)
    return reasons


def actions_problems(data: DossierInput, config: CallConfig) -> list[Reason]:
    # 1.3.1: each action states its territorial level, public and partners; 1.4: its dates fit the window.
    section = config.section("action_plan.territorial_levels")
    if not data.actions:
        return [Reason(ACTION_PLAN_EMPTY, "Le plan d'actions ne comporte aucune action.", section=section)]
    reasons: list[Reason] = []
    for index, action in enumerate(data.actions):
        label = _action_label(index, action)
        missing: list[str] = []
        if not 0 <= action.priority_index < len(data.priorities):
            missing.append("la priorité à laquelle elle se rattache")
        level = action.territorial_level
        if not level:
            missing.append("l'échelon territorial")
        elif level not in {c.code for c in config.territorial_levels}:
            missing.append(f"un échelon territorial de l'appel (« {level} » est inconnu)")
        if not action.publics:
            missing.append("le public visé")
        if not [p for p in action.partners if p.strip()]:
            missing.append("les partenaires engagés")
        if action.start is None or action.end is None:
            missing.append("ses dates de début et de fin")
        if action.overlaps_departmental_contract and not action.articulation.strip():
            missing.append("son articulation avec le contrat départemental ou métropolitain des solidarités")
        if missing:
            reasons.append(Reason(ACTION_INCOMPLETE, f"{label} : il manque {_join_fr(missing)}.", section=section))
        reasons += [
            Reason(
                PUBLIC_MISSING,
                f"{label} : le public « {code} » n'est pas un public de l'appel.",
                section=config.section("target_publics"),
            )
            for code in action.publics
            if config.target_public(code) is None
        ]
        if action.start is not None and action.end is not None:
            reasons += action_window_problems(start=action.start, end=action.end, config=config, label=label)
    periods = [(a.start, a.end) for a in data.actions if a.start is not None and a.end is not None and a.start <= a.end]
    reasons += plan_duration_problems(periods, config)
    return reasons


def impact_problems(data: DossierInput, config: CallConfig) -> list[Reason]:
    # 1.3.1: impact measures for some actions; 1.5: the real impact expected and how it is measured.
    section = config.section("action_plan.impact_measures")
    reasons: list[Reason] = []
    if data.actions and not any(m.strip() for a in data.actions for m in a.impact_measures):
        reasons.append(
            Reason(
                NO_IMPACT_MEASURE,
                "Aucune action ne prévoit de mesure d'impact : précisez-en pour quelques actions.",
                section=section,
            )
        )
    missing = []
    if not data.expected_impact.strip():
        missing.append("l'impact réel attendu sur les bénéficiaires")
    if not data.impact_measurement.strip():
        missing.append("la manière dont cet impact est mesuré tout au long de la mise en œuvre")
    if missing:
        reasons.append(Reason(IMPACT_NOT_DESCRIBED, f"Le dossier doit décrire {_join_fr(missing)}.", section=section))
    return reasons


def contributions_problems(contributions: tuple[ContributionInput, ...], config: CallConfig) -> list[Reason]:
    # 1.5: each partner's in-kind or staff contribution carries the calculation of its valuation.
    section = config.section("funding.min_cofinancing")
    reasons: list[Reason] = []
    for index, c in enumerate(contributions):
        if c.nature is ContributionNature.FINANCIAL:
            continue
        label = f"Apport {index + 1} de « {c.partner.strip() or 'partenaire non nommé'} » ({c.nature.label})"
        if c.valuation is None or c.valuation <= 0:
            message = f"{label} : sa valorisation financière n'est pas indiquée."
        elif c.quantity is None or c.unit_value is None:
            message = f"{label} : indiquez la quantité et la valeur unitaire qui justifient la valorisation."
        elif (expected := (c.quantity * c.unit_value).quantize(CENT)) != c.valuation.quantize(CENT):
            message = (
                f"{label} : la valorisation ({euros(c.valuation)}) ne correspond pas à la quantité × la valeur "
                f"unitaire ({c.quantity} × {euros(c.unit_value)} = {euros(expected)})."
            )
        else:
            continue
        reasons.append(Reason(CONTRIBUTION_NOT_VALUED, message, section=section))
    return reasons


def same_name(first: str, second: str) -> bool:
    """Two names of one partner or funder, compared without case or repeated spaces."""
    return " ".join(first.casefold().split()) == " ".join(second.casefold().split())


def contributions_budget_problems(
    contributions: tuple[ContributionInput, ...], budget: BudgetInput, config: CallConfig
) -> list[Reason]:
    # 1.5: a partner's commitment is one figure: the budget carries it as engaged (a warning: the instructor judges).
    section = config.section("funding.min_cofinancing")
    reasons: list[Reason] = []
    in_kind = [c for c in contributions if c.nature is not ContributionNature.FINANCIAL]
    # A valuation still to be fixed is CONTRIBUTION_NOT_VALUED's to say; the totals are compared once they stand.
    standing = all(
        c.valuation is not None
        and c.quantity is not None
        and c.unit_value is not None
        and (c.quantity * c.unit_value).quantize(CENT) == c.valuation.quantize(CENT)
        for c in in_kind
    )
    committed = sum((c.valuation for c in in_kind if c.valuation is not None), Decimal(0))
    budgeted = sum((line.amount for line in budget.in_kind), Decimal(0))
    if standing and committed != budgeted:
        reasons.append(
            Reason(
                CONTRIBUTIONS_MISMATCH,
                f"Les contributions en nature du budget ({euros(budgeted)}) ne correspondent pas aux valorisations "
                f"des engagements des partenaires ({euros(committed)}).",
                blocking=False,
                section=section,
            )
        )
    for c in contributions:
        if c.nature is not ContributionNature.FINANCIAL or c.valuation is None:
            continue
        lines = [line.amount for line in budget.cofinancing if same_name(line.funder, c.partner)]
        if lines and sum(lines, Decimal(0)) != c.valuation:
            reasons.append(
                Reason(
                    CONTRIBUTIONS_MISMATCH,
                    f"L'apport financier de « {c.partner.strip()} » est de {euros(c.valuation)} dans les engagements "
                    f"des partenaires et de {euros(sum(lines, Decimal(0)))} dans le budget.",
                    blocking=False,
                    section=section,
                )
            )
    return reasons


def _join_fr(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]


_CHECKS: tuple[Callable[[DossierInput, CallConfig], list[Reason]], ...] = (
    lambda d, c: applicant_problems(d.applicant, c),
    lambda d, c: perimeter_problems(d.perimeter, c),
    lambda d, c: priorities_problems(d.priorities, c),
    actions_problems,
    impact_problems,
    lambda d, c: contributions_problems(d.contributions, c),
    lambda d, c: contributions_budget_problems(d.contributions, d.budget, c),
    lambda d, c: budget_problems(d.budget, c),
    lambda d, c: [] if d.now is None else deadline_problems(d.now, c),
)


def not_applicable(data: DossierInput, config: CallConfig) -> frozenset[str]:
    """The rules that have nothing to judge in ``data``: with no action, « each action starts in time » is not met, it
    is without object (« sans objet »). A rule that gives a reason is failed whatever this says."""
    codes: set[str] = set()
    dated = [a for a in data.actions if a.start is not None and a.end is not None]
    if not data.actions:
        codes |= {ACTION_INCOMPLETE, NO_IMPACT_MEASURE}
    if not dated:
        codes |= {ACTION_STARTS_TOO_LATE, ACTION_ENDS_TOO_LATE, ACTION_DATES_INVERTED, PLAN_TOO_LONG}
    if not data.priorities:
        codes.add(PRIORITY_WITHOUT_MEASURE)
        if not data.actions:
            codes.add(PUBLIC_MISSING)
    if not data.perimeter.epcis and not data.perimeter.communes:
        codes.add(PERIMETER_NOT_ELIGIBLE)
    if all(c.nature is ContributionNature.FINANCIAL for c in data.contributions):
        codes.add(CONTRIBUTION_NOT_VALUED)
    if not data.contributions:
        codes.add(CONTRIBUTIONS_MISMATCH)
    if not data.budget.state_grant:
        codes.add(GRANT_OVER_CAP)
    if summarize_budget(data.budget, config).total_budget == 0:
        codes.add(COFINANCING_TOO_LOW)
    if data.now is None:
        codes.add(DEADLINE_PASSED)
    return frozenset(codes)


def check_dossier(data: DossierInput, config: CallConfig) -> Verdict:
    """Every rule of the call on one dossier; the verdict is ok when no blocking reason remains. It names the rules
    that had nothing to judge (``not_applicable``)."""
    reasons: list[Reason] = []
    for check in _CHECKS:
        reasons += check(data, config)
    return Verdict(tuple(reasons), not_applicable(data, config))
