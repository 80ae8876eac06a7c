"""Writes of the assessment (§1.6): score sheets, the département's proposal, closing the evaluation, the ranking of
a territory's dossiers and the transmission to the regional committee.

Every write checks who writes (an instructor of the dossier's département), the dossier's state and the call's
rules (``pactes.rules.scoring``, ``pactes.rules.ranking``) and raises ``AssessmentRefused`` with the reasons. The
dossier's state changes only through ``pactes.dossiers.services.dossier_transition``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from pactes.accounts.models import Role, User
from pactes.assessment.models import CriterionScore, Opinion, Proposal, ScoreSheet, Transmission
from pactes.assessment.notifications import transmission_notify
from pactes.assessment.selectors import (
    dossier_territory,
    evaluated_dossiers,
    score_board,
    territory_rankings,
)
from pactes.assessment.summary import summary_render
from pactes.calls.models import Call
from pactes.dossiers.models import Dossier
from pactes.dossiers.selectors import requested_grant
from pactes.dossiers.services import TransitionRefused, dossier_transition, moment_problems
from pactes.rules import scoring
from pactes.rules.call_config import CallConfig
from pactes.rules.lifecycle import DossierState
from pactes.rules.money import cited, euros
from pactes.rules.ranking import PROPOSED_OVER_CAP, PROPOSED_OVER_REQUESTED
from pactes.rules.verdict import Reason
from pactes.territories.models import Departement

logger = logging.getLogger(__name__)

OUT_OF_SCOPE = "OUT_OF_SCOPE"
EVALUATION_CLOSED = "EVALUATION_CLOSED"
OPINION_UNKNOWN = "OPINION_UNKNOWN"
PROPOSAL_INCOMPLETE = "PROPOSAL_INCOMPLETE"
TERRITORY_UNKNOWN = "TERRITORY_UNKNOWN"
NOTHING_TO_TRANSMIT = "NOTHING_TO_TRANSMIT"
TRANSMISSION_LIST_CHANGED = "TRANSMISSION_LIST_CHANGED"
RANK_INVALID = "RANK_INVALID"


class AssessmentRefused(Exception):
    """The write is refused; ``reasons`` say why (stable codes, French messages)."""

    def __init__(self, reasons: Sequence[Reason]) -> None:
        self.reasons = list(reasons)
        super().__init__(" ".join(r.message for r in self.reasons))

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]


# -- checks shared by the writes ---------------------------------------------------------------------------------------
def _scope_problems(by: User, departement_id: int) -> list[Reason]:
    if by.role != Role.INSTRUCTOR or by.departement_id != departement_id:
        return [
            Reason(OUT_OF_SCOPE, "Seuls les instructeurs de la DDETS-PP du département peuvent faire cette opération.")
        ]
    return []


def _open_problems(dossier: Dossier) -> list[Reason]:
    if dossier.state != DossierState.ADMISSIBLE.value:
        return [
            Reason(
                EVALUATION_CLOSED,
                "L'évaluation de ce dossier n'est pas ouverte : seul un dossier recevable dont l'évaluation n'est pas "
                "close peut être noté.",
            )
        ]
    return []


def amount_problems(amount: Decimal, *, requested: Decimal, config: CallConfig) -> list[Reason]:
    """A proposed amount stays within the State grant requested and within the cap per project (§1.4, §1.6)."""
    problems = []
    if amount > requested:
        problems.append(
            Reason(
                PROPOSED_OVER_REQUESTED,
                f"Le montant proposé ({euros(amount)}) dépasse la subvention demandée par le porteur "
                f"({euros(requested)}).",
                section=config.section("selection"),
            )
        )
    if amount > config.grant_cap:
        problems.append(
            Reason(
                PROPOSED_OVER_CAP,
                f"Le montant proposé ({euros(amount)}) dépasse le plafond de {euros(config.grant_cap)} par projet"
                f"{cited(config.section('funding.grant_cap'))}.",
                section=config.section("funding.grant_cap"),
            )
        )
    return problems


def _opinion_problems(opinion: str, *, required: bool) -> list[Reason]:
    if not opinion:
        if required:
            return [Reason(PROPOSAL_INCOMPLETE, "Choisissez un avis : favorable, réservé ou défavorable.")]
        return []
    if opinion not in Opinion.values:
        return [Reason(OPINION_UNKNOWN, f"L'avis « {opinion} » n'existe pas : favorable, réservé ou défavorable.")]
    return []


def _locked(dossier: Dossier) -> Dossier:
    locked = Dossier.objects.select_for_update().select_related("call").get(pk=dossier.pk)
    if locked.state != dossier.state:
        raise AssessmentRefused(
            [
                Reason(
                    "STATE_CHANGED", "Le dossier a changé d'état entre-temps : rechargez la page avant de recommencer."
                )
            ]
        )
    return locked


def _refresh_proposal(dossier: Dossier, *, by: User) -> Proposal:
    """The dossier's proposal, created on first need, with the mean of the instructors' totals."""
    proposal = Proposal.objects.filter(dossier=dossier).first()
    board = score_board(dossier, dossier.call.rules)
    mean = board.aggregate.mean_total if board.aggregate is not None else None
    if proposal is None:
        territory = dossier_territory(dossier)
        if territory is None:
            raise AssessmentRefused(
                [
                    Reason(
                        TERRITORY_UNKNOWN,
                        "Le territoire (EPCI) du dossier est inconnu : son périmètre n'indique ni EPCI ni commune "
                        "rattachée à un EPCI.",
                    )
                ]
            )
        return Proposal.objects.create(dossier=dossier, territory=territory, mean_score=mean, updated_by=by)
    proposal.mean_score = mean
    proposal.updated_by = by
    proposal.save(update_fields=["mean_score", "updated_by", "updated_at"])
    return proposal


# -- score sheets and proposal -----------------------------------------------------------------------------------------
def score_sheet_save(
    *,
    dossier: Dossier,
    instructor: User,
    scores: Sequence[scoring.CriterionScore],
    proposed_amount: Decimal | None,
    opinion: str,
    comment: str = "",
) -> ScoreSheet:
    """Creates or replaces ``instructor``'s sheet on ``dossier``: every criterion scored and justified."""
    config = dossier.call.rules
    problems = _scope_problems(instructor, dossier.departement_id) + _open_problems(dossier)
    problems += scoring.sheet_problems(scores, config)
    if proposed_amount is not None:
        problems += amount_problems(proposed_amount, requested=requested_grant(dossier), config=config)
    problems += _opinion_problems(opinion, required=False)
    if problems:
        raise AssessmentRefused(problems)
    with transaction.atomic():
        locked = _locked(dossier)
        sheet, _created = ScoreSheet.objects.update_or_create(
            dossier=locked,
            instructor=instructor,
            defaults={
                "weighted_total": scoring.weighted_total(scores, config),
                "proposed_amount": proposed_amount,
                "opinion": opinion,
                "comment": comment.strip(),
            },
        )
        sheet.scores.all().delete()
        # With their history rows (field history of the scores and their justification, ADR 0027).
        bulk_create_with_history(
            [
                CriterionScore(sheet=sheet, criterion=s.criterion, score=s.score, justification=s.justification.strip())
                for s in scores
            ],
            CriterionScore,
            default_user=instructor,
        )
        _refresh_proposal(locked, by=instructor)
    return sheet


def proposal_update(
    *, dossier: Dossier, by: User, proposed_amount: Decimal | None = None, opinion: str | None = None
) -> Proposal:
    """The département's proposal on ``dossier``: amount and opinion (``None`` leaves a value unchanged)."""
    config = dossier.call.rules
    problems = _scope_problems(by, dossier.departement_id) + _open_problems(dossier)
    if proposed_amount is not None:
        problems += amount_problems(proposed_amount, requested=requested_grant(dossier), config=config)
    if opinion is not None:
        problems += _opinion_problems(opinion, required=True)
    if problems:
        raise AssessmentRefused(problems)
    with transaction.atomic():
        locked = _locked(dossier)
        proposal = _refresh_proposal(locked, by=by)
        if proposed_amount is not None:
            proposal.proposed_amount = proposed_amount
        if opinion is not None:
            proposal.opinion = opinion
        proposal.save(update_fields=["proposed_amount", "opinion", "updated_at"])
    return proposal


def evaluation_problems(dossier: Dossier) -> list[Reason]:
    """Why the evaluation of ``dossier`` cannot be closed yet: a complete sheet, an amount and an opinion."""
    board = score_board(dossier, dossier.call.rules)
    problems: list[Reason] = []
    if not board.sheets:
        problems.append(Reason(scoring.NO_SHEET, "Aucune grille de notation n'a été remplie."))
    else:
        problems += list(board.problems)
    proposal = Proposal.objects.filter(dossier=dossier).first()
    if proposal is None or proposal.proposed_amount is None:
        problems.append(Reason(PROPOSAL_INCOMPLETE, "Le montant proposé par la DDETS-PP n'est pas saisi."))
    if proposal is None or not proposal.opinion:
        problems.append(Reason(PROPOSAL_INCOMPLETE, "L'avis de la DDETS-PP n'est pas saisi."))
    return problems


def _transition(
    dossier: Dossier, transition: str, by: User, reason: str = "", at: dt.datetime | None = None
) -> Dossier:
    try:
        return dossier_transition(dossier=dossier, transition=transition, by=by, reason=reason, at=at)
    except TransitionRefused as exc:
        raise AssessmentRefused(exc.reasons) from exc


def _territory_proposals(proposal: Proposal) -> list[Proposal]:
    """The proposals of the evaluated dossiers sharing ``proposal``'s territory in the same call and département."""
    dossier = proposal.dossier
    return list(
        Proposal.objects.filter(
            territory=proposal.territory,
            dossier__call_id=dossier.call_id,
            dossier__departement_id=dossier.departement_id,
            dossier__state=DossierState.EVALUATED.value,
        )
        .exclude(pk=proposal.pk)
        .select_related("dossier")
    )


def evaluation_complete(*, dossier: Dossier, by: User, at: dt.datetime | None = None) -> Dossier:
    """« Clore l'évaluation »: the dossier becomes « évalué » and is ranked last of its territory. ``at``: the
    moment of the act, now by default (given only for acts recorded afterwards; the views never pass it)."""
    problems = _scope_problems(by, dossier.departement_id) + _open_problems(dossier) + evaluation_problems(dossier)
    problems += moment_problems(at)
    if problems:
        raise AssessmentRefused(problems)
    with transaction.atomic():
        dossier = _transition(dossier, "complete_evaluation", by, at=at)
        proposal = Proposal.objects.select_related("dossier").get(dossier=dossier)
        ranks = [p.rank for p in _territory_proposals(proposal) if p.rank is not None]
        proposal.rank = max(ranks, default=0) + 1
        proposal.updated_by = by
        proposal.save(update_fields=["rank", "updated_by", "updated_at"])
    return dossier


def evaluation_reopen(*, dossier: Dossier, by: User, at: dt.datetime | None = None) -> Dossier:
    """« Rouvrir l'évaluation »: back to « recevable », out of its territory's ranking (the others close up).
    ``at``: the moment of the act, now by default."""
    problems = _scope_problems(by, dossier.departement_id) + moment_problems(at)
    if problems:
        raise AssessmentRefused(problems)
    with transaction.atomic():
        dossier = _transition(dossier, "reopen_evaluation", by, at=at)
        proposal = Proposal.objects.select_related("dossier").filter(dossier=dossier).first()
        if proposal is not None:
            proposal.rank = None
            proposal.save(update_fields=["rank", "updated_at"])
            others = sorted(_territory_proposals(proposal), key=lambda p: (p.rank is None, p.rank or 0, p.pk))
            _renumber([p for p in others if p.rank is not None], by=by)
    return dossier


# -- ranking -----------------------------------------------------------------------------------------------------------
def _renumber(ordered: Sequence[Proposal], *, by: User) -> None:
    for position, proposal in enumerate(ordered, start=1):
        if proposal.rank != position:
            proposal.rank = position
            proposal.updated_by = by
            proposal.save(update_fields=["rank", "updated_by", "updated_at"])


def ranking_save(*, call: Call, departement: Departement, ranks: Mapping[str, int | None], by: User) -> int:
    """Saves the ranks typed for the evaluated dossiers (by reference); returns how many changed.

    Gaps, duplicates and blanks are saved as typed: the ranking rule reports them (``RANKING_INCOMPLETE``) and
    the transmission stays refused until they are corrected.
    """
    problems = _scope_problems(by, departement.pk)
    for reference, rank in ranks.items():
        if rank is not None and rank < 1:
            problems.append(Reason(RANK_INVALID, f"Dossier {reference} : le rang doit être un entier à partir de 1."))
    if problems:
        raise AssessmentRefused(problems)
    changed = 0
    with transaction.atomic():
        proposals = Proposal.objects.select_for_update().filter(
            dossier__in=evaluated_dossiers(call=call, departement=departement), dossier__reference__in=list(ranks)
        )
        for proposal in proposals.select_related("dossier"):
            rank = ranks[proposal.dossier.reference]
            if proposal.rank != rank:
                proposal.rank = rank
                proposal.updated_by = by
                proposal.save(update_fields=["rank", "updated_by", "updated_at"])
                changed += 1
    return changed


def ranking_move(*, dossier: Dossier, up: bool, by: User) -> None:
    """Moves an evaluated dossier one place up or down in its territory; the ranks become 1 … n."""
    problems = _scope_problems(by, dossier.departement_id)
    if dossier.state != DossierState.EVALUATED.value:
        problems.append(Reason(EVALUATION_CLOSED, "Seul un dossier évalué et non transmis peut être classé."))
    if problems:
        raise AssessmentRefused(problems)
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().select_related("dossier").get(dossier=dossier)
        group = [proposal, *_territory_proposals(proposal)]
        ordered = sorted(group, key=lambda p: (p.rank is None, p.rank or 0, p.dossier.reference))
        index = ordered.index(proposal)
        target = index - 1 if up else index + 1
        if 0 <= target < len(ordered):
            ordered[index], ordered[target] = ordered[target], ordered[index]
        _renumber(ordered, by=by)


# -- transmission to the regional committee ----------------------------------------------------------------------------
def transmission_problems(*, call: Call, departement: Departement) -> list[Reason]:
    """Why the département's evaluated dossiers cannot be transmitted: none, or a territory over cap or unranked."""
    dossiers = evaluated_dossiers(call=call, departement=departement)
    if not dossiers.exists():
        return [
            Reason(
                NOTHING_TO_TRANSMIT,
                "Aucun dossier évalué n'est à transmettre : closez d'abord l'évaluation d'au moins un dossier.",
            )
        ]
    problems: list[Reason] = []
    for territory in territory_rankings(dossiers, call.rules):
        problems += [r for r in territory.summary.reasons if r.blocking]
        problems += [
            Reason(PROPOSAL_INCOMPLETE, f"Dossier {item.dossier.reference} : le montant proposé n'est pas saisi.")
            for item in territory.dossiers
            if item.proposal is None or item.proposal.proposed_amount is None
        ]
    return problems


def transmission_create(
    *,
    call: Call,
    departement: Departement,
    by: User,
    note: str = "",
    at: dt.datetime | None = None,
    listed: Collection[str] | None = None,
) -> Transmission:
    """« Transmettre au comité régional »: every evaluated dossier of the département, with its rank and proposal,
    in one act; the departmental summary PDF is produced and the DREETS mailbox of the call is notified. ``at``: the
    moment of the transmission, now by default (given only for acts recorded afterwards; the views never pass it).
    ``listed``: the references shown on the page the instructor confirmed; exactly those are transmitted, and the act
    is refused if one of them is no longer evaluated (a dossier evaluated since stays for the next transmission)."""

    problems = _scope_problems(by, departement.pk) + moment_problems(at)
    if problems:
        raise AssessmentRefused(problems)
    with transaction.atomic():
        dossiers = list(
            evaluated_dossiers(call=call, departement=departement).select_for_update().order_by("reference")
        )
        problems = transmission_problems(call=call, departement=departement)
        if listed is not None:
            wanted = set(listed)
            found = {d.reference for d in dossiers}
            problems += [
                Reason(
                    TRANSMISSION_LIST_CHANGED,
                    f"Le dossier {reference} n'est plus évalué depuis l'affichage de la page : vérifiez la liste "
                    "et confirmez de nouveau.",
                )
                for reference in sorted(wanted - found)
            ]
            if not wanted:
                problems.append(Reason(TRANSMISSION_LIST_CHANGED, "Aucun dossier n'était listé : rien à transmettre."))
            dossiers = [d for d in dossiers if d.reference in wanted]
        if problems:
            raise AssessmentRefused(problems)
        moment = at or timezone.now()
        pdf = summary_render(call=call, departement=departement, dossiers=dossiers, by=by, at=moment)
        for dossier in dossiers:
            _transition(dossier, "transmit", by, at=moment)
        transmission = Transmission.objects.create(
            call=call, departement=departement, transmitted_at=moment, transmitted_by=by, note=note.strip()
        )
        transmission.dossiers.set(dossiers)
        stamp = timezone.localtime(moment, call.rules.timezone).strftime("%Y%m%d-%H%M")
        transmission.summary_pdf.save(
            f"synthese-{call.slug}-{departement.code}-{stamp}.pdf", ContentFile(pdf), save=True
        )
        transmission_notify(transmission=transmission)
    return transmission
