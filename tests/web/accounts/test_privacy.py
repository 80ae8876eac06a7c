"""Personal data: the public notice, « Mes données » (page and JSON download, scoped to me), and the deletion of an
applicant's account, pseudonymised where the record must stay (a filed dossier keeps « ancien membre »)."""

import json

import pytest
from django.urls import reverse

from pactes.accounts.models import User
from pactes.dossiers.models import Invitation
from pactes.organisations.models import Membership
from pactes.privacy.services import DeletionRefused, account_delete
from tests.factories import PASSWORD, DossierFactory, UserFactory, instructor_of

pytestmark = pytest.mark.django_db


def test_the_notice_is_public_and_states_what_the_dreets_must_publish(client, editor_call):
    page = client.get(reverse("privacy:notice")).content.decode()
    for heading in (
        "Responsable du traitement",
        "Finalités",
        "Base légale",
        "Destinataires",
        "Durées de conservation",
        "Vos droits",
    ):
        assert heading in page
    assert "12 mois après la clôture" in page and "5 ans après la décision" in page
    assert "CNIL" in page


def test_my_data_is_mine_only_and_downloads_as_json(client, departements):
    dossier = DossierFactory()
    me = dossier.created_by
    other = DossierFactory()
    client.force_login(me)
    page = client.get(reverse("privacy:my_data")).content.decode()
    assert me.email in page and dossier.reference in page and other.reference not in page
    response = client.get(reverse("privacy:my_data_json"))
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["compte"]["adresse_electronique"] == me.email
    assert [d["numero"] for d in data["dossiers"]] == [dossier.reference]
    assert [o["nom"] for o in data["organisations"]] == [dossier.organisation.name]


def test_my_data_needs_a_login(client):
    assert client.get(reverse("privacy:my_data_json"))["Location"].startswith(reverse("accounts:login"))


def test_deleting_my_account_pseudonymises_me_where_a_filed_dossier_must_stay(client, departements):
    filed = DossierFactory(filed=True)
    me = filed.created_by
    Membership.objects.filter(user=me).update(is_admin=True)  # its last administrator
    colleague = UserFactory()
    Membership.objects.create(organisation=filed.organisation, user=colleague)
    Invitation.objects.create(dossier=DossierFactory(), email=me.email, token="pending-for-me", invited_by=colleague)
    client.force_login(me)
    refused = client.post(reverse("privacy:delete"), {"password": "faux", "confirm": "on"})
    assert refused.status_code == 400 and "Mot de passe incorrect" in refused.content.decode()
    response = client.post(reverse("privacy:delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    me.refresh_from_db()
    assert not me.is_active and me.deleted_at and not me.has_usable_password()
    assert str(me) == "ancien membre" and me.email.endswith(".invalid")
    filed.refresh_from_db()
    assert filed.created_by == me  # the filed dossier keeps its author, now « ancien membre »
    assert not Membership.objects.filter(user=me).exists()
    assert Membership.objects.get(user=colleague).is_admin  # the longest-standing member took over
    assert not Invitation.objects.filter(token="pending-for-me").exists()
    assert client.get(reverse("core:dashboard"))["Location"].startswith(reverse("accounts:login"))
    assert not me.check_password(PASSWORD)


def test_a_deleted_address_can_sign_up_again(departements):
    me = UserFactory()
    email = me.email
    account_delete(user=me)
    assert not User.objects.filter(email=email).exists()


def test_staff_accounts_are_closed_by_the_dreets_not_by_themselves(client, departements):
    instructor = instructor_of("09")
    with pytest.raises(DeletionRefused, match="fermés par la DREETS"):
        account_delete(user=instructor)
    client.force_login(instructor)
    assert "Supprimer définitivement mon compte" not in client.get(reverse("privacy:my_data")).content.decode()
