import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from pactes.accounts.models import Role, User


@pytest.mark.engine
@pytest.mark.django_db
def test_instructor_without_departement_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        User.objects.create(email="sans.departement@demo.test", role=Role.INSTRUCTOR)


@pytest.mark.django_db
def test_instructor_without_departement_is_refused_with_a_french_message():
    with pytest.raises(ValidationError) as error:
        User.objects.create_user("sans.departement@demo.test", "mot-de-passe-long", role=Role.INSTRUCTOR)
    assert "Un instructeur DDETS-PP a un département, et lui seul." in str(error.value)


def test_applicant_with_a_departement_is_refused(departements):
    with pytest.raises(ValidationError):
        User.objects.create_user(
            "porteur@demo.test", "mot-de-passe-long", role=Role.APPLICANT, departement=departements["09"]
        )


def test_instructor_with_a_departement_is_accepted(departements):
    user = User.objects.create_user(
        "instructeur@demo.test", "mot-de-passe-long", role=Role.INSTRUCTOR, departement=departements["11"]
    )
    assert user.is_instructor
    assert user.departement.code == "11"


@pytest.mark.django_db
def test_email_is_stored_lower_case():
    user = User.objects.create_user("Camille.Roux@Demo.TEST", "mot-de-passe-long")
    assert user.email == "camille.roux@demo.test"
