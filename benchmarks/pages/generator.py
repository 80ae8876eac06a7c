"""The page benchmark's database (``make bench-pages``, ADR 0041): N dossiers of the 2024 call over the 13
départements of Occitanie, at every state of the lifecycle, with every record the measured pages read.

MEASUREMENT DATA, NOT A BUSINESS PATH. One template dossier is imported through the real interchange import
(``document_to_dossier``, as ``dossier_import`` does), so its rows have the shape services give them; the N dossiers
and everything after filing (versions, transitions, checklists, score sheets, proposals, transmissions, committee
sessions and decisions, conventions, payments, reports, measured values) are written with ``bulk_create``: the
services take seconds per dossier (locks, journal, receipts), 20 000 of them would take hours. The rows satisfy the
database constraints and the states' invariants; they are NOT journaled (no ``JournalEntry``, no field history), so
the benchmark database is not an integrity subject (``verify_integrity`` would rightly report unjournaled facts).

Words: a *group* is the state a dossier is generated at (``STATE_WEIGHTS``); the *agenda session* is the planned
committee session whose agenda is every transmitted dossier (2 000 at N = 20 000); the *closed session* holds the
decisions of every decided dossier (4 000), the one whose procès-verbal is measured.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
CALL_SLUG = "pts-occitanie-2024"
PASSWORD = "banc-pages-mot-de-passe-42"
BENCH_DOMAIN = "bench.test"
INSTRUCTOR_DEPARTEMENT = "11"  # the département whose instructor is measured (Aude)
ACTIONS_PER_DOSSIER = 5
DOSSIERS_PER_ORGANISATION = 10
CHUNK = 2000
# The documented secrets of the bench staff's authenticators (base32), the runner types their codes.
TOTP_SECRETS = {
    "instructeur": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
    "dreets": "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU",
    "jury": "MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK",
    "admin": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
}
MARKER_EMAIL = f"generation-terminee@{BENCH_DOMAIN}"

# Share of each state (of ``pactes.rules.lifecycle.DossierState``) among the N dossiers: 10 % transmitted (the
# agenda of 2 000), 20 % decided (the 4 000 decisions of the closed session), the rest spread over instruction.
STATE_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("brouillon", 10),
    ("depose", 10),
    ("en_instruction", 10),
    ("complements_demandes", 5),
    ("recevable", 10),
    ("irrecevable", 5),
    ("evalue", 15),
    ("transmis", 10),
    ("retenu", 8),
    ("solde", 4),
    ("non_retenu", 5),
    ("ajourne", 3),
    ("classe_sans_suite", 5),
)
FILED_AFTER = {s for s, _ in STATE_WEIGHTS} - {"brouillon"}
REVIEWED = FILED_AFTER - {"depose", "classe_sans_suite"}
ADMISSIBLE = {"recevable", "evalue", "transmis", "retenu", "solde", "non_retenu", "ajourne"}
EVALUATED = ADMISSIBLE - {"recevable"}
TRANSMITTED = EVALUATED - {"evalue"}
DECIDED = {"retenu", "solde", "non_retenu", "ajourne"}
RETAINED = {"retenu", "solde"}
# The path of transitions (name, from, to) that leads to each state, as the lifecycle table fires them.
PATH: dict[str, list[tuple[str, str, str]]] = {}
_STEPS = [
    ("submit", "brouillon", "depose"),
    ("start_review", "depose", "en_instruction"),
    ("declare_admissible", "en_instruction", "recevable"),
    ("complete_evaluation", "recevable", "evalue"),
    ("transmit", "evalue", "transmis"),
]
for _state, _ in STATE_WEIGHTS:
    _chain = {"brouillon": 0, "depose": 1, "en_instruction": 2, "recevable": 3, "evalue": 4, "transmis": 5}
    if _state in _chain:
        PATH[_state] = _STEPS[: _chain[_state]]
    elif _state == "complements_demandes":
        PATH[_state] = [*_STEPS[:2], ("request_complements", "en_instruction", "complements_demandes")]
    elif _state == "irrecevable":
        PATH[_state] = [*_STEPS[:2], ("declare_inadmissible", "en_instruction", "irrecevable")]
    elif _state == "classe_sans_suite":
        PATH[_state] = [*_STEPS[:2], ("import_close", "en_instruction", "classe_sans_suite")]
    else:
        decision = {"retenu": "retain", "solde": "retain", "non_retenu": "reject", "ajourne": "postpone"}[_state]
        to = "retenu" if _state == "solde" else _state
        PATH[_state] = [*_STEPS, (decision, "transmis", to)]
        if _state == "solde":
            PATH[_state].append(("settle", "retenu", "solde"))


def dossier_count() -> int:
    return int(os.environ.get("BENCH_DOSSIERS", "20000"))


def source_hash(n: int | None = None) -> str:
    """What the cached database depends on: this generator's code, every migration, the call's YAML, and N. Python
    files count by their syntax tree: a reformatting or a comment does not rebuild the database."""
    digest = hashlib.sha256()
    files = [Path(__file__), *sorted(ROOT.glob("pactes/*/migrations/*.py")), *sorted(ROOT.glob("pactes/calls/data/*"))]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        content = path.read_bytes()
        if path.suffix == ".py":
            content = ast.dump(ast.parse(content)).encode()
        digest.update(content)
    digest.update(str(dossier_count() if n is None else n).encode())
    return digest.hexdigest()[:12]


def state_plan(n: int) -> list[str]:
    """The state of each of the n dossiers: the weights' shares, every state at least once (largest remainder)."""
    total = sum(w for _, w in STATE_WEIGHTS)
    counts = {s: max(1, n * w // total) for s, w in STATE_WEIGHTS}
    order = sorted(STATE_WEIGHTS, key=lambda sw: -((n * sw[1]) % total))
    i = 0
    while sum(counts.values()) < n:
        counts[order[i % len(order)][0]] += 1
        i += 1
    while sum(counts.values()) > n:  # tiny n: fewer than one of each
        biggest = max(counts, key=lambda s: counts[s])
        counts[biggest] -= 1
    plan: list[str] = []
    # Interleaved, so that every département and organisation gets every state.
    remaining = dict(counts)
    while len(plan) < n:
        for state, _ in STATE_WEIGHTS:
            if remaining[state] > 0:
                plan.append(state)
                remaining[state] -= 1
    return plan


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _copy(row: Any, **changes: Any) -> Any:
    """A new unsaved row of the same model with the same values (primary key left out), ``changes`` applied."""
    model = type(row)
    values = {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields if not f.primary_key}
    values.update(changes)
    return model(**values)


@dataclass
class Facts:
    n: int
    states: dict[str, int]
    seconds: float


def template_document(call: Any) -> dict[str, Any]:
    """The demo document « corbieres » with five actions (each with an indicator and an expense line)."""
    from pactes.demo.dossiers import demo_document

    document = demo_document("corbieres", call)
    base = document["actions"]
    actions = []
    for k in range(ACTIONS_PER_DOSSIER):
        action = json.loads(json.dumps(base[k % len(base)]))
        if k >= len(base):
            action["title"] = f"{action['title']} (volet {k + 1})"
        if not action["impact_measures"]:
            action["impact_measures"] = [
                {
                    "indicator": "Personnes accompagnées",
                    "unit": "personnes",
                    "baseline": "0",
                    "target": "40",
                    "method": "liste d'émargement",
                    "frequency": "mensuelle",
                }
            ]
        actions.append(action)
    document["actions"] = actions
    expenses = [e for e in document["budget"]["expenses"] if e["action"] is None]
    for k in range(ACTIONS_PER_DOSSIER):
        expenses.append(
            {
                "action": k + 1,
                "category": "Frais de personnel",
                "label": f"Intervenants action {k + 1}",
                "amount": "18000.00",
            }
        )
    document["budget"]["expenses"] = expenses
    return document


def generate(n: int | None = None) -> Facts:  # one linear script, read top to bottom
    """Writes the whole benchmark database (migrated, empty) in a few bulk statements per table."""
    import time

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from pactes.accounts.models import Role, User
    from pactes.accounts.two_factor import totp_device_with_secret
    from pactes.agreements.models import Agreement, AgreementTemplate, Payment
    from pactes.assessment.models import CriterionScore, Proposal, ScoreSheet, Transmission
    from pactes.calls.models import Call
    from pactes.calls.services import eligible_list_build_indicative
    from pactes.committee.models import Attendance, CommitteeDecision, CommitteeSession, JuryOpinion
    from pactes.dossiers.interchange import document_to_dossier
    from pactes.dossiers.interchange.canonical import canonical_json
    from pactes.dossiers.interchange.export import dossier_to_document
    from pactes.dossiers.models import (
        Action,
        Dossier,
        DossierTransitionLog,
        DossierVersion,
        ExpenseLine,
        ImpactMeasure,
        InKindLine,
        Partner,
        Priority,
        ResourceKind,
        ResourceLine,
    )
    from pactes.followup.models import ActionProgress, IndicatorMeasurement, Report, ReportLine
    from pactes.instruction.models import ChecklistCheck, ComplementRequest
    from pactes.organisations.models import Membership, Organisation
    from pactes.territories.models import Departement, Epci
    from pactes.territories.testing import load_reference_data

    started = time.perf_counter()
    n = dossier_count() if n is None else n
    load_reference_data()
    call_command("load_calls", verbosity=0)
    call = Call.objects.get(slug=CALL_SLUG)
    if not call.eligible_lists.exists():
        eligible_list_build_indicative(call=call)
    call_command("agreement_templates_seed", verbosity=0)
    rules = call.rules
    template = AgreementTemplate.objects.filter(call=call, is_current=True).first()
    departements = list(Departement.objects.filter(region_code=rules.region_code).order_by("code"))
    epcis = {
        d.code: list(Epci.objects.filter(main_departement_code=d.code).order_by("siren")[:20]) for d in departements
    }
    departements = [d for d in departements if epcis[d.code]]
    filed_on = (rules.filing_closes_at - dt.timedelta(days=5)).replace(microsecond=0)
    now = timezone.now().replace(microsecond=0)

    with transaction.atomic():
        # -- people: the measured accounts, one instructor per département, one applicant per organisation ----------
        password = make_password(PASSWORD)
        staff = {
            "dreets": User(email=f"dreets@{BENCH_DOMAIN}", role=Role.DREETS, first_name="Hélène", last_name="Banc"),
            "jury": User(email=f"jury@{BENCH_DOMAIN}", role=Role.JURY, first_name="Marc", last_name="Banc"),
            "admin": User(
                email=f"admin@{BENCH_DOMAIN}", role=Role.ADMIN, first_name="Ada", last_name="Banc", is_staff=True
            ),
        }
        instructors = {
            d.code: User(
                email=f"instructeur.{d.code}@{BENCH_DOMAIN}",
                role=Role.INSTRUCTOR,
                departement=d,
                first_name="Instructeur",
                last_name=d.name,
            )
            for d in departements
        }
        org_count = max(1, -(-n // DOSSIERS_PER_ORGANISATION))
        applicants = [
            User(
                email=f"porteur.{i:05d}@{BENCH_DOMAIN}", role=Role.APPLICANT, first_name="Porteur", last_name=f"n° {i}"
            )
            for i in range(org_count)
        ]
        people = [*staff.values(), *instructors.values(), *applicants]
        for user in people:
            user.password = password
            user.email_confirmed_at = now
            user.privacy_accepted_at = now
        User.objects.bulk_create(people, batch_size=CHUNK)
        for key, user in [*staff.items(), ("instructeur", instructors[INSTRUCTOR_DEPARTEMENT])]:
            totp_device_with_secret(user=user, secret=TOTP_SECRETS[key])
        organisations = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"Association solidaire n° {i}",
                    siret="",
                    kind="association",
                    departement=departements[i % len(departements)],
                )
                for i in range(org_count)
            ],
            batch_size=CHUNK,
        )
        Membership.objects.bulk_create(
            [Membership(organisation=o, user=u) for o, u in zip(organisations, applicants, strict=True)],
            batch_size=CHUNK,
        )

        # -- the template: a draft imported by the real import, the « budget » step's dossier of the applicant ------
        document = template_document(call)
        model = document_to_dossier(document, by=applicants[0])
        imported_organisation = model.organisation
        Dossier.objects.filter(pk=model.pk).update(organisation=organisations[0])  # the applicant's one organisation
        Membership.objects.filter(organisation=imported_organisation).delete()
        imported_organisation.delete()
        model.refresh_from_db()
        snapshot_base = dossier_to_document(model)
        priorities = list(Priority.objects.filter(dossier=model).prefetch_related("measures"))
        actions = list(Action.objects.filter(dossier=model))
        measures = list(ImpactMeasure.objects.filter(action__dossier=model))
        expenses = list(ExpenseLine.objects.filter(dossier=model))
        resources = list(ResourceLine.objects.filter(dossier=model))
        partners = list(Partner.objects.filter(dossier=model))
        in_kind = list(InKindLine.objects.filter(dossier=model))
        requested = sum((r.amount for r in resources if r.kind == ResourceKind.STATE_PTS), Decimal(0))
        criteria = [c.code for c in rules.criteria]
        checklist = [c.code for c in rules.admissibility_checklist]

        # -- the N - 1 other dossiers, cloned from the template in chunks --------------------------------------------
        plan = state_plan(n)
        plan[0] = "brouillon"  # the template is the first dossier, a draft
        numbers = {d.code: 0 for d in departements}
        dossiers: list[Dossier] = []
        for i in range(1, n):
            d = departements[i % len(departements)]
            numbers[d.code] += 1
            state = plan[i]
            dossiers.append(
                Dossier(
                    call=call,
                    organisation=organisations[i // DOSSIERS_PER_ORGANISATION],
                    reference=f"PTS-BANC-{d.code}-{numbers[d.code]:05d}",
                    title=f"{model.title} — projet {i}",
                    departement=d,
                    applicant_legal_representative=model.applicant_legal_representative,
                    applicant_contact=model.applicant_contact,
                    diagnostic=model.diagnostic,
                    complementarity=model.complementarity,
                    expected_impact=model.expected_impact,
                    impact_measurement=model.impact_measurement,
                    state=state,
                    created_by=applicants[i // DOSSIERS_PER_ORGANISATION],
                    submitted_at=None if state == "brouillon" else filed_on - dt.timedelta(minutes=i % 5000),
                    search_text=f"pts-banc-{d.code}-{numbers[d.code]:05d} projet {i} association solidaire",
                )
            )
        for chunk in _chunks(dossiers):
            Dossier.objects.bulk_create(chunk)
        dossiers.insert(0, model)
        model.state = "brouillon"
        epci_of = {
            dos.pk: epcis[dos.departement.code][k % len(epcis[dos.departement.code])] for k, dos in enumerate(dossiers)
        }
        through = Dossier.epcis.through
        through.objects.bulk_create(
            [through(dossier_id=dos.pk, epci_id=epci_of[dos.pk].pk) for dos in dossiers[1:]], batch_size=CHUNK * 5
        )
        measure_through = Priority.measures.through
        for chunk in _chunks(dossiers[1:]):
            new_priorities = Priority.objects.bulk_create(
                [_copy(p, dossier_id=dos.pk) for dos in chunk for p in priorities]
            )
            priority_map = {}
            k = 0
            for dos in chunk:
                for p in priorities:
                    priority_map[(dos.pk, p.pk)] = new_priorities[k]
                    k += 1
            measure_through.objects.bulk_create(
                [
                    measure_through(priority_id=priority_map[(dos.pk, p.pk)].pk, measure_id=m.pk)
                    for dos in chunk
                    for p in priorities
                    for m in p.measures.all()
                ]
            )
            new_actions = Action.objects.bulk_create(
                [
                    _copy(a, dossier_id=dos.pk, priority_id=priority_map[(dos.pk, a.priority_id)].pk)
                    for dos in chunk
                    for a in actions
                ]
            )
            action_map = {}
            k = 0
            for dos in chunk:
                for a in actions:
                    action_map[(dos.pk, a.pk)] = new_actions[k]
                    k += 1
            ImpactMeasure.objects.bulk_create(
                [_copy(m, action_id=action_map[(dos.pk, m.action_id)].pk) for dos in chunk for m in measures]
            )
            ExpenseLine.objects.bulk_create(
                [
                    _copy(e, dossier_id=dos.pk, action_id=action_map[(dos.pk, e.action_id)].pk if e.action_id else None)
                    for dos in chunk
                    for e in expenses
                ]
            )
            new_partners = Partner.objects.bulk_create([_copy(p, dossier_id=dos.pk) for dos in chunk for p in partners])
            partner_map = {}
            k = 0
            for dos in chunk:
                for p in partners:
                    partner_map[(dos.pk, p.pk)] = new_partners[k]
                    k += 1

            def contributor(dos: Dossier, row: Any, partner_map: dict = partner_map) -> int | None:
                return partner_map[(dos.pk, row.contributor_id)].pk if row.contributor_id else None

            ResourceLine.objects.bulk_create(
                [_copy(r, dossier_id=dos.pk, contributor_id=contributor(dos, r)) for dos in chunk for r in resources]
            )
            InKindLine.objects.bulk_create(
                [_copy(r, dossier_id=dos.pk, contributor_id=contributor(dos, r)) for dos in chunk for r in in_kind]
            )

        # -- after filing: versions, transitions, instruction, assessment -------------------------------------------
        by_state: dict[str, list[Dossier]] = {}
        for dos in dossiers:
            by_state.setdefault(dos.state, []).append(dos)
        filed = [dos for dos in dossiers if dos.state != "brouillon"]
        versions = []
        for dos in filed:
            snapshot = dict(snapshot_base, title=dos.title, reference=dos.reference)
            snapshot["submitted_at"] = dos.submitted_at.isoformat()
            text = canonical_json(snapshot)
            versions.append(
                DossierVersion(
                    dossier_id=dos.pk,
                    number=1,
                    snapshot=text,
                    sha256=hashlib.sha256(text.encode()).hexdigest(),
                    submitted_at=dos.submitted_at,
                    submitted_by_id=dos.created_by_id,
                )
            )
        DossierVersion.objects.bulk_create(versions, batch_size=CHUNK)
        del versions

        def actor(dos: Dossier, transition: str) -> int:
            if transition == "submit":
                return dos.created_by_id
            if transition in {"retain", "reject", "postpone", "import_close"}:
                return staff["dreets"].pk
            return instructors[dos.departement.code].pk

        logs = []
        for dos in filed:
            at = dos.submitted_at
            for name, source, target in PATH[dos.state]:
                logs.append(
                    DossierTransitionLog(
                        dossier_id=dos.pk,
                        transition=name,
                        from_state=source,
                        to_state=target,
                        by_id=actor(dos, name),
                        at=at,
                        reason="Motif saisi par l'instruction."
                        if name.startswith(("request", "declare_in", "reject", "postpone"))
                        else "",
                    )
                )
                at += dt.timedelta(days=2)
        DossierTransitionLog.objects.bulk_create(logs, batch_size=CHUNK * 5)
        del logs
        ComplementRequest.objects.bulk_create(
            [
                ComplementRequest(
                    dossier_id=dos.pk,
                    message="Merci de joindre la délibération du conseil d'administration.",
                    due_on=(dos.submitted_at + dt.timedelta(days=15)).date(),
                    requested_by=instructors[dos.departement.code],
                    requested_at=dos.submitted_at + dt.timedelta(days=4),
                )
                for dos in by_state.get("complements_demandes", [])
            ],
            batch_size=CHUNK,
        )
        reviewed = [dos for dos in filed if dos.state in REVIEWED]
        ChecklistCheck.objects.bulk_create(
            [
                ChecklistCheck(
                    dossier_id=dos.pk,
                    item=item,
                    is_checked=dos.state != "irrecevable",
                    checked_by=instructors[dos.departement.code],
                    checked_at=dos.submitted_at + dt.timedelta(days=3),
                )
                for dos in reviewed
                for item in checklist
            ],
            batch_size=CHUNK * 5,
        )
        evaluated = [dos for dos in filed if dos.state in EVALUATED]
        sheets = ScoreSheet.objects.bulk_create(
            [
                ScoreSheet(
                    dossier_id=dos.pk,
                    instructor=instructors[dos.departement.code],
                    weighted_total=Decimal(2 + k % 3),
                    proposed_amount=requested,
                    opinion=("favorable", "reserve", "defavorable")[k % 3],
                    comment="Projet cohérent avec le diagnostic départemental.",
                )
                for k, dos in enumerate(evaluated)
            ],
            batch_size=CHUNK,
        )
        CriterionScore.objects.bulk_create(
            [
                CriterionScore(
                    sheet_id=sheet.pk,
                    criterion=code,
                    score=rules.scale_min + (k + j) % (rules.scale_max - rules.scale_min + 1),
                    justification="Appréciation motivée de l'instructeur.",
                )
                for k, sheet in enumerate(sheets)
                for j, code in enumerate(criteria)
            ],
            batch_size=CHUNK * 5,
        )
        del sheets
        ranks: dict[int, int] = {}
        proposals = []
        for k, dos in enumerate(evaluated):
            territory = epci_of[dos.pk]
            ranks[territory.pk] = ranks.get(territory.pk, 0) + 1
            proposals.append(
                Proposal(
                    dossier_id=dos.pk,
                    territory=territory,
                    proposed_amount=requested,
                    opinion=("favorable", "reserve", "defavorable")[k % 3],
                    rank=ranks[territory.pk],
                    mean_score=Decimal(2 + k % 3),
                    updated_by=instructors[dos.departement.code],
                )
            )
        Proposal.objects.bulk_create(proposals, batch_size=CHUNK)
        del proposals
        transmitted = [dos for dos in filed if dos.state in TRANSMITTED]
        for d in departements:
            mine = [dos.pk for dos in transmitted if dos.departement_id == d.pk]
            if not mine:
                continue
            act = Transmission.objects.create(
                call=call,
                departement=d,
                transmitted_at=filed_on + dt.timedelta(days=12),
                transmitted_by=instructors[d.code],
            )
            Transmission.dossiers.through.objects.bulk_create(
                [Transmission.dossiers.through(transmission_id=act.pk, dossier_id=pk) for pk in mine],
                batch_size=CHUNK * 5,
            )

        # -- the committee: a closed session (every decision) and a planned one (every transmitted dossier) ---------
        session_day = (filed_on + dt.timedelta(days=30)).date()
        opened = filed_on + dt.timedelta(days=30)
        closed = CommitteeSession.objects.create(
            call=call,
            date=session_day,
            place="DREETS Occitanie, Toulouse",
            chair=rules.committee_chair,
            state="close",
            created_by=staff["dreets"],
            opened_at=opened,
            opened_by=staff["dreets"],
            closed_at=opened + dt.timedelta(hours=3),
            closed_by=staff["dreets"],
            quorum=rules.quorum,
        )
        planned = CommitteeSession.objects.create(
            call=call,
            date=timezone.localdate() + dt.timedelta(days=30),
            place="DREETS Occitanie, Montpellier",
            chair=rules.committee_chair,
            state="planifiee",
            created_by=staff["dreets"],
        )
        for session in (closed, planned):
            Attendance.objects.bulk_create(
                [
                    Attendance(session=session, user=staff["jury"], is_present=session is closed),
                    Attendance(session=session, user=staff["dreets"], is_present=session is closed),
                ]
            )
        decided = [dos for dos in filed if dos.state in DECIDED]
        decision_of = {"retenu": "retenu", "solde": "retenu", "non_retenu": "non_retenu", "ajourne": "ajourne"}
        CommitteeDecision.objects.bulk_create(
            [
                CommitteeDecision(
                    session=closed,
                    dossier_id=dos.pk,
                    decision=decision_of[dos.state],
                    awarded_amount=requested if dos.state in RETAINED else None,
                    motivation=""
                    if dos.state in RETAINED
                    else "Projet insuffisamment articulé avec le contrat départemental.",
                    decided_by=staff["dreets"],
                    decided_at=opened + dt.timedelta(minutes=1),
                )
                for dos in decided
            ],
            batch_size=CHUNK,
        )
        closed.awarded_total = requested * sum(1 for dos in decided if dos.state in RETAINED)
        closed.save(update_fields=["awarded_total"])
        JuryOpinion.objects.bulk_create(
            [
                JuryOpinion(
                    session=planned,
                    dossier_id=dos.pk,
                    member=staff["jury"],
                    opinion=("favorable", "reserve", "defavorable")[k % 3],
                    comment="Avis donné avant la séance.",
                    updated_at=now,
                )
                for k, dos in enumerate(by_state.get("transmis", []))
                if k % 4 == 0
            ],
            batch_size=CHUNK,
        )

        # -- conventions, payments, follow-up of the retained dossiers ---------------------------------------------
        retained = [dos for dos in filed if dos.state in RETAINED]
        signed_on = session_day + dt.timedelta(days=20)
        agreement_states = ["brouillon", "envoyee", "signee_porteur", "signee", "signee", "signee"]
        agreements = []
        for k, dos in enumerate(retained):
            state = "soldee" if dos.state == "solde" else agreement_states[k % len(agreement_states)]
            dates = {
                "sent_on": session_day + dt.timedelta(days=10),
                "applicant_signed_on": session_day + dt.timedelta(days=15),
                "state_signed_on": signed_on,
                "settled_on": signed_on + dt.timedelta(days=400),
            }
            required = {
                "brouillon": (),
                "envoyee": ("sent_on",),
                "signee_porteur": ("sent_on", "applicant_signed_on"),
                "signee": ("sent_on", "applicant_signed_on", "state_signed_on"),
                "soldee": ("sent_on", "applicant_signed_on", "state_signed_on", "settled_on"),
            }[state]
            signed = state in {"signee", "soldee"}
            agreements.append(
                Agreement(
                    dossier_id=dos.pk,
                    state=state,
                    awarded_amount=requested,
                    template=template,
                    generated_at=opened + dt.timedelta(days=2),
                    generated_by=instructors[dos.departement.code],
                    generation_count=1,
                    commitment_number=f"{2100000000 + k:010d}" if signed else "",
                    commitment_date=signed_on if signed else None,
                    commitment_entered_by=staff["dreets"] if signed else None,
                    final_amount=requested if state == "soldee" else None,
                    created_by=instructors[dos.departement.code],
                    **{name: dates[name] for name in required},
                )
            )
        agreements = Agreement.objects.bulk_create(agreements, batch_size=CHUNK)
        payments = []
        for agreement in agreements:
            if agreement.state == "signee":
                payments.append((agreement, "avance", requested * Decimal("0.5"), signed_on + dt.timedelta(days=10)))
            elif agreement.state == "soldee":
                payments.append((agreement, "avance", requested * Decimal("0.5"), signed_on + dt.timedelta(days=10)))
                payments.append((agreement, "solde", requested * Decimal("0.5"), signed_on + dt.timedelta(days=390)))
        Payment.objects.bulk_create(
            [
                Payment(
                    agreement=agreement,
                    step_code=code,
                    amount=amount,
                    paid_on=paid_on,
                    reference=f"CHORUS-{agreement.pk:08d}-{code}",
                    accounting_year=paid_on.year,
                    recorded_by=staff["dreets"],
                )
                for agreement, code, amount, paid_on in payments
            ],
            batch_size=CHUNK,
        )
        retained_ids = [dos.pk for dos in retained]
        entered_by = staff["dreets"]
        for chunk in _chunks(retained_ids, 500):
            chunk_actions = list(Action.objects.filter(dossier_id__in=chunk).values_list("pk", flat=True))
            ActionProgress.objects.bulk_create(
                [
                    ActionProgress(
                        action_id=pk,
                        reported_on=signed_on + dt.timedelta(days=90),
                        percent_done=40 + pk % 60,
                        text="Action engagée conformément au calendrier.",
                        entered_by=entered_by,
                    )
                    for pk in chunk_actions
                ]
            )
            chunk_measures = list(
                ImpactMeasure.objects.filter(action__dossier_id__in=chunk).values_list("pk", flat=True)
            )
            IndicatorMeasurement.objects.bulk_create(
                [
                    IndicatorMeasurement(
                        measure_id=pk,
                        value=Decimal(5 + (pk + q) % 30),
                        measured_on=signed_on + dt.timedelta(days=90 * (q + 1)),
                        comment="Relevé trimestriel.",
                        entered_by=entered_by,
                        entered_at=now,
                    )
                    for pk in chunk_measures
                    for q in range(2)
                ]
            )
        settled = by_state.get("solde", [])
        reports = Report.objects.bulk_create(
            [
                Report(
                    dossier_id=dos.pk,
                    kind=kind,
                    state="valide",
                    qualitative_assessment="Les actions ont été réalisées ; les publics visés ont été atteints.",
                    submitted_at=now - dt.timedelta(days=30),
                    submitted_by_id=dos.created_by_id,
                    validated_at=now - dt.timedelta(days=20),
                    validated_by=instructors[dos.departement.code],
                    created_by_id=dos.created_by_id,
                )
                for dos in settled
                for kind in ("intermediaire", "final")
            ],
            batch_size=CHUNK,
        )
        ReportLine.objects.bulk_create(
            [
                ReportLine(
                    report_id=report.pk,
                    position=j,
                    side="charge",
                    label=e.label or e.category,
                    planned=e.amount,
                    actual=e.amount,
                )
                for report in reports
                if report.kind == "final"
                for j, e in enumerate(expenses)
            ],
            batch_size=CHUNK * 5,
        )
        User.objects.create(email=MARKER_EMAIL, role=Role.APPLICANT, is_active=False, password="!")
    states = {s: len(by_state.get(s, [])) for s, _ in STATE_WEIGHTS}
    return Facts(n=n, states=states, seconds=time.perf_counter() - started)


def is_generated() -> bool:
    from pactes.accounts.models import User

    return User.objects.filter(email=MARKER_EMAIL).exists()
