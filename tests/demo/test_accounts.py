import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from pactes.accounts.models import Role, User
from pactes.accounts.two_factor import secret_base32
from pactes.demo.accounts import DEMO_PASSWORD, DemoDataMissing, ensure_demo_accounts
from pactes.organisations.models import Organisation
from pactes.rules.siret import is_valid_siret
from pactes.territories.models import Departement

DEMO_EMAILS = {
    "porteur.ariege@demo.test": Role.APPLICANT,
    "porteur.aude@demo.test": Role.APPLICANT,
    "instructeur.09@demo.test": Role.INSTRUCTOR,
    "instructeur.11@demo.test": Role.INSTRUCTOR,
    "dreets@demo.test": Role.DREETS,
    "jury@demo.test": Role.JURY,
    "admin@demo.test": Role.ADMIN,
}


def test_demo_accounts_are_the_seven_of_the_demo_page_with_their_role_and_scope(demo_accounts):
    assert [(line.email, line.role) for line in demo_accounts] == [
        (email, role.label) for email, role in DEMO_EMAILS.items()
    ]
    scopes = {line.email: line.scope for line in demo_accounts}
    assert scopes["instructeur.09@demo.test"] == "Dossiers déposés du département Ariège (09)"
    assert "Association Solidarités Couserans" in scopes["porteur.ariege@demo.test"]
    for email, role in DEMO_EMAILS.items():
        user = User.objects.get(email=email)
        assert user.role == role
        assert user.check_password(DEMO_PASSWORD)
        assert user.first_name and user.last_name


def test_demo_instructors_are_scoped_to_their_departement(demo_accounts):
    assert User.objects.get(email="instructeur.09@demo.test").departement.code == "09"
    assert User.objects.get(email="instructeur.11@demo.test").departement.code == "11"


def test_only_the_demo_administrator_is_staff_and_superuser(demo_accounts):
    staff = User.objects.filter(is_staff=True)
    assert [user.email for user in staff] == ["admin@demo.test"]
    assert staff.get().is_superuser


def test_demo_applicants_belong_to_an_organisation_of_their_departement_with_a_valid_siret(demo_accounts):
    ariege = Organisation.objects.get(members__email="porteur.ariege@demo.test")
    aude = Organisation.objects.get(members__email="porteur.aude@demo.test")
    assert ariege.name == "Association Solidarités Couserans"
    assert (ariege.departement.code, aude.departement.code) == ("09", "11")
    assert is_valid_siret(ariege.siret) and is_valid_siret(aude.siret)
    ariege.full_clean()
    aude.full_clean()


def test_running_the_demo_again_keeps_what_demo_users_changed(demo_accounts):
    user = User.objects.get(email="porteur.ariege@demo.test")
    user.set_password("un-autre-mot-de-passe")
    user.first_name = "Dominique"
    user.save()

    ensure_demo_accounts()

    user.refresh_from_db()
    assert user.check_password("un-autre-mot-de-passe")
    assert user.first_name == "Dominique"
    assert User.objects.count() == 7
    assert Organisation.objects.count() == 2


@pytest.mark.django_db
def test_demo_accounts_need_the_departements_loaded():
    # The reference territories may be loaded for the session: hide the Ariège for this test only.
    Departement.objects.filter(code="09").update(code="X09")
    with pytest.raises(DemoDataMissing) as error:
        ensure_demo_accounts()
    assert "chargez d'abord les territoires" in str(error.value)


def test_every_demo_staff_account_has_an_authenticator_with_its_documented_secret(demo_accounts):
    secrets = {line.email: line.totp_secret for line in demo_accounts}
    for email, role in DEMO_EMAILS.items():
        user = User.objects.get(email=email)
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
        if role == Role.APPLICANT:
            assert secrets[email] == ""
            assert not devices.exists()
        else:
            assert len(secrets[email]) == 32
            assert secret_base32(devices.get()) == secrets[email]


def test_running_the_demo_again_keeps_an_authenticator_a_demo_user_replaced(demo_accounts):
    user = User.objects.get(email="dreets@demo.test")
    TOTPDevice.objects.filter(user=user).delete()
    own = TOTPDevice.objects.create(user=user, name="Mon téléphone", confirmed=True)
    ensure_demo_accounts()
    assert list(TOTPDevice.objects.filter(user=user)) == [own]
