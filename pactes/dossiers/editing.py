"""Writes of the applicant's editor: creating a draft, saving one step of it, inviting co-editors.

Words: a *step* is one page of the multi-step dossier (``STEPS``: porteur, périmètre, diagnostic…); its *data* is what
the web form cleaned (plain values, model instances for chosen rows). Every save runs on the locked row and compares
the *version of the step* the form was loaded with to the stored one (``DossierStepVersion``): a difference means
someone saved this step in between, and the save is refused with ``StaleEdit`` rather than silently overwriting their
work. Two people saving two different steps both succeed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from pactes.accounts.models import User
from pactes.accounts.permissions import can_edit
from pactes.calls.models import Call
from pactes.core.prepared import PreparedQuery
from pactes.dossiers.models import (
    Action,
    ConsortiumMember,
    ContributionNature,
    Dossier,
    DossierStepVersion,
    ExpenseLine,
    ImpactMeasure,
    InKindLine,
    Partner,
    Priority,
    ResourceKind,
    ResourceLine,
    ResourceStatus,
)
from pactes.dossiers.numbering import ReferenceUnavailable, dossier_insert_numbered
from pactes.dossiers.search import dossier_search_refresh
from pactes.organisations.models import Membership, Organisation
from pactes.territories.models import Departement

# The pages of the editor, in order (steps 9 and 10, attachments and filing, live in the filing area).
STEPS: tuple[tuple[str, str], ...] = (
    ("porteur", "Porteur"),
    ("perimetre", "Périmètre"),
    ("diagnostic", "Diagnostic"),
    ("priorites", "Priorités"),
    ("actions", "Plan d'actions"),
    ("partenaires", "Partenaires et engagements"),
    ("budget", "Budget"),
    ("impact", "Impact attendu"),
)
STEP_CODES = tuple(code for code, _ in STEPS)
STATE_GRANT_FUNDER = "État — pacte des solidarités"


class EditRefused(Exception):
    """The person may not change this dossier (not one of its applicants, or the dossier is filed)."""


class StaleEdit(Exception):
    """The dossier was saved by someone else since the form was loaded; nothing was written."""

    def __init__(self, *, by_name: str, current_version: int) -> None:
        self.by_name = by_name
        self.current_version = current_version
        super().__init__(
            f"Cette étape a été modifiée par {by_name} entre-temps : vos saisies, conservées ci-dessous, n'ont pas été "
            "enregistrées. Comparez-les à la version enregistrée, puis enregistrez la vôtre si elle doit la remplacer."
        )


# -- who may edit --------------------------------------------------------------------------------------------------
def dossier_can_be_edited_by(dossier: Dossier, user: User) -> bool:
    """An applicant member of the carrying organisation or an invited co-editor, while the dossier is a draft or
    reopened for complements."""
    return can_edit(user, dossier)


# -- creation ------------------------------------------------------------------------------------------------------
def organisation_create(
    *, name: str, siret: str, kind: str, address: str, departement: Departement | None, by: User
) -> Organisation:
    """A new carrying organisation, with ``by`` as its managing member."""
    with transaction.atomic():
        organisation = Organisation(name=name, siret=siret, kind=kind, address=address, departement=departement)
        organisation.full_clean()
        organisation.save()
        Membership.objects.create(organisation=organisation, user=by, is_admin=True)
    return organisation


def dossier_create(*, call: Call, organisation: Organisation, title: str, by: User) -> Dossier:
    """A new draft numbered by ``numbering`` in the series of the organisation's département (« 00 » without one);
    the perimeter (step 2) sets its instructing département, until then the organisation's, else the first one."""
    if not by.email_is_confirmed:
        raise EditRefused(
            "Confirmez d'abord votre adresse électronique (lien reçu par courriel) : aucun dossier ne peut être créé "
            "avant."
        )
    if not call.rules.is_filing_open(timezone.now()):
        raise EditRefused("Le dépôt de cet appel n'est pas ouvert : un nouveau dossier ne peut pas y être créé.")
    if not Membership.objects.filter(organisation=organisation, user=by).exists():
        raise EditRefused("Vous n'êtes pas membre de cette organisation.")
    departement = organisation.departement or Departement.objects.order_by("code").first()
    if departement is None:
        raise EditRefused("Aucun département n'est chargé : les territoires de référence manquent.")
    dossier = Dossier(call=call, organisation=organisation, title=title, departement=departement, created_by=by)
    try:
        dossier = dossier_insert_numbered(
            dossier=dossier, departement_code=organisation.departement.code if organisation.departement else ""
        )
    except ReferenceUnavailable as exc:
        raise EditRefused(str(exc)) from exc
    dossier_search_refresh(dossier)
    return dossier


# -- saving a step -------------------------------------------------------------------------------------------------
# Resource lines of a budget, in the order of the CERFA: the State grant, the partners' financial contributions
# (written from step 6), the other cofinancing lines, the applicant's own funds.
POSITION_STATE_GRANT = 0
POSITION_PARTNERS = 100
POSITION_OTHER_COFINANCING = 200
POSITION_OWN_FUNDS = 300


class ForgedReference(Exception):
    """The form names a row that belongs to another dossier: the request was forged, nothing is written."""


class SaveRefused(Exception):
    """The step cannot be saved as typed (a French reason for the person); nothing was written."""


@dataclass(frozen=True)
class StepSaved:
    dossier: Dossier
    version: int  # the new version of the step, for the page's next save


def step_key(step: str, data: Mapping[str, Any]) -> str:
    """The unit of concurrency: a step of the editor, or one action of the plan (two actions edit apart)."""
    if step in ("action", "action_delete"):
        return f"action-{data['id']}"
    return step


# Read by every page of the editor: compiled once per process (pactes.core.prepared, ADR 0056).
_STEP_VERSION = PreparedQuery(
    lambda dossier_id, key: (
        DossierStepVersion.objects.filter(dossier_id=dossier_id, step=key).only("version").order_by("pk")
    ),
    kinds=(int, str),
)


def step_version(dossier: Dossier, key: str) -> int:
    """The stored version of a step (0 before its first save)."""
    row = _STEP_VERSION.first(dossier.pk, key)
    return row.version if row is not None else 0


@transaction.atomic
def dossier_save_step(
    *, dossier: Dossier, step: str, data: Mapping[str, Any], expected_version: int, by: User
) -> StepSaved:
    """Writes one step on the locked dossier when nobody saved *this step* since ``expected_version``; all or
    nothing. Rows of the step's lists carry their ``id``: a row with an id is updated, a row without one is created
    and its new id written back into ``data`` (for the page's next save), and only the ids listed as deleted are
    removed — a row the form does not mention is never dropped."""
    writer = _WRITERS.get(step)
    if writer is None:
        raise ValueError(f"Étape inconnue : {step}")
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if not dossier_can_be_edited_by(locked, by):
        raise EditRefused("Ce dossier n'est pas modifiable : il a été déposé ou vous n'en êtes pas porteur.")
    creating_action = step == "action" and not data.get("id")  # a new action conflicts with nobody
    if not creating_action:
        current, _ = DossierStepVersion.objects.select_for_update().get_or_create(
            dossier=locked, step=step_key(step, data)
        )
        if current.version != expected_version:
            name = str(current.saved_by) if current.saved_by is not None else "une autre personne"
            raise StaleEdit(by_name=name, current_version=current.version)
    writer(locked, data)
    if creating_action:
        current, _ = DossierStepVersion.objects.get_or_create(dossier=locked, step=step_key(step, data))
    now = timezone.now()
    current.version += 1
    current.saved_by, current.saved_at = by, now
    current.save(update_fields=["version", "saved_by", "saved_at"])
    Dossier.objects.filter(pk=locked.pk).update(lock_version=F("lock_version") + 1, updated_at=now, updated_by=by)
    locked.refresh_from_db()
    dossier_search_refresh(locked)
    dossier.lock_version = locked.lock_version
    return StepSaved(dossier=locked, version=current.version)


def _write_lines(
    existing: QuerySet[Any],
    rows: Sequence[dict[str, Any]],
    deleted: Iterable[int],
    *,
    make: Callable[[], Any],
    fill: Callable[[Any, int, Mapping[str, Any]], None],
) -> None:
    """Upserts ``rows`` among ``existing`` (the rows of this dossier the list may touch) by their ``id``; writes each
    new id back into its row; deletes only the ``deleted`` ids. An id outside ``existing`` that exists elsewhere is a
    forged request; an id that no longer exists (removed by a co-editor meanwhile) is created again."""
    own = {obj.pk: obj for obj in existing}
    model = existing.model

    def check(pk: int) -> None:
        if pk not in own and model.objects.filter(pk=pk).exists():
            raise ForgedReference(f"{model._meta.verbose_name} {pk}")

    kept: set[int] = set()
    for position, row in enumerate(rows):
        pk = row.get("id")
        if pk:
            check(pk)
        obj = own.get(pk) if pk else None
        if obj is None:
            obj = make()
        fill(obj, position, row)
        obj.save()
        row["id"] = obj.pk
        kept.add(obj.pk)
    gone = set()
    for pk in deleted:
        check(pk)
        if pk in own and pk not in kept:
            gone.add(pk)
    if gone:
        existing.filter(pk__in=gone).delete()


def _setter(*names: str) -> Callable[[Any, int, Mapping[str, Any]], None]:
    def fill(obj: Any, position: int, row: Mapping[str, Any]) -> None:
        obj.position = position
        for name in names:
            setattr(obj, name, row[name])

    return fill


def _save_applicant(dossier: Dossier, data: Mapping[str, Any]) -> None:
    organisation = dossier.organisation
    for name, value in data["organisation"].items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    dossier.title = data["title"]
    dossier.applicant_legal_representative = data["legal_representative"]
    dossier.applicant_contact = data["contact"]
    dossier.save(update_fields=["title", "applicant_legal_representative", "applicant_contact"])
    _write_lines(
        dossier.consortium_members.all(),
        data["consortium"],
        data.get("consortium_deleted", ()),
        make=lambda: ConsortiumMember(dossier=dossier),
        fill=_setter("name", "siret", "role"),
    )


def instructing_departement(epcis: Sequence[Any], communes: Sequence[Any]) -> Departement | None:
    """The DDETS-PP that instructs: main département of the first EPCI of the perimeter, else of the first commune."""
    if epcis:
        return Departement.objects.filter(code=epcis[0].main_departement_code).first()
    if communes:
        return communes[0].departement
    return None


def _save_perimeter(dossier: Dossier, data: Mapping[str, Any]) -> None:
    epcis, communes = list(data["epcis"]), list(data["communes"])
    dossier.epcis.set(epcis)
    dossier.communes.set(communes)
    departement = instructing_departement(epcis, communes)
    if departement is not None and departement.pk != dossier.departement_id:
        dossier.departement = departement
        dossier.save(update_fields=["departement"])


def _text_saver(*names: str) -> Callable[[Dossier, Mapping[str, Any]], None]:
    def save(dossier: Dossier, data: Mapping[str, Any]) -> None:
        for name in names:
            setattr(dossier, name, data[name])
        dossier.save(update_fields=list(names))

    return save


def _save_priorities(dossier: Dossier, data: Mapping[str, Any]) -> None:
    deleted = [pk for pk in data.get("priorities_deleted", ()) if pk]
    carrying = set(dossier.actions.filter(priority_id__in=deleted).values_list("priority__title", flat=True))
    if carrying:
        # Read under the lock: an action may have been attached since the page was loaded.
        raise SaveRefused(
            f"La priorité « {sorted(carrying)[0]} » porte des actions : supprimez ou rattachez-les d'abord à une "
            "autre priorité. Rien n'a été enregistré."
        )

    def fill(priority: Priority, position: int, row: Mapping[str, Any]) -> None:
        _setter("title", "local_justification", "other_public_justification")(priority, position, row)
        priority.publics = list(row["publics"])

    rows = data["priorities"]
    _write_lines(dossier.priorities.all(), rows, deleted, make=lambda: Priority(dossier=dossier), fill=fill)
    for row in rows:
        Priority.objects.get(pk=row["id"]).measures.set(row["measures"])


def _save_action(dossier: Dossier, data: Mapping[str, Any]) -> None:
    action = dossier.actions.filter(pk=data["id"]).first() if data.get("id") else None
    if data.get("id") and action is None:
        if Action.objects.filter(pk=data["id"]).exists():
            raise ForgedReference(f"action {data['id']}")
        raise SaveRefused("Cette action a été supprimée entre-temps par un co-éditeur : rien n'a été enregistré.")
    if action is None:
        action = Action(dossier=dossier, position=dossier.actions.count())
    if data["priority"].dossier_id != dossier.pk:
        raise ForgedReference(f"priorité {data['priority'].pk}")
    if not dossier.priorities.filter(pk=data["priority"].pk).exists():
        raise SaveRefused("La priorité choisie a été supprimée entre-temps : choisissez-en une autre.")
    for name in (
        "priority",
        "title",
        "description",
        "territorial_level",
        "publics",
        "partners",
        "start",
        "end",
        "overlaps_departmental_contract",
        "articulation",
    ):
        setattr(action, name, data[name])
    action.save()
    data["id"] = action.pk  # type: ignore[index]  # the caller's dict: the new action's id, for its version
    _write_lines(
        action.impact_measures.all(),
        data["impact_measures"],
        data.get("impact_measures_deleted", ()),
        make=lambda: ImpactMeasure(action=action),
        fill=_setter("indicator", "unit", "baseline", "target", "method", "frequency"),
    )


def _delete_action(dossier: Dossier, data: Mapping[str, Any]) -> None:
    dossier.actions.filter(pk=data["id"]).delete()


def _save_partners(dossier: Dossier, data: Mapping[str, Any]) -> None:
    _write_lines(
        dossier.partners.all(),
        data["partners"],
        data.get("partners_deleted", ()),
        make=lambda: Partner(dossier=dossier),
        fill=_setter(
            "name",
            "siret",
            "contribution",
            "amount",
            "quantity",
            "unit",
            "unit_value",
            "basis",
            "funder_kind",
            "funding_status",
        ),
    )
    contributions_project(dossier=dossier)


def contributions_project(*, dossier: Dossier) -> None:
    """Writes each partner's contribution where the budget reads it: a financial one as a cofinancing line, an
    in-kind or staff one as a valuation line. The partner (step 6) is the only place they are typed."""
    for partner in dossier.partners.all():
        financial = partner.contribution == ContributionNature.FINANCIAL and partner.amount is not None
        valued = partner.contribution != ContributionNature.FINANCIAL and partner.amount is not None
        if financial:
            ResourceLine.objects.update_or_create(
                contributor=partner,
                defaults={
                    "dossier": dossier,
                    "position": POSITION_PARTNERS + partner.position,
                    "kind": partner.funder_kind,
                    "funder": partner.name,
                    "amount": partner.amount,
                    "status": partner.funding_status,
                },
            )
        else:
            ResourceLine.objects.filter(contributor=partner).delete()
        if valued:
            InKindLine.objects.update_or_create(
                contributor=partner,
                defaults={
                    "dossier": dossier,
                    "position": partner.position,
                    "partner": partner.name,
                    "label": partner.basis or ContributionNature(partner.contribution).label,
                    "amount": partner.amount,
                },
            )
        else:
            InKindLine.objects.filter(contributor=partner).delete()


def _typed_resources(dossier: Dossier, *kinds: str) -> QuerySet[ResourceLine]:
    """The resource lines of these kinds typed at the budget step (not a partner's contribution), named by their ids:
    on SQLite, ``contributor IS NULL`` walks that column's unique index, over most of the table."""
    rows = dossier.resources.filter(kind__in=kinds).values_list("pk", "contributor_id")
    return dossier.resources.filter(pk__in=[pk for pk, contributor in rows if contributor is None])


def _save_single_resource(dossier: Dossier, kind: str, amount: Decimal | None, **fields: Any) -> None:
    existing = _typed_resources(dossier, kind)
    if amount is None:
        existing.delete()
        return
    line = existing.first() or ResourceLine(dossier=dossier, kind=kind)
    for name, value in {"amount": amount, **fields}.items():
        setattr(line, name, value)
    line.save()
    existing.exclude(pk=line.pk).delete()


def _save_budget(dossier: Dossier, data: Mapping[str, Any]) -> None:
    _write_lines(
        dossier.expenses.all(),
        data["expenses"],
        data.get("expenses_deleted", ()),
        make=lambda: ExpenseLine(dossier=dossier),
        fill=_setter("action", "category", "label", "amount"),
    )
    _save_single_resource(
        dossier,
        ResourceKind.STATE_PTS,
        data["state_grant"],
        funder=data.get("state_grant_funder") or STATE_GRANT_FUNDER,
        status=ResourceStatus.REQUESTED,
        position=POSITION_STATE_GRANT,
    )

    def fill(line: ResourceLine, position: int, row: Mapping[str, Any]) -> None:
        _setter("kind", "funder", "amount", "status")(line, position, row)
        line.position = POSITION_OTHER_COFINANCING + position

    _write_lines(
        _typed_resources(dossier, ResourceKind.PUBLIC, ResourceKind.PRIVATE),
        data["resources"],
        data.get("resources_deleted", ()),
        make=lambda: ResourceLine(dossier=dossier),
        fill=fill,
    )
    _save_single_resource(
        dossier,
        ResourceKind.OWN_FUNDS,
        data["own_funds"],
        funder=dossier.organisation.name,
        status=ResourceStatus.ACQUIRED,
        position=POSITION_OWN_FUNDS,
    )


_WRITERS: dict[str, Callable[[Dossier, Mapping[str, Any]], None]] = {
    "porteur": _save_applicant,
    "perimetre": _save_perimeter,
    "diagnostic": _text_saver("diagnostic", "complementarity"),
    "priorites": _save_priorities,
    "action": _save_action,
    "action_delete": _delete_action,
    "partenaires": _save_partners,
    "budget": _save_budget,
    "impact": _text_saver("expected_impact", "impact_measurement"),
}


def valuation(quantity: Decimal | None, unit_value: Decimal | None) -> Decimal | None:
    """Quantity × unit value, to the cent; None when one is missing."""
    if quantity is None or unit_value is None:
        return None
    return (quantity * unit_value).quantize(Decimal("0.01"))
