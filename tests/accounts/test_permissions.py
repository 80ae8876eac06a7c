"""The permission predicates: instructors act in their département, the DREETS everywhere, porteurs on their own."""

import pytest
from django.contrib.auth.models import AnonymousUser

from pactes.accounts.models import Role, User
from pactes.accounts.permissions import (
    can_edit,
    can_instruct,
    is_applicant_of,
    is_instruction_staff,
    is_instructor_of,
)
from pactes.dossiers.models import Dossier

pytestmark = pytest.mark.django_db


def one(role: Role, departement_code: str | None = None) -> User:
    users = User.objects.filter(role=role)
    if departement_code is not None:
        users = users.filter(departement__code=departement_code)
    return users.order_by("pk").first()


def test_an_instructor_instructs_only_its_departement(demo_dossiers) -> None:
    instructor = one(Role.INSTRUCTOR, "09")
    assert is_instructor_of(instructor, demo_dossiers["09"].departement_id)
    assert not is_instructor_of(instructor, demo_dossiers["11"].departement_id)
    assert can_instruct(instructor, demo_dossiers["09"])
    assert not can_instruct(instructor, demo_dossiers["11"])


def test_the_dreets_instructs_every_dossier_but_is_instructor_of_none(demo_dossiers) -> None:
    dreets = one(Role.DREETS)
    assert is_instruction_staff(dreets)
    assert all(can_instruct(dreets, dossier) for dossier in demo_dossiers.values())
    assert not is_instructor_of(dreets, demo_dossiers["09"].departement_id)


def test_an_inactive_instructor_instructs_nothing(demo_dossiers) -> None:
    instructor = one(Role.INSTRUCTOR, "09")
    instructor.is_active = False
    assert not is_instructor_of(instructor, demo_dossiers["09"].departement_id)
    assert not can_instruct(instructor, demo_dossiers["09"])


def test_a_porteur_is_applicant_of_its_own_dossier_only(demo_dossiers) -> None:
    owner = demo_dossiers["09"].created_by
    assert is_applicant_of(owner, demo_dossiers["09"])
    assert not is_applicant_of(owner, demo_dossiers["11"])
    assert not is_instruction_staff(owner)
    assert not can_instruct(owner, demo_dossiers["09"])


def test_a_porteur_edits_its_dossier_only_while_editable(demo_dossiers) -> None:
    dossier = demo_dossiers["09"]
    assert not dossier.is_editable  # filed
    assert not can_edit(dossier.created_by, dossier)
    assert not can_edit(one(Role.INSTRUCTOR, "09"), dossier)


def test_an_anonymous_visitor_may_nothing(demo_dossiers) -> None:
    visitor = AnonymousUser()
    assert not is_instructor_of(visitor, demo_dossiers["09"].departement_id)
    assert not can_instruct(visitor, demo_dossiers["09"])
    assert not is_applicant_of(visitor, demo_dossiers["09"])


def test_a_porteur_edits_its_draft_and_an_instructor_never_does(demo_dossiers) -> None:
    filed = demo_dossiers["09"]
    draft = Dossier.objects.create(
        call=filed.call,
        organisation=filed.organisation,
        reference=f"{filed.reference}-B",
        title="Brouillon",
        departement=filed.departement,
        created_by=filed.created_by,
    )
    assert draft.is_editable
    assert can_edit(filed.created_by, draft)
    assert not can_edit(demo_dossiers["11"].created_by, draft)
    assert not can_edit(one(Role.INSTRUCTOR, "09"), draft)
