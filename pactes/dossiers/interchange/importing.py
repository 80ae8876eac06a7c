"""A ``pactes.dossier/1`` document as a draft dossier of the database, with all its rows (the reverse of ``export``).

Words: a *row* is one model instance the document gives (organisation, dossier, priority, action, partner, budget
line…); each is validated like a form would before it is written, and a refusal names its path in the document. The
*instructing département* is the main one of the perimeter's first EPCI, else that of its first commune; the number
comes from ``pactes.dossiers.numbering``, the same series as the editor's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from pactes.accounts.models import User
from pactes.calls.models import Measure
from pactes.calls.selectors import measures_are_loaded, measures_by_code
from pactes.calls.services import measures_import
from pactes.dossiers.interchange.lookups import call_of
from pactes.dossiers.interchange.reading import (
    DocumentError,
    as_text,
    document_budget,
    items_at,
    read_amount,
    read_date,
    read_number,
)
from pactes.dossiers.models import (
    Action,
    ConsortiumMember,
    Dossier,
    ExpenseLine,
    ImpactMeasure,
    InKindLine,
    Partner,
    Priority,
    ResourceLine,
    ResourceStatus,
)
from pactes.dossiers.models import ContributionNature as PartnerContribution
from pactes.dossiers.numbering import ReferenceUnavailable, dossier_insert_numbered
from pactes.dossiers.search import dossier_search_refresh
from pactes.organisations.models import Membership, Organisation
from pactes.rules.dossier import same_name
from pactes.rules.siret import normalize_siret
from pactes.territories.models import Commune, Departement, Epci
from pactes.territories.selectors import communes_by_code, departement_by_code, epcis_by_siren

MEASURES_FILE = "pacte_des_solidarites.yaml"


def document_to_dossier(document: Mapping[str, Any], *, by: User) -> Dossier:
    """Creates a draft with all its rows from a document read by ``load_document``.

    The applicant's organisation is found by SIRET or created; ``by`` becomes one of its members when it is an
    active account. Every row is validated before it is written; ``DocumentError`` says where, and nothing stays.
    """
    call = call_of(document)
    actions_raw = items_at(document, "actions")
    priorities_raw = items_at(document, "priorities")
    document_budget(document, action_count=len(actions_raw))  # every amount, before any row is written
    _check_action_priorities(actions_raw, priorities_raw)
    measures = _measures_by_code(priorities_raw)
    epcis, communes = _perimeter_rows(document)
    departement = _instructing_departement(epcis, communes)
    applicant = document.get("applicant") or {}
    siret = normalize_siret(as_text(applicant.get("siret")))
    with transaction.atomic():
        organisation = Organisation.objects.filter(siret=siret).first() if siret else None
        if organisation is None:
            organisation = Organisation(
                name=as_text(applicant.get("name")),
                siret=siret,
                kind=as_text(applicant.get("kind")),
                address=as_text(applicant.get("address")),
                departement=departement,
            )
            _save(organisation, "applicant")
        if by.is_active:
            Membership.objects.get_or_create(organisation=organisation, user=by)
        title = as_text(document.get("title")).strip() or f"Pacte territorial des solidarités — {organisation.name}"
        dossier = Dossier(
            call=call,
            organisation=organisation,
            title=title,
            departement=departement,
            created_by=by,
            applicant_legal_representative=as_text(applicant.get("legal_representative")),
            applicant_contact=as_text(applicant.get("contact")),
            diagnostic=as_text(document.get("diagnostic")),
            complementarity=as_text(document.get("complementarity")),
            expected_impact=as_text(document.get("expected_impact")),
            impact_measurement=as_text(document.get("impact_measurement")),
        )
        _validate(dossier, "dossier", exclude=["reference"])  # the number is the series' next one, given below
        try:
            dossier_insert_numbered(dossier=dossier, departement_code=departement.code)
        except ReferenceUnavailable as exc:
            raise DocumentError("impossible d'attribuer un numéro de dossier : réessayez.") from exc
        dossier.epcis.set(epcis)
        dossier.communes.set(communes)
        dossier_search_refresh(dossier)
        _write_rows(dossier, document, measures=measures)
    return dossier


def document_update_dossier(dossier: Dossier, document: Mapping[str, Any]) -> Dossier:
    """Replaces what ``dossier`` says (its texts, perimeter and every row) by the document's, keeping its number,
    call, organisation, instructing département and state: the new content of a dossier imported from another
    platform. Validated like ``document_to_dossier``; raises ``DocumentError`` and then nothing changes."""
    actions_raw = items_at(document, "actions")
    priorities_raw = items_at(document, "priorities")
    document_budget(document, action_count=len(actions_raw))
    _check_action_priorities(actions_raw, priorities_raw)
    measures = _measures_by_code(priorities_raw)
    epcis, communes = _perimeter_rows(document)
    applicant = document.get("applicant") or {}
    with transaction.atomic():
        dossier.title = as_text(document.get("title")).strip() or dossier.title
        dossier.applicant_legal_representative = as_text(applicant.get("legal_representative"))
        dossier.applicant_contact = as_text(applicant.get("contact"))
        for key in ("diagnostic", "complementarity", "expected_impact", "impact_measurement"):
            setattr(dossier, key, as_text(document.get(key)))
        _validate(dossier, "dossier")
        dossier.lock_version += 1
        dossier.save()
        dossier.epcis.set(epcis)
        dossier.communes.set(communes)
        # Rows are written again from the document, in its order (budget lines first: they point to actions).
        for rows in (dossier.expenses, dossier.resources, dossier.in_kind_lines, dossier.partners, dossier.actions):
            rows.all().delete()
        for rows in (dossier.priorities, dossier.consortium_members):
            rows.all().delete()
        _write_rows(dossier, document, measures=measures)
    return dossier


def _check_action_priorities(actions_raw: Sequence[Mapping[str, Any]], priorities_raw: Sequence[Any]) -> None:
    for i, a in enumerate(actions_raw):
        if not 1 <= int(a.get("priority") or 0) <= len(priorities_raw):
            raise DocumentError(
                f"la priorité n°{a.get('priority')} n'existe pas (le dossier en compte {len(priorities_raw)}).",
                path=f"actions[{i}].priority",
            )


def _write_rows(dossier: Dossier, document: Mapping[str, Any], *, measures: Mapping[str, Measure]) -> None:
    """The document's rows of ``dossier``: consortium, priorities, actions and their measures, partners, budget."""
    applicant = document.get("applicant") or {}
    actions_raw = items_at(document, "actions")
    priorities_raw = items_at(document, "priorities")
    for i, m in enumerate(applicant.get("consortium") or []):
        member = ConsortiumMember(
            dossier=dossier,
            position=i,
            name=as_text(m.get("name")),
            siret=normalize_siret(as_text(m.get("siret"))),
            role=as_text(m.get("role")),
        )
        _save(member, f"applicant.consortium[{i}]")
    priority_rows = []
    for i, p in enumerate(priorities_raw):
        priority = Priority(
            dossier=dossier,
            position=i,
            title=as_text(p.get("title")),
            local_justification=as_text(p.get("local_justification")),
            publics=[str(c) for c in p.get("publics") or []],
            other_public_justification=as_text(p.get("other_public_justification")),
        )
        _save(priority, f"priorities[{i}]")
        priority.measures.set([measures[str(code)] for code in p.get("measures") or []])
        priority_rows.append(priority)
    action_rows = []
    for i, a in enumerate(actions_raw):
        action = Action(
            dossier=dossier,
            priority=priority_rows[int(a["priority"]) - 1],
            position=i,
            title=as_text(a.get("title")),
            description=as_text(a.get("description")),
            territorial_level=as_text(a.get("territorial_level")),
            publics=[str(c) for c in a.get("publics") or []],
            partners=[str(c) for c in a.get("partners") or []],
            start=read_date(a.get("start"), f"actions[{i}].start"),
            end=read_date(a.get("end"), f"actions[{i}].end"),
            overlaps_departmental_contract=bool(a.get("overlaps_departmental_contract")),
            articulation=as_text(a.get("articulation")),
        )
        _save(action, f"actions[{i}]")
        for j, m in enumerate(a.get("impact_measures") or []):
            path = f"actions[{i}].impact_measures[{j}]"
            measure = ImpactMeasure(
                action=action,
                position=j,
                indicator=as_text(m.get("indicator")),
                unit=as_text(m.get("unit")),
                baseline=read_number(m.get("baseline"), f"{path}.baseline"),
                target=read_number(m.get("target"), f"{path}.target"),
                method=as_text(m.get("method")),
                frequency=as_text(m.get("frequency")),
            )
            _save(measure, path)
        action_rows.append(action)
    partner_rows: list[Partner] = []
    taken: set[int] = set()  # partners whose budget line is already found
    for i, p in enumerate(items_at(document, "partners")):
        path = f"partners[{i}]"
        valuation = p.get("valuation") or {}
        partner = Partner(
            dossier=dossier,
            position=i,
            name=as_text(p.get("name")),
            siret=normalize_siret(as_text(p.get("siret"))),
            contribution=as_text(p.get("contribution")),
            amount=read_amount(p.get("amount"), f"{path}.amount", optional=True),
            quantity=read_number(valuation.get("quantity"), f"{path}.valuation.quantity"),
            unit=as_text(valuation.get("unit")),
            unit_value=read_amount(valuation.get("unit_value"), f"{path}.valuation.unit_value", optional=True),
            basis=as_text(valuation.get("basis")),
        )
        _save(partner, path)
        partner_rows.append(partner)
    for i, e in enumerate(items_at(document, "budget", "expenses")):
        expense = ExpenseLine(
            dossier=dossier,
            action=action_rows[e["action"] - 1] if e.get("action") else None,
            position=i,
            category=as_text(e.get("category")),
            label=as_text(e.get("label")),
            amount=read_amount(e.get("amount"), f"budget.expenses[{i}].amount"),
        )
        _save(expense, f"budget.expenses[{i}]")
    for i, r in enumerate(items_at(document, "budget", "resources")):
        resource = ResourceLine(
            dossier=dossier,
            position=i,
            kind=r["kind"],
            funder=as_text(r.get("funder")),
            amount=read_amount(r.get("amount"), f"budget.resources[{i}].amount"),
            status=r.get("status") or ResourceStatus.REQUESTED,
        )
        resource.contributor = _contributor_of(
            resource.funder, resource.amount, partner_rows, financial=True, taken=taken
        )
        if resource.contributor is not None:
            resource.contributor.funder_kind, resource.contributor.funding_status = resource.kind, resource.status
            resource.contributor.save(update_fields=["funder_kind", "funding_status"])
        _save(resource, f"budget.resources[{i}]")
    for i, k in enumerate(items_at(document, "budget", "in_kind")):
        line = InKindLine(
            dossier=dossier,
            position=i,
            partner=as_text(k.get("partner")),
            label=as_text(k.get("label")),
            amount=read_amount(k.get("amount"), f"budget.in_kind[{i}].amount"),
        )
        line.contributor = _contributor_of(line.partner, line.amount, partner_rows, financial=False, taken=taken)
        _save(line, f"budget.in_kind[{i}]")


def _contributor_of(
    name: str, amount: Any, partners: list[Partner], *, financial: bool, taken: set[int]
) -> Partner | None:
    """The partner whose commitment a budget line of the document repeats (same name, same amount), taken once: the
    editor then shows that line as the partner's, read-only. A line that matches none stays apart, and
    ``CONTRIBUTIONS_MISMATCH`` says so when the figures disagree."""
    for partner in partners:
        if (
            (partner.contribution == PartnerContribution.FINANCIAL) == financial
            and partner.amount == amount
            and same_name(partner.name, name)
            and partner.pk not in taken
        ):
            taken.add(partner.pk)
            return partner
    return None


def _validate(row: Any, path: str, *, exclude: list[str] | None = None) -> None:
    """Validates a row like a form would (lengths, choices, SIRET…); errors name the place in the document."""
    try:
        row.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        where = path if field == NON_FIELD_ERRORS else f"{path}.{field}"
        raise DocumentError(" ".join(str(m) for m in messages), path=where) from exc


def _save(row: Any, path: str) -> None:
    _validate(row, path)
    row.save()


def _measures_by_code(priorities: Sequence[Mapping[str, Any]]) -> dict[str, Measure]:
    codes = {str(c) for p in priorities for c in p.get("measures") or []}
    if codes and not measures_are_loaded():
        # The Pacte's measures are reference data shipped with the platform: load them on first need.
        measures_import(path=Path(settings.PACTES_CALLS_DIR) / MEASURES_FILE)
    found = measures_by_code(codes)
    for i, p in enumerate(priorities):
        for j, code in enumerate(p.get("measures") or []):
            if str(code) not in found:
                raise DocumentError(
                    f"la mesure « {code} » n'est pas une mesure connue du Pacte des solidarités.",
                    path=f"priorities[{i}].measures[{j}]",
                )
    return found


def _perimeter_rows(document: Mapping[str, Any]) -> tuple[list[Epci], list[Commune]]:
    perimeter = document.get("perimeter") or {}
    sirens = [str(s) for s in perimeter.get("epci") or []]
    codes = [str(c) for c in perimeter.get("communes") or []]
    known_epcis = epcis_by_siren(sirens)
    known_communes = communes_by_code(codes)
    for i, siren in enumerate(sirens):
        if siren not in known_epcis:
            raise DocumentError(f"aucun EPCI de SIREN « {siren} » n'est connu.", path=f"perimeter.epci[{i}]")
    for i, code in enumerate(codes):
        if code not in known_communes:
            raise DocumentError(
                f"aucune commune de code INSEE « {code} » n'est connue.", path=f"perimeter.communes[{i}]"
            )
    return [known_epcis[s] for s in sirens], [known_communes[c] for c in codes]


def _instructing_departement(epcis: Sequence[Epci], communes: Sequence[Commune]) -> Departement:
    """The DDETS-PP that instructs: main département of the first EPCI of the perimeter, else of the first commune."""
    departement = None
    if epcis:
        departement = departement_by_code(epcis[0].main_departement_code)
    elif communes:
        departement = communes[0].departement
    if departement is None:
        raise DocumentError(
            "le périmètre ne permet pas de déterminer le département instructeur : indiquez un EPCI ou une commune "
            "d'Occitanie.",
            path="perimeter",
        )
    return departement
