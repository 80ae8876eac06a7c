"""Staff accounts in the product: the DREETS creates and deactivates instructors and jury members (invitation e-mail
through the outbox, a link to choose a password, then the second factor), seats a jury member on a session; an
instructor sees who else instructs its département; every change is logged and listed."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from pactes.accounts.models import Role, StaffChange, User
from pactes.committee.models import Attendance
from pactes.outbox.models import OutgoingEmail
from pactes.territories.models import Departement

INDEX_URL = reverse("staff:index")
NEW_INSTRUCTOR_URL = reverse("staff:new_instructor")
NEW_JURY_URL = reverse("staff:new_jury_member")


def as_user(client, email):
    client.force_login(User.objects.get(email=email))
    return client


def test_the_dreets_creates_an_instructor_who_is_invited_by_email(
    client, demo_accounts, django_capture_on_commit_callbacks
):
    as_user(client, "dreets@demo.test")
    ariege = Departement.objects.get(code="09")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEW_INSTRUCTOR_URL,
            {
                "email": "Lea.Martin@Ariege.Gouv.fr",
                "first_name": "Léa",
                "last_name": "Martin",
                "departement": ariege.pk,
            },
        )
    assert response["Location"] == INDEX_URL
    user = User.objects.get(email="lea.martin@ariege.gouv.fr")
    assert (user.role, user.departement, user.has_usable_password()) == (Role.INSTRUCTOR, ariege, False)

    email = OutgoingEmail.objects.get(key__startswith=f"staff-invitation:{user.pk}:")
    assert email.recipient_list == ["lea.martin@ariege.gouv.fr"]
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Instructeur DDETS-PP" in body and "Ariège (09)" in body and "double authentification" in body

    change = StaffChange.objects.get(user=user)
    assert (change.action, change.by.email, change.departement) == (
        StaffChange.Action.INVITED,
        "dreets@demo.test",
        ariege,
    )
    page = client.get(INDEX_URL).content.decode()
    assert "lea.martin@ariege.gouv.fr" in page and "Compte créé et invitation envoyée" in page

    # The link sets a password; the first login then asks to enrol a second factor.
    link = re.search(r"https?://[^/\s]+(/\S+)", body).group(1)
    newcomer = Client()
    form = newcomer.get(link, follow=True)
    assert form.context["validlink"]
    newcomer.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Ariege-instruction-2026", "new_password2": "Ariege-instruction-2026"},
    )
    newcomer.post(reverse("accounts:login"), {"username": user.email, "password": "Ariege-instruction-2026"})
    assert newcomer.get(reverse("instruction:queue"))["Location"].startswith(reverse("accounts:two_factor_enrol"))


def test_an_instructor_needs_a_departement_and_an_unused_address(client, demo_accounts):
    as_user(client, "dreets@demo.test")
    missing = client.post(NEW_INSTRUCTOR_URL, {"email": "a@b.fr", "first_name": "A", "last_name": "B"})
    assert "Choisissez le département de l’instructeur." in missing.content.decode()
    taken = client.post(
        NEW_INSTRUCTOR_URL,
        {
            "email": "INSTRUCTEUR.11@demo.test",
            "first_name": "A",
            "last_name": "B",
            "departement": Departement.objects.get(code="11").pk,
        },
    )
    assert "Un compte existe déjà avec cette adresse électronique" in taken.content.decode()
    assert not StaffChange.objects.exists()
    assert mail.outbox == []


def test_the_dreets_creates_a_jury_member_seated_on_a_session(
    client, planned_session, accounts, django_capture_on_commit_callbacks
):
    as_user(client, "dreets@demo.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEW_JURY_URL,
            {"email": "elu@exemple.fr", "first_name": "Élise", "last_name": "Bru", "session": planned_session.pk},
        )
    assert response["Location"] == INDEX_URL
    user = User.objects.get(email="elu@exemple.fr")
    assert user.role == Role.JURY
    assert Attendance.objects.filter(session=planned_session, user=user).exists()
    actions = list(StaffChange.objects.filter(user=user).values_list("action", flat=True))
    assert sorted(actions) == sorted([StaffChange.Action.INVITED, StaffChange.Action.JOINED_SESSION])
    assert len(mail.outbox) == 1


def test_the_dreets_seats_an_existing_jury_member_and_it_is_logged(client, planned_session, accounts):
    as_user(client, "dreets@demo.test")
    outsider = accounts["jury.outsider"]
    client.post(reverse("staff:seat", args=[outsider.pk]), {"session": planned_session.pk})
    assert Attendance.objects.filter(session=planned_session, user=outsider).exists()
    assert StaffChange.objects.get(user=outsider).detail.startswith("Séance du ")


def test_the_dreets_deactivates_then_reactivates_an_instructor(client, demo_accounts):
    instructor = User.objects.get(email="instructeur.09@demo.test")
    their_session = as_user(Client(), "instructeur.09@demo.test")
    as_user(client, "dreets@demo.test")
    client.post(reverse("staff:deactivate", args=[instructor.pk]))
    instructor.refresh_from_db()
    assert not instructor.is_active
    # Their open session ends at its next request, and the password no longer logs in.
    assert their_session.get(reverse("core:dashboard")).status_code == 302
    client.post(reverse("staff:reactivate", args=[instructor.pk]))
    instructor.refresh_from_db()
    assert instructor.is_active
    assert list(StaffChange.objects.filter(user=instructor).values_list("action", flat=True)) == [
        StaffChange.Action.REACTIVATED,
        StaffChange.Action.DEACTIVATED,
    ]
    page = client.get(INDEX_URL).content.decode()
    assert "Compte désactivé" in page and "Compte réactivé" in page


@pytest.mark.parametrize("email", ["instructeur.09@demo.test", "jury@demo.test", "porteur.ariege@demo.test"])
def test_only_the_dreets_and_administrators_manage_staff(client, demo_accounts, email):
    as_user(client, email)
    target = User.objects.get(email="instructeur.11@demo.test")
    assert client.get(NEW_INSTRUCTOR_URL).status_code == 404
    assert client.get(NEW_JURY_URL).status_code == 404
    assert client.post(reverse("staff:deactivate", args=[target.pk])).status_code == 404
    target.refresh_from_db()
    assert target.is_active
    assert not StaffChange.objects.exists()


def test_the_dreets_cannot_deactivate_itself_nor_another_dreets_or_an_applicant(client, demo_accounts):
    as_user(client, "dreets@demo.test")
    for email in ("dreets@demo.test", "porteur.ariege@demo.test", "admin@demo.test"):
        target = User.objects.get(email=email)
        assert client.post(reverse("staff:deactivate", args=[target.pk])).status_code == 404
        target.refresh_from_db()
        assert target.is_active


def test_an_instructor_sees_who_else_instructs_its_departement_and_nothing_else(client, demo_accounts, db):
    colleague = User.objects.create_user(
        "collegue.09@demo.test", None, role=Role.INSTRUCTOR, departement=Departement.objects.get(code="09")
    )
    as_user(client, "instructeur.09@demo.test")
    page = client.get(INDEX_URL)
    content = page.content.decode()
    assert page.status_code == 200
    assert "Instructeurs du département Ariège (09)" in content
    assert colleague.email in content and "instructeur.09@demo.test" in content
    assert "instructeur.11@demo.test" not in content
    assert "jury@demo.test" not in content
    assert "Journal des modifications" not in content
    assert "Désactiver" not in content


@pytest.mark.parametrize("email", ["jury@demo.test", "porteur.ariege@demo.test"])
def test_the_staff_page_is_hidden_from_jury_and_applicants(client, demo_accounts, email):
    as_user(client, email)
    assert client.get(INDEX_URL).status_code == 404


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_log_in(client):
    assert client.get(INDEX_URL)["Location"].startswith(reverse("accounts:login"))
