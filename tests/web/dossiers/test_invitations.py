"""Invitations to co-edit are bound to their address: only an account of that address accepts (logged in, or after
signing up with it); anyone else is told why and nothing is attached; 7 days of validity; editors revoke them."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pactes.accounts.models import Role, User
from pactes.dossiers.invitations import InvitationInvalid, invitation_accept
from pactes.dossiers.models import Invitation
from tests.web.editor import PASSWORD

pytestmark = pytest.mark.django_db

INVITED = "ines.garcia@asso-foix.test"


@pytest.fixture
def invite(client, editor_dossier, editor_applicant, django_capture_on_commit_callbacks):
    """The draft's applicant invites INVITED; returns the path of the link received."""
    client.force_login(editor_applicant[0])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dossiers:invite", args=[editor_dossier.reference]), {"email": INVITED})
    client.logout()
    message = mail.outbox[-1]
    assert message.to == [INVITED]
    assert "valable 7 jours" in message.body
    return re.search(r"https?://testserver(/\S+/)", message.body).group(1)


def test_an_anonymous_visitor_is_offered_to_sign_up_with_the_invited_address(client, invite):
    response = client.get(invite)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Créer un compte avec {INVITED}" in page
    signup_url = response.context["signup_url"]
    assert "email=ines.garcia%40asso-foix.test" in signup_url and "next=%2Fdossiers%2Finvitation%2F" in signup_url
    form = client.get(signup_url).context["form"]
    assert form.initial["email"] == INVITED


def test_another_account_is_refused_in_french_and_nothing_is_attached(
    client, invite, editor_dossier, editor_other_applicant
):
    stranger = editor_other_applicant[0]
    client.force_login(stranger)
    page = client.get(invite)
    assert page.status_code == 403
    assert "envoyée à une autre adresse électronique" in page.content.decode()
    assert client.post(invite).status_code == 403
    assert not editor_dossier.editors.filter(pk=stranger.pk).exists()
    assert Invitation.objects.get().accepted_at is None
    with pytest.raises(InvitationInvalid, match="autre adresse"):
        invitation_accept(token=Invitation.objects.get().token, by=stranger)


def test_the_invited_address_accepts_once_and_edits(client, invite, editor_dossier, departements):
    invited = User.objects.create_user(INVITED.upper(), PASSWORD, role=Role.APPLICANT)
    client.force_login(invited)
    assert client.get(invite).status_code == 200
    response = client.post(invite)
    assert response.status_code == 302
    assert editor_dossier.editors.filter(pk=invited.pk).exists()
    assert Invitation.objects.get().accepted_by == invited
    assert client.post(invite).status_code == 410


def test_an_invitation_expires_after_7_days(client, invite, departements):
    Invitation.objects.update(invited_at=timezone.now() - dt.timedelta(days=7, minutes=1))
    invited = User.objects.create_user(INVITED, PASSWORD, role=Role.APPLICANT)
    client.force_login(invited)
    response = client.post(invite)
    assert response.status_code == 410
    assert "expiré" in response.content.decode()


def test_an_editor_revokes_an_invitation_and_its_link_stops_working(
    client, invite, editor_dossier, editor_applicant, editor_other_applicant, departements
):
    invitation = Invitation.objects.get()
    revoke = reverse("dossiers:invitation_revoke", args=[editor_dossier.reference, invitation.pk])
    client.force_login(editor_other_applicant[0])  # not an editor of this dossier
    assert client.post(revoke).status_code == 404
    client.force_login(editor_applicant[0])
    page = client.get(reverse("dossiers:step", args=[editor_dossier.reference, "porteur"])).content.decode()
    assert f"Retirer l'invitation à {INVITED}" in page
    client.post(revoke)
    invitation.refresh_from_db()
    assert invitation.revoked_at and invitation.revoked_by == editor_applicant[0]
    invited = User.objects.create_user(INVITED, PASSWORD, role=Role.APPLICANT)
    client.force_login(invited)
    response = client.post(invite)
    assert response.status_code == 410 and "retirée" in response.content.decode()
    assert not editor_dossier.editors.filter(pk=invited.pk).exists()


def test_an_unknown_link_is_a_404(client):
    assert client.get(reverse("dossiers:invitation", args=["inconnu"])).status_code == 404
