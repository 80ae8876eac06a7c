"""Starting a dossier: the organisation and the draft in one transaction, the call's rules decided by the service."""

import pytest
from django.conf import settings as django_settings

from pactes.calls.services import call_load
from pactes.dossiers.creation import (
    CARRIER_KIND_NOT_ALLOWED,
    ORGANISATION_REFUSED,
    SIRET_TAKEN,
    NewOrganisation,
    StartRefused,
    dossier_start,
)
from pactes.dossiers.editing import EditRefused
from pactes.dossiers.models import Dossier
from pactes.organisations.models import Membership, Organisation
from tests.web.editor import VALID_SIRET

NEW_SIRET = "13002526500013"


def new_organisation(departements, **changes):
    fields = {
        "name": "CIAS du Couserans",
        "siret": NEW_SIRET,
        "kind": "etablissement_public",
        "address": "Saint-Girons",
        "departement": departements["09"],
    }
    return NewOrganisation(**{**fields, **changes})


def test_a_dossier_starts_with_its_new_organisation_and_its_applicant_as_managing_member(
    editor_call, editor_applicant, departements
):
    user, _ = editor_applicant
    dossier = dossier_start(
        call=editor_call, by=user, title="Garde d'enfants", new_organisation=new_organisation(departements)
    )
    assert dossier.is_draft and dossier.organisation.siret == NEW_SIRET
    assert Membership.objects.filter(organisation=dossier.organisation, user=user, is_admin=True).exists()


def test_a_dossier_starts_on_an_organisation_of_the_applicant(editor_call, editor_applicant):
    user, organisation = editor_applicant
    dossier = dossier_start(call=editor_call, by=user, title="Épicerie", organisation=organisation)
    assert dossier.organisation == organisation


def test_a_siret_already_on_pactes_is_refused_and_nothing_is_created(editor_call, editor_applicant, departements):
    user, _ = editor_applicant
    with pytest.raises(StartRefused) as refused:
        dossier_start(
            call=editor_call,
            by=user,
            title="Projet",
            new_organisation=new_organisation(departements, siret=VALID_SIRET),
        )
    assert refused.value.reason.code == SIRET_TAKEN
    assert "demandez à l'un de ses membres de vous inviter" in str(refused.value)
    assert Organisation.objects.count() == 1 and not Dossier.objects.exists()


def test_a_carrier_kind_the_call_does_not_allow_is_refused_and_no_organisation_is_left(
    editor_call, editor_applicant, departements
):
    user, _ = editor_applicant
    with pytest.raises(StartRefused) as refused:
        dossier_start(
            call=editor_call,
            by=user,
            title="Projet",
            new_organisation=new_organisation(departements, kind="entreprise"),
        )
    assert refused.value.reason.code == CARRIER_KIND_NOT_ALLOWED
    assert str(refused.value) == "Cette nature de porteur n'est pas prévue par l'appel choisi."
    assert not Organisation.objects.filter(siret=NEW_SIRET).exists() and not Dossier.objects.exists()


def test_a_closed_call_refuses_the_dossier_and_leaves_no_organisation_behind(editor_applicant, departements):
    closed = call_load(path=django_settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml")
    user, _ = editor_applicant
    with pytest.raises(EditRefused, match="n'est pas ouvert"):
        dossier_start(call=closed, by=user, title="Projet", new_organisation=new_organisation(departements))
    assert not Organisation.objects.filter(siret=NEW_SIRET).exists() and not Dossier.objects.exists()


def test_one_organisation_existing_or_new_exactly(editor_call, editor_applicant, departements):
    user, organisation = editor_applicant
    with pytest.raises(ValueError):
        dossier_start(call=editor_call, by=user, title="Projet")
    with pytest.raises(ValueError):
        dossier_start(
            call=editor_call,
            by=user,
            title="Projet",
            organisation=organisation,
            new_organisation=new_organisation(departements),
        )


# -- the new organisation is looked up in SIRENE, like one registered from « Mes organisations » -----------------
def test_a_new_organisation_found_active_in_sirene_is_verified_with_its_legal_category(
    editor_call, editor_applicant, departements, fake_sirene
):
    user, _ = editor_applicant
    dossier = dossier_start(
        call=editor_call,
        by=user,
        title="Épicerie solidaire",
        new_organisation=new_organisation(departements, siret="50123456100006", kind="association"),
    )
    organisation = dossier.organisation
    assert organisation.is_verified and organisation.legal_category == "9220"
    assert fake_sirene.requests == ["50123456100006"]


def test_a_closed_establishment_is_refused_in_french_and_nothing_is_created(
    editor_call, editor_applicant, departements, fake_sirene
):
    user, _ = editor_applicant
    with pytest.raises(StartRefused) as refused:
        dossier_start(
            call=editor_call,
            by=user,
            title="Projet",
            new_organisation=new_organisation(departements, siret="77566281000016", kind="association"),
        )
    assert refused.value.reason.code == ORGANISATION_REFUSED
    assert "établissement est fermé" in str(refused.value)
    assert not Organisation.objects.filter(siret="77566281000016").exists() and not Dossier.objects.exists()


def test_sirene_out_of_reach_leaves_the_new_organisation_unverified_and_the_dossier_started(
    editor_call, editor_applicant, departements, fake_sirene
):
    fake_sirene.mode = "down"
    user, _ = editor_applicant
    dossier = dossier_start(call=editor_call, by=user, title="Projet", new_organisation=new_organisation(departements))
    assert not dossier.organisation.is_verified
