"""Starting a dossier: the carrying organisation (an existing one of the applicant, or a new one) and the draft, in one
transaction — a dossier refused by the call's rules leaves no organisation behind.

Words: a *new organisation* is what the applicant typed for an organisation not yet on Pactes (``NewOrganisation``);
its SIRET must be unknown to the platform (its members invite co-editors instead) and its *carrier kind* one the call
allows (§1.3.4). It is registered like any organisation (``organisation_register``): looked up in SIRENE first, refused
when SIRENE does not know the SIRET or the establishment is closed, « non vérifiée » when SIRENE cannot be reached.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from pactes.accounts.models import User
from pactes.calls.models import Call
from pactes.dossiers.editing import EditRefused, dossier_create
from pactes.dossiers.models import Dossier
from pactes.organisations.models import Organisation
from pactes.organisations.services import MembershipRefused, OrganisationData, organisation_register
from pactes.organisations.sirene import establishment_lookup
from pactes.rules.siret import normalize_siret
from pactes.rules.verdict import Reason
from pactes.territories.models import Departement

SIRET_TAKEN = "SIRET_TAKEN"
CARRIER_KIND_NOT_ALLOWED = "CARRIER_KIND_NOT_ALLOWED"
ORGANISATION_REFUSED = "ORGANISATION_REFUSED"


@dataclass(frozen=True)
class NewOrganisation:
    name: str
    siret: str
    kind: str
    address: str
    departement: Departement | None


class StartRefused(EditRefused):
    """The dossier may not be started; ``reason`` says why in French, with a stable code."""

    def __init__(self, reason: Reason) -> None:
        self.reason = reason
        super().__init__(reason.message)


def new_organisation_problems(*, call: Call, new: NewOrganisation) -> list[Reason]:
    """Why the organisation typed cannot carry a dossier of ``call`` (empty when it can)."""
    problems = []
    if new.siret and Organisation.objects.filter(siret=new.siret).exists():
        problems.append(
            Reason(
                SIRET_TAKEN,
                "Une organisation de ce SIRET existe déjà sur Pactes : demandez à l'un de ses membres de vous "
                "inviter comme co-éditeur d'un dossier.",
            )
        )
    if call.rules.carrier_kind(new.kind) is None:
        problems.append(
            Reason(CARRIER_KIND_NOT_ALLOWED, "Cette nature de porteur n'est pas prévue par l'appel choisi.")
        )
    return problems


def dossier_start(
    *,
    call: Call,
    by: User,
    title: str,
    organisation: Organisation | None = None,
    new_organisation: NewOrganisation | None = None,
) -> Dossier:
    """A new draft of ``call`` carried by ``organisation`` (one of ``by``'s) or by ``new_organisation``, created
    with ``by`` as its managing member; all or nothing. Raises ``StartRefused`` (the organisation typed) or
    ``EditRefused`` (the call is closed, ``by`` is not a member)."""
    if (organisation is None) == (new_organisation is None):
        raise ValueError("Un dossier a une organisation porteuse : existante ou nouvelle, une seule.")
    lookup = None
    if new_organisation is not None:
        problems = new_organisation_problems(call=call, new=new_organisation)
        if problems:
            raise StartRefused(problems[0])
        lookup = establishment_lookup(normalize_siret(new_organisation.siret))  # outside the transaction: the network
    with transaction.atomic():
        if new_organisation is not None and lookup is not None:
            found = lookup.establishment
            data = OrganisationData(
                siret=new_organisation.siret,
                name=new_organisation.name,
                kind=new_organisation.kind,
                legal_category=found.legal_category if found is not None else "",
                address=new_organisation.address,
                departement=new_organisation.departement,
            )
            try:
                organisation = organisation_register(data=data, lookup=lookup, by=by)
            except MembershipRefused as exc:
                raise StartRefused(Reason(ORGANISATION_REFUSED, str(exc))) from exc
        assert organisation is not None
        return dossier_create(call=call, organisation=organisation, title=title, by=by)
