"""Demonstration accounts, created idempotently: what is absent is created, nothing is ever reset.

Words: a *demo account* is one of the seven accounts listed on the demo page, all with the password ``pactes-demo``;
its *scope* says in French what it may see. Every staff account of the demo (instructor, DREETS, jury, administrator)
has a confirmed authenticator with a fixed, public *TOTP secret* (base32, below and in the README), printed by
``setup_demo`` on its line so that anyone trying the demo can add it to an authenticator app (the browser journeys
compute their codes from it). These secrets are public: they protect nothing but fictional demo data. A *stage
account* is one more actor of the stages after filing (a third instructor, jury members, the other carriers). A demo
user may change its password, its authenticator or its data: running the demo setup again keeps those changes
(create if absent, never update).
"""

from dataclasses import dataclass

from django.db import transaction

from pactes.accounts.models import Role, User
from pactes.accounts.two_factor import totp_device_with_secret
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
    totp_secret: str = ""  # staff only: the documented secret of the demo authenticator (base32)


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
    DemoAccount(
        "instructeur.09@demo.test",
        "Sophie",
        "Fabre",
        Role.INSTRUCTOR,
        departement_code="09",
        totp_secret="2KCT4RY5WW23AJGFGJRATHHJ2I7KEBDW",
    ),
    DemoAccount(
        "instructeur.11@demo.test",
        "Karim",
        "Benali",
        Role.INSTRUCTOR,
        departement_code="11",
        totp_secret="5MKDJOZWU3QRQIO4MHMFEL4Y4EMPX3S4",
    ),
    DemoAccount("dreets@demo.test", "Hélène", "Garcia", Role.DREETS, totp_secret="4BMOSWYU3C27C3YGKPWEPPSD3NITDKCS"),
    DemoAccount("jury@demo.test", "Marc", "Delpech", Role.JURY, totp_secret="CQOYVU3Z4UAZLGJACP5VXMEXKQQGDYRD"),
    DemoAccount(
        "admin@demo.test",
        "Nadia",
        "Vidal",
        Role.ADMIN,
        is_staff=True,
        is_superuser=True,
        totp_secret="FLWT5XCJXZMNZSLFIJ7LQLRQRWM5YODZ",
    ),
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


@dataclass(frozen=True)
class AccountLine:
    """One line of the table ``setup_demo`` prints: e-mail, role, scope and, for staff, the TOTP secret."""

    email: str
    role: str
    scope: str
    totp_secret: str = ""


def _ensure_authenticator(email: str, secret: str) -> None:
    # Created with the account's first run only: a demo user who re-enrolled keeps their own app.
    if secret:
        user = User.objects.get(email__iexact=email)
        totp_device_with_secret(user=user, secret=secret)


@transaction.atomic
def ensure_demo_accounts() -> list[AccountLine]:
    """Creates the demo accounts that are absent (with their organisation and, for staff, their authenticator);
    returns the printed line of each."""
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
            _ensure_authenticator(account.email, account.totp_secret)
        rows.append(AccountLine(account.email, account.role.label, _scope(account), account.totp_secret))
    return rows


@dataclass(frozen=True)
class StageAccount:
    email: str
    first_name: str
    last_name: str
    role: Role
    departement_code: str = ""
    must_log_in: bool = False  # printed by setup_demo
    totp_secret: str = ""


STAGE_ACCOUNTS: tuple[StageAccount, ...] = (
    StageAccount(
        "instructeur.66@demo.test",
        "Laure",
        "Puig",
        Role.INSTRUCTOR,
        "66",
        must_log_in=True,
        totp_secret="U7WOHR4XYGQIGBFTAQACAZO7UGVC5OBA",
    ),
    StageAccount("jury.2@demo.test", "Anne", "Cazals", Role.JURY, totp_secret="CZJ5I2IQ2PDBPM6RUPNVGS2WCGM77DMQ"),
    StageAccount("jury.3@demo.test", "Bernard", "Estève", Role.JURY, totp_secret="E7LX6ILTRL3MFMHOWER42DLP2DQGF54A"),
    StageAccount("porteur.ccas-lavelanet@demo.test", "Isabelle", "Rouzaud", Role.APPLICANT),
    StageAccount("porteur.arize-leze@demo.test", "Thomas", "Carrère", Role.APPLICANT),
    StageAccount("porteur.haute-vallee@demo.test", "Claire", "Sabatier", Role.APPLICANT),
    StageAccount("porteur.panier-limouxin@demo.test", "Mehdi", "Ouali", Role.APPLICANT),
    StageAccount("porteur.vallespir@demo.test", "Jordi", "Vilaró", Role.APPLICANT),
    StageAccount("porteur.fenouilledes@demo.test", "Émilie", "Sire", Role.APPLICANT),
    StageAccount("porteur.segala@demo.test", "Pierre", "Bousquet", Role.APPLICANT),
)


def ensure_stage_accounts() -> list[AccountLine]:
    """Creates the accounts the stages need that are absent; returns the printed lines of those to log in with."""
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
            _ensure_authenticator(account.email, account.totp_secret)
        if account.must_log_in:
            scope = f"Dossiers déposés du département {departement_by_code(account.departement_code)}"
            rows.append(AccountLine(account.email, account.role.label, scope, account.totp_secret))
    return rows
