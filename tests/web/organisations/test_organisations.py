"""Organisations of applicants: added by SIRET (format, key, SIRENE lookup through the fake API), joined by a request
that any member decides, left (the last administrator names another), and scoped to members only."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from pactes.accounts.models import Role, User
from pactes.organisations.models import Membership, MembershipRequest, Organisation, Verification
from pactes.organisations.services import MembershipRefused, membership_leave
from tests.factories import DossierFactory, UserFactory, instructor_of
from tests.web.editor import PASSWORD

pytestmark = pytest.mark.django_db

ASSOCIATION = "50123456100006"
COMMUNE = "21090261500009"
CLOSED = "77566281000016"


@pytest.fixture
def person(departements, editor_call):
    return User.objects.create_user("camille@asso-foix.test", PASSWORD, role=Role.APPLICANT, first_name="Camille")


def test_an_active_association_fills_the_form_and_is_registered_verified(client, person, fake_sirene):
    client.force_login(person)
    step2 = client.post(reverse("organisations:add"), {"siret": "501 234 561 00006"})
    assert step2.status_code == 200
    page = step2.content.decode()
    assert "ASSOCIATION ENTRAIDE DU VAL D&#x27;ARIEGE" in page
    assert "12 RUE DE LA BISTOURE 09000 FOIX" in page
    form = step2.context["form"]
    assert form.initial["legal_category"] == "9220"
    assert form.initial["kind"] == "association"  # proposed from the legal form, still a choice
    assert form.initial["departement"] == "09"
    response = client.post(
        reverse("organisations:create"),
        {**form.initial, "kind": "association", "address": form.initial["address"]},
    )
    organisation = Organisation.objects.get(siret=ASSOCIATION)
    assert response.status_code == 302 and response["Location"] == reverse(
        "organisations:detail", args=[organisation.pk]
    )
    assert organisation.verification == Verification.VERIFIED and organisation.verified_at
    assert organisation.legal_category_label == "Association déclarée"
    assert organisation.departement.code == "09"
    assert Membership.objects.get(organisation=organisation).is_admin


def test_a_commune_proposes_the_commune_carrier_kind(client, person, fake_sirene):
    client.force_login(person)
    form = client.post(reverse("organisations:add"), {"siret": COMMUNE}).context["form"]
    assert form.initial["kind"] == "commune"


def test_a_closed_establishment_is_refused_with_a_french_reason(client, person, fake_sirene):
    client.force_login(person)
    response = client.post(reverse("organisations:add"), {"siret": CLOSED})
    assert response.status_code == 200
    assert "Cet établissement est fermé depuis le 2019-12-31" in response.content.decode()
    # Forcing the second step does not help either.
    forced = client.post(
        reverse("organisations:create"), {"siret": CLOSED, "name": "X", "kind": "association", "departement": "11"}
    )
    assert "fermé" in forced.content.decode()
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("siret", "message"), [("5012345610000", "compte 13 chiffres"), ("50123456100007", "clé de contrôle est fausse")]
)
def test_a_malformed_siret_is_refused_before_any_lookup(client, person, fake_sirene, siret, message):
    client.force_login(person)
    response = client.post(reverse("organisations:add"), {"siret": siret})
    assert message in response.content.decode()
    assert fake_sirene.requests == []


def test_an_unreachable_directory_lets_the_person_continue_unverified_and_the_instructor_sees_it(
    client, person, fake_sirene
):
    fake_sirene.mode = "down"
    client.force_login(person)
    step2 = client.post(reverse("organisations:add"), {"siret": ASSOCIATION})
    assert "n'a pas pu être consulté" in step2.content.decode()
    client.post(
        reverse("organisations:create"),
        {"siret": ASSOCIATION, "name": "Entraide du Val d'Ariège", "kind": "association", "departement": "09"},
    )
    organisation = Organisation.objects.get(siret=ASSOCIATION)
    assert organisation.verification == Verification.UNVERIFIED and organisation.verified_at is None

    dossier = DossierFactory(filed=True, organisation=organisation, created_by=person)
    client.force_login(instructor_of("09"))
    page = client.get(reverse("instruction:dossier", args=[dossier.reference])).content.decode()
    assert "Organisation non vérifiée" in page


def test_an_unconfirmed_account_can_neither_create_nor_join(person, fake_sirene, client):
    person.email_confirmed_at = None
    person.save()
    client.force_login(person)
    client.post(reverse("organisations:add"), {"siret": ASSOCIATION})
    response = client.post(
        reverse("organisations:create"),
        {"siret": ASSOCIATION, "name": "Entraide", "kind": "association", "departement": "09"},
    )
    assert "Confirmez d&#x27;abord votre adresse" in response.content.decode()
    assert not Organisation.objects.exists()


@pytest.fixture
def organisation_with_admin(person):
    organisation = Organisation.objects.create(name="Entraide du Val d'Ariège", siret=ASSOCIATION, kind="association")
    Membership.objects.create(organisation=organisation, user=person, is_admin=True)
    return organisation


def test_joining_an_existing_organisation_asks_its_members_and_a_pending_requester_sees_nothing(
    client, person, organisation_with_admin, fake_sirene, django_capture_on_commit_callbacks
):
    organisation = organisation_with_admin
    dossier = DossierFactory(organisation=organisation, created_by=person)
    newcomer = UserFactory(email="dominique@asso-foix.test")
    client.force_login(newcomer)
    to_join = client.post(reverse("organisations:add"), {"siret": ASSOCIATION})
    assert to_join["Location"] == f"{reverse('organisations:join')}?siret={ASSOCIATION}"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(to_join["Location"], {"message": "Trésorière de l'association"})
    request = MembershipRequest.objects.get(user=newcomer)
    assert request.status == MembershipRequest.Status.PENDING
    assert [m.to for m in mail.outbox] == [[person.email]]
    assert "Trésorière de l'association" in mail.outbox[0].body

    # Pending: nothing of the organisation, its members or its dossiers.
    assert client.get(reverse("organisations:detail", args=[organisation.pk])).status_code == 404
    assert client.get(reverse("dossiers:detail", args=[dossier.reference])).status_code == 404
    index = client.get(reverse("organisations:index")).content.decode()
    assert person.email not in index
    assert client.post(reverse("organisations:decide", args=[request.pk]), {"decision": "accepter"}).status_code == 404

    # Any member decides.
    client.force_login(person)
    listing = client.get(reverse("organisations:requests")).content.decode()
    assert "dominique@asso-foix.test" in listing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organisations:decide", args=[request.pk]), {"decision": "accepter"})
    request.refresh_from_db()
    assert request.status == MembershipRequest.Status.APPROVED and request.decided_by == person
    assert mail.outbox[-1].to == [newcomer.email] and "acceptée" in mail.outbox[-1].subject
    membership = Membership.objects.get(organisation=organisation, user=newcomer)
    assert not membership.is_admin
    client.force_login(newcomer)
    assert client.get(reverse("dossiers:detail", args=[dossier.reference])).status_code == 200


def test_a_refused_request_attaches_nothing(
    client, person, organisation_with_admin, django_capture_on_commit_callbacks
):
    newcomer = UserFactory()
    client.force_login(newcomer)
    client.post(f"{reverse('organisations:join')}?siret={ASSOCIATION}", {"message": ""})
    request = MembershipRequest.objects.get(user=newcomer)
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organisations:decide", args=[request.pk]), {"decision": "refuser"})
    request.refresh_from_db()
    assert request.status == MembershipRequest.Status.REFUSED
    assert not Membership.objects.filter(user=newcomer).exists()
    assert "refusée" in mail.outbox[-1].subject


def test_asking_twice_is_refused_in_french(client, organisation_with_admin):
    newcomer = UserFactory()
    client.force_login(newcomer)
    url = f"{reverse('organisations:join')}?siret={ASSOCIATION}"
    client.post(url, {"message": ""})
    again = client.post(url, {"message": ""})
    assert "déjà envoyée" in again.content.decode()
    assert MembershipRequest.objects.filter(user=newcomer).count() == 1


def test_the_last_administrator_names_another_before_leaving(client, person, organisation_with_admin):
    organisation = organisation_with_admin
    colleague = UserFactory()
    Membership.objects.create(organisation=organisation, user=colleague)
    with pytest.raises(MembershipRefused, match="dernier administrateur"):
        membership_leave(organisation=organisation, by=person)
    client.force_login(person)
    refused = client.post(reverse("organisations:leave", args=[organisation.pk]), {"successor": ""}, follow=True)
    assert "dernier administrateur" in refused.content.decode()
    assert Membership.objects.filter(organisation=organisation, user=person).exists()
    left = client.post(reverse("organisations:leave", args=[organisation.pk]), {"successor": str(colleague.pk)})
    assert left["Location"] == reverse("organisations:index")
    assert not Membership.objects.filter(organisation=organisation, user=person).exists()
    assert Membership.objects.get(organisation=organisation, user=colleague).is_admin


def test_a_member_leaves_freely_and_the_only_member_cannot(client, person, organisation_with_admin):
    organisation = organisation_with_admin
    with pytest.raises(MembershipRefused, match="seul membre"):
        membership_leave(organisation=organisation, by=person)
    colleague = UserFactory()
    Membership.objects.create(organisation=organisation, user=colleague)
    client.force_login(colleague)
    client.post(reverse("organisations:leave", args=[organisation.pk]), {"successor": ""})
    assert not Membership.objects.filter(user=colleague).exists()


def test_an_administrator_names_another(client, person, organisation_with_admin):
    colleague = UserFactory()
    Membership.objects.create(organisation=organisation_with_admin, user=colleague)
    client.force_login(colleague)  # a simple member may not
    client.post(reverse("organisations:name_admin", args=[organisation_with_admin.pk]), {"member": str(person.pk)})
    client.force_login(person)
    client.post(reverse("organisations:name_admin", args=[organisation_with_admin.pk]), {"member": str(colleague.pk)})
    assert Membership.objects.get(user=colleague).is_admin


def test_pages_are_private_and_scoped(client, person, organisation_with_admin):
    detail = reverse("organisations:detail", args=[organisation_with_admin.pk])
    assert client.get(detail)["Location"].startswith(reverse("accounts:login"))
    client.force_login(UserFactory())
    assert client.get(detail).status_code == 404
    client.force_login(instructor_of("09"))
    assert client.get(reverse("organisations:index")).status_code == 404
    client.force_login(person)
    page = client.get(detail).content.decode()
    assert person.email in page and re.search(r"Administrateur", page)
