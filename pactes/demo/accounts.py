"""Demonstration accounts, created idempotently: what is absent is created, nothing is ever reset.

Words: a *demo account* is one of the seven accounts listed on the demo page, all with the password ``pactes-demo``;
its *scope* says in French what it may see. A *stage account* is one more actor of the stages after filing (a third
instructor, jury members, the other carriers). A demo user may change its password or its data: running the demo
setup again keeps those changes (create if absent, never update).
"""

from dataclasses import dataclass

from django.db import transaction

from pactes.accounts.models import Role, User
from pactes.organisations.models import Membership, Organisation
from pactes.territories.models import Departement

DEMO_PASSWORD = "pactes-demo"


class DemoDataMissing(RuntimeError):
    """Reference data the demo needs is absent (message in French)."""


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    siret: str
    kind: str
    address: str
    departement_code: str
    project_title: str


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: Role
    departement_code: str = ""
    organisation: DemoOrganisation | None = None
    is_staff: bool = False
    is_superuser: bool = False


# SIRET of fiction: 14 digits with valid Luhn keys (SIREN and SIRET), assigned to no known establishment.
COUSERANS = DemoOrganisation(
    name="Association Solidarités Couserans",
    siret="83914701400014",
    kind="association",
    address="12 rue de la République\n09200 Saint-Girons",
    departement_code="09",
    project_title="Épicerie solidaire itinérante du Couserans",
)
CORBIERES = DemoOrganisation(
    name="Association Entraide Corbières-Minervois",
    siret="88253614700011",
    kind="association",
    address="4 avenue des Corbières\n11200 Lézignan-Corbières",
    departement_code="11",
    project_title="Accompagnement vers l'emploi des familles monoparentales du Lézignanais",
)

DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("porteur.ariege@demo.test", "Camille", "Roux", Role.APPLICANT, organisation=COUSERANS),
    DemoAccount("porteur.aude@demo.test", "Julien", "Marty", Role.APPLICANT, organisation=CORBIERES),
    DemoAccount("instructeur.09@demo.test", "Sophie", "Fabre", Role.INSTRUCTOR, departement_code="09"),
    DemoAccount("instructeur.11@demo.test", "Karim", "Benali", Role.INSTRUCTOR, departement_code="11"),
    DemoAccount("dreets@demo.test", "Hélène", "Garcia", Role.DREETS),
    DemoAccount("jury@demo.test", "Marc", "Delpech", Role.JURY),
    DemoAccount("admin@demo.test", "Nadia", "Vidal", Role.ADMIN, is_staff=True, is_superuser=True),
)


def departement_by_code(code: str) -> Departement:
    try:
        return Departement.objects.get(code=code)
    except Departement.DoesNotExist as exc:
        raise DemoDataMissing(
            f"Le département {code} est absent : chargez d'abord les territoires de référence."
        ) from exc


def demo_user(email: str) -> User:
    return User.objects.get(email__iexact=email)


def _scope(account: DemoAccount) -> str:
    match account.role:
        case Role.APPLICANT:
            assert account.organisation is not None
            place = departement_by_code(account.organisation.departement_code)
            return f"Dossiers de « {account.organisation.name} » ({place})"
        case Role.INSTRUCTOR:
            return f"Dossiers déposés du département {departement_by_code(account.departement_code)}"
        case Role.DREETS:
            return "Tous les dossiers déposés de la région"
        case Role.JURY:
            return "Dossiers transmis au comité de validation"
        case _:
            return "Toute la plateforme (administration)"


def _ensure_organisation(demo: DemoOrganisation) -> Organisation:
    organisation = Organisation.objects.filter(siret=demo.siret).first()
    if organisation is None:
        organisation = Organisation(
            name=demo.name,
            siret=demo.siret,
            kind=demo.kind,
            address=demo.address,
            departement=departement_by_code(demo.departement_code),
        )
        organisation.full_clean()
        organisation.save()
    return organisation


@transaction.atomic
def ensure_demo_accounts() -> list[tuple[str, str, str]]:
    """Creates the demo accounts that are absent (with their organisation); returns (e-mail, role, scope) of each."""
    rows = []
    for account in DEMO_ACCOUNTS:
        if not User.objects.filter(email__iexact=account.email).exists():
            user = User.objects.create_user(
                account.email,
                DEMO_PASSWORD,
                first_name=account.first_name,
                last_name=account.last_name,
                role=account.role,
                departement=departement_by_code(account.departement_code) if account.departement_code else None,
                is_staff=account.is_staff,
                is_superuser=account.is_superuser,
            )
            if account.organisation is not None:
                organisation = _ensure_organisation(account.organisation)
                Membership.objects.get_or_create(organisation=organisation, user=user, defaults={"is_admin": True})
        rows.append((account.email, account.role.label, _scope(account)))
    return rows


@dataclass(frozen=True)
class StageAccount:
    email: str
    first_name: str
    last_name: str
    role: Role
    departement_code: str = ""
    must_log_in: bool = False  # printed by setup_demo


STAGE_ACCOUNTS: tuple[StageAccount, ...] = (
    StageAccount("instructeur.66@demo.test", "Laure", "Puig", Role.INSTRUCTOR, "66", must_log_in=True),
    StageAccount("jury.2@demo.test", "Anne", "Cazals", Role.JURY),
    StageAccount("jury.3@demo.test", "Bernard", "Estève", Role.JURY),
    StageAccount("porteur.ccas-lavelanet@demo.test", "Isabelle", "Rouzaud", Role.APPLICANT),
    StageAccount("porteur.arize-leze@demo.test", "Thomas", "Carrère", Role.APPLICANT),
    StageAccount("porteur.haute-vallee@demo.test", "Claire", "Sabatier", Role.APPLICANT),
    StageAccount("porteur.panier-limouxin@demo.test", "Mehdi", "Ouali", Role.APPLICANT),
    StageAccount("porteur.vallespir@demo.test", "Jordi", "Vilaró", Role.APPLICANT),
    StageAccount("porteur.fenouilledes@demo.test", "Émilie", "Sire", Role.APPLICANT),
    StageAccount("porteur.segala@demo.test", "Pierre", "Bousquet", Role.APPLICANT),
)


def ensure_stage_accounts() -> list[tuple[str, str, str]]:
    """Creates the accounts the stages need that are absent; returns (e-mail, role, scope) of those to log in with."""
    rows = []
    for account in STAGE_ACCOUNTS:
        if not User.objects.filter(email__iexact=account.email).exists():
            User.objects.create_user(
                account.email,
                DEMO_PASSWORD,
                first_name=account.first_name,
                last_name=account.last_name,
                role=account.role,
                departement=departement_by_code(account.departement_code) if account.departement_code else None,
            )
        if account.must_log_in:
            scope = f"Dossiers déposés du département {departement_by_code(account.departement_code)}"
            rows.append((account.email, account.role.label, scope))
    return rows
