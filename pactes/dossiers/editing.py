"""Writes of the applicant's editor: creating a draft, saving one step of it, inviting co-editors.

Words: a *step* is one page of the multi-step dossier (``STEPS``: porteur, périmètre, diagnostic…); its *data* is what
the web form cleaned (plain values, model instances for chosen rows). Every save runs on the locked row and compares
the *lock version* the form was loaded with to the stored one: a difference means someone saved in between, and the
save is refused with ``StaleEdit`` rather than silently overwriting their work.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from pactes.accounts.models import User
from pactes.calls.models import Call
from pactes.dossiers.models import (
    Action,
    ConsortiumMember,
    Dossier,
    ExpenseLine,
    ImpactMeasure,
    InKindLine,
    Invitation,
    Partner,
    Priority,
    ResourceKind,
    ResourceLine,
)
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
INVITATION_VALIDITY = dt.timedelta(days=30)
STATE_GRANT_FUNDER = "État — pacte des solidarités"


class EditRefused(Exception):
    """The person may not change this dossier (not one of its applicants, or the dossier is filed)."""


class StaleEdit(Exception):
    """The dossier was saved by someone else since the form was loaded; nothing was written."""

    def __init__(self, *, by_name: str, current_version: int) -> None:
        self.by_name = by_name
        self.current_version = current_version
        super().__init__(
            f"Ce dossier a été modifié par {by_name} entre-temps : vos saisies ci-dessous n'ont pas été enregistrées ; "
            "rechargez la page pour voir la dernière version."
        )


class InvitationInvalid(Exception):
    """The invitation link cannot be used (unknown, already used, expired, or the person cannot edit)."""


# -- who may edit --------------------------------------------------------------------------------------------------
def dossier_can_be_edited_by(dossier: Dossier, user: User) -> bool:
    """An applicant member of the carrying organisation or an invited co-editor, while the dossier is a draft or
    reopened for complements."""
    if not dossier.is_editable or not user.is_active or not user.is_applicant:
        return False
    return (
        Membership.objects.filter(organisation_id=dossier.organisation_id, user=user).exists()
        or dossier.editors.filter(pk=user.pk).exists()
    )


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


def _reference_prefix(call: Call, code: str) -> str:
    return f"PTS-{timezone.localtime(call.rules.filing_opens_at).year}-{code}-"


def _next_reference(prefix: str) -> str:
    numbers = [
        int(rest)
        for ref in Dossier.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)
        if (rest := ref.removeprefix(prefix)).isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def dossier_create(*, call: Call, organisation: Organisation, title: str, by: User) -> Dossier:
    """A new draft numbered « PTS-<year>-<département or 00>-<NNNN> »; the perimeter (step 2) sets its instructing
    département, until then the organisation's, else the first one."""
    if not call.rules.is_filing_open(timezone.now()):
        raise EditRefused("Le dépôt de cet appel n'est pas ouvert : un nouveau dossier ne peut pas y être créé.")
    if not Membership.objects.filter(organisation=organisation, user=by).exists():
        raise EditRefused("Vous n'êtes pas membre de cette organisation.")
    departement = organisation.departement or Departement.objects.order_by("code").first()
    if departement is None:
        raise EditRefused("Aucun département n'est chargé : les territoires de référence manquent.")
    prefix = _reference_prefix(call, organisation.departement.code if organisation.departement else "00")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Dossier.objects.create(
                    call=call,
                    organisation=organisation,
                    reference=_next_reference(prefix),
                    title=title,
                    departement=departement,
                    created_by=by,
                )
        except IntegrityError:
            continue
    raise EditRefused("Impossible d'attribuer un numéro de dossier : réessayez.")


# -- saving a step -------------------------------------------------------------------------------------------------
def _editor_name(dossier: Dossier) -> str:
    return str(dossier.updated_by) if dossier.updated_by is not None else "une autre personne"


@transaction.atomic
def dossier_save_step(
    *, dossier: Dossier, step: str, data: Mapping[str, Any], expected_lock_version: int, by: User
) -> Dossier:
    """Writes one step on the locked row when nobody saved since ``expected_lock_version``; all or nothing."""
    writer = _WRITERS.get(step)
    if writer is None:
        raise ValueError(f"Étape inconnue : {step}")
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if not dossier_can_be_edited_by(locked, by):
        raise EditRefused("Ce dossier n'est pas modifiable : il a été déposé ou vous n'en êtes pas porteur.")
    if locked.lock_version != expected_lock_version:
        raise StaleEdit(by_name=_editor_name(locked), current_version=locked.lock_version)
    writer(locked, data)
    Dossier.objects.filter(pk=locked.pk).update(
        lock_version=F("lock_version") + 1, updated_at=timezone.now(), updated_by=by
    )
    locked.refresh_from_db()
    dossier.lock_version = locked.lock_version
    return locked


def _replace_lines(rows: Sequence[Mapping[str, Any]], existing: Any, create: Callable[[int, Mapping], Any]) -> None:
    existing.all().delete()
    for position, row in enumerate(rows):
        create(position, row)


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
    _replace_lines(
        data["consortium"],
        dossier.consortium_members,
        lambda i, m: ConsortiumMember.objects.create(
            dossier=dossier, position=i, name=m["name"], siret=m["siret"], role=m["role"]
        ),
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
    kept: list[int] = []
    for position, row in enumerate(data["priorities"]):
        priority = dossier.priorities.filter(pk=row.get("id")).first() if row.get("id") else None
        if priority is None:
            priority = Priority(dossier=dossier)
        priority.position = position
        priority.title = row["title"]
        priority.local_justification = row["local_justification"]
        priority.publics = list(row["publics"])
        priority.other_public_justification = row["other_public_justification"]
        priority.save()
        priority.measures.set(row["measures"])
        kept.append(priority.pk)
    # A priority that still carries actions is protected: the form refuses to drop it before this point.
    dossier.priorities.exclude(pk__in=kept).delete()


def _save_action(dossier: Dossier, data: Mapping[str, Any]) -> None:
    action = dossier.actions.filter(pk=data["id"]).first() if data.get("id") else None
    if action is None:
        action = Action(dossier=dossier, position=dossier.actions.count())
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
    if action.priority.dossier_id != dossier.pk:
        raise EditRefused("Cette priorité n'appartient pas au dossier.")
    action.save()
    _replace_lines(
        data["impact_measures"],
        action.impact_measures,
        lambda i, m: ImpactMeasure.objects.create(action=action, position=i, **m),
    )


def _delete_action(dossier: Dossier, data: Mapping[str, Any]) -> None:
    dossier.actions.filter(pk=data["id"]).delete()


def _save_partners(dossier: Dossier, data: Mapping[str, Any]) -> None:
    _replace_lines(
        data["partners"], dossier.partners, lambda i, p: Partner.objects.create(dossier=dossier, position=i, **p)
    )


def _save_budget(dossier: Dossier, data: Mapping[str, Any]) -> None:
    _replace_lines(
        data["expenses"], dossier.expenses, lambda i, e: ExpenseLine.objects.create(dossier=dossier, position=i, **e)
    )
    resources: list[dict[str, Any]] = []
    if data["state_grant"] is not None:
        resources.append(
            {
                "kind": ResourceKind.STATE_PTS,
                "funder": data.get("state_grant_funder") or STATE_GRANT_FUNDER,
                "amount": data["state_grant"],
                "status": "requested",
            }
        )
    resources += [dict(r) for r in data["resources"]]
    if data["own_funds"] is not None:
        resources.append(
            {
                "kind": ResourceKind.OWN_FUNDS,
                "funder": dossier.organisation.name,
                "amount": data["own_funds"],
                "status": "acquired",
            }
        )
    _replace_lines(
        resources, dossier.resources, lambda i, r: ResourceLine.objects.create(dossier=dossier, position=i, **r)
    )
    _replace_lines(
        data["in_kind"], dossier.in_kind_lines, lambda i, k: InKindLine.objects.create(dossier=dossier, position=i, **k)
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


# -- co-editors ----------------------------------------------------------------------------------------------------
def invitation_create(*, dossier: Dossier, email: str, by: User, accept_url: Callable[[str], str]) -> Invitation:
    """Invites ``email`` to co-edit; the e-mail (link built by ``accept_url(token)``) leaves once the row is saved."""
    if not dossier_can_be_edited_by(dossier, by):
        raise EditRefused("Seuls les porteurs d'un dossier en brouillon peuvent inviter des co-éditeurs.")
    invitation = Invitation.objects.create(
        dossier=dossier, email=email.strip().lower(), token=secrets.token_urlsafe(32), invited_by=by
    )
    prefix = dossier.call.rules.subject_prefix
    link = accept_url(invitation.token)
    subject = f"{prefix} : invitation à co-éditer le dossier {dossier.reference}"
    body = (
        f"Bonjour,\n\n{by} vous invite à préparer avec lui le dossier {dossier.reference} « {dossier.title} » "
        f"({dossier.organisation.name}) de l'appel « {dossier.call.short_title} ».\n\n"
        f"Pour accepter, connectez-vous à Pactes puis ouvrez ce lien (valable "
        f"{INVITATION_VALIDITY.days} jours, une seule fois) :\n{link}\n\n"
        "Si vous ne vous attendiez pas à cette invitation, ignorez ce message.\n"
    )
    transaction.on_commit(lambda: send_mail(subject, body, None, [invitation.email]))
    return invitation


def invitation_usable(invitation: Invitation, *, now: dt.datetime | None = None) -> str:
    """Why the invitation cannot be accepted, in French (empty when it can)."""
    now = now or timezone.now()
    if invitation.accepted_at is not None:
        return "Cette invitation a déjà été utilisée."
    if invitation.invited_at + INVITATION_VALIDITY < now:
        return "Cette invitation a expiré : demandez au porteur de vous inviter à nouveau."
    if not invitation.dossier.is_draft:
        return "Ce dossier a été déposé : il n'est plus modifiable."
    return ""


@transaction.atomic
def invitation_accept(*, token: str, by: User) -> Dossier:
    """Adds ``by`` to the dossier's editors; the link works once."""
    invitation = Invitation.objects.select_for_update().select_related("dossier").filter(token=token).first()
    if invitation is None:
        raise InvitationInvalid("Ce lien d'invitation n'est pas valide.")
    if problem := invitation_usable(invitation):
        raise InvitationInvalid(problem)
    if not by.is_applicant:
        raise InvitationInvalid("Seul un compte de porteur de projet peut co-éditer un dossier.")
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    invitation.dossier.editors.add(by)
    return invitation.dossier
