"""factory_boy factories of the tests. A state is reached the way people reach it: every trait fires the transitions
through the service that owns them (``dossier_transition``), never by writing ``state``; so each move is checked by
the rules and leaves its log row.

    DossierFactory()                          # a draft of the 2024 call, in Ariège, by a new applicant
    DossierFactory(admissible=True)           # filed by its applicant, then « recevable » by an instructor of its
                                              # département
    UserFactory(instructor=True)              # users by role: applicant (default), instructor, dreets, jury, admin

They need the database (``db``) and the reference territories (loaded once per test database by tests/conftest.py).
"""

import factory
from django.conf import settings
from factory.django import DjangoModelFactory

from pactes.accounts.models import Role, User
from pactes.calls.models import Call
from pactes.calls.services import call_load
from pactes.dossiers.models import Dossier
from pactes.dossiers.services import dossier_transition
from pactes.organisations.models import Membership, Organisation
from pactes.rules.lifecycle import DossierState
from pactes.territories.models import Departement

PASSWORD = "motdepasse-solide-42"
CALL_2024 = "pts-occitanie-2024"

# The transitions that lead a draft to each state, fired in order (the lifecycle table of pactes/rules/lifecycle.py).
PATHS: dict[DossierState, tuple[str, ...]] = {
    DossierState.DRAFT: (),
    DossierState.SUBMITTED: ("submit",),
    DossierState.UNDER_REVIEW: ("submit", "start_review"),
    DossierState.ADMISSIBLE: ("submit", "start_review", "declare_admissible"),
    DossierState.EVALUATED: ("submit", "start_review", "declare_admissible", "complete_evaluation"),
    DossierState.TRANSMITTED: ("submit", "start_review", "declare_admissible", "complete_evaluation", "transmit"),
}


def departement(code: str = "09") -> Departement:
    return Departement.objects.get(code=code)


def call_2024() -> Call:
    """The shipped 2024 call, loaded through its service (once: later calls find it by slug)."""
    return Call.objects.filter(slug=CALL_2024).first() or call_load(
        path=settings.PACTES_CALLS_DIR / f"{CALL_2024}.yaml"
    )


class UserFactory(DjangoModelFactory):
    """A user by role, created by the manager (lower-case e-mail, password hashed, model checks run)."""

    class Meta:
        model = User

    class Params:
        instructor = factory.Trait(
            role=Role.INSTRUCTOR, departement=factory.LazyFunction(departement), email_prefix="instructeur"
        )
        dreets = factory.Trait(role=Role.DREETS, email_prefix="dreets")
        jury = factory.Trait(role=Role.JURY, email_prefix="jury")
        admin = factory.Trait(role=Role.ADMIN, email_prefix="admin")
        email_prefix = "porteur"

    role = Role.APPLICANT
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Essai {n}")

    @factory.lazy_attribute_sequence
    def email(self, n: int) -> str:
        return f"{self.email_prefix}.{n}@pactes.test"

    @classmethod
    def _create(cls, model_class: type[User], *args: object, **kwargs: object) -> User:
        email = str(kwargs.pop("email"))
        return model_class.objects.create_user(email, PASSWORD, **kwargs)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Association Essai {n}")
    kind = "association"
    departement = factory.LazyFunction(departement)


def instructor_of(code: str) -> User:
    """An instructor of the département, the one already there or a new one."""
    existing = User.objects.filter(role=Role.INSTRUCTOR, departement__code=code).order_by("pk").first()
    return existing or UserFactory(instructor=True, departement=departement(code))


def walk(dossier: Dossier, reach: DossierState) -> Dossier:
    """Fires the transitions from draft to ``reach`` through the service: the applicant files, an instructor of the
    dossier's département instructs."""
    for transition in PATHS[reach]:
        by = dossier.created_by if transition == "submit" else instructor_of(dossier.departement.code)
        dossier = dossier_transition(dossier=dossier, transition=transition, by=by)
    return dossier


class DossierFactory(DjangoModelFactory):
    """A dossier of the 2024 call whose applicant is a member of its organisation. Traits: ``filed``,
    ``under_review``, ``admissible``, ``evaluated``, ``transmitted``, each reached through ``dossier_transition``."""

    class Meta:
        model = Dossier

    class Params:
        filed = factory.Trait(reach=DossierState.SUBMITTED)
        under_review = factory.Trait(reach=DossierState.UNDER_REVIEW)
        admissible = factory.Trait(reach=DossierState.ADMISSIBLE)
        evaluated = factory.Trait(reach=DossierState.EVALUATED)
        transmitted = factory.Trait(reach=DossierState.TRANSMITTED)

    reach = DossierState.DRAFT  # not a field: the state the dossier is walked to once created
    call = factory.LazyFunction(call_2024)
    departement = factory.LazyFunction(departement)
    organisation = factory.SubFactory(OrganisationFactory, departement=factory.SelfAttribute("..departement"))
    created_by = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Projet d'essai {n}")

    @factory.lazy_attribute
    def reference(self) -> str:
        prefix = f"PTS-{self.call.rules.filing_opens_at.year}-{self.departement.code}-"
        return f"{prefix}{Dossier.objects.filter(reference__startswith=prefix).count() + 1:04d}"

    @classmethod
    def _build(cls, model_class: type[Dossier], *args: object, reach: DossierState = DossierState.DRAFT, **kwargs):
        if reach != DossierState.DRAFT:
            raise ValueError("Un dossier non enregistré reste un brouillon : utilisez create().")
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class: type[Dossier], *args: object, reach: DossierState = DossierState.DRAFT, **kwargs):
        dossier = super()._create(model_class, *args, **kwargs)
        Membership.objects.get_or_create(organisation=dossier.organisation, user=dossier.created_by)
        return walk(dossier, reach)
