"""Dossier numbers have one owner: the editor and the import number in the same series, the year the filing opens."""

import json

import pytest
import yaml
from django.conf import settings
from django.utils import timezone

from pactes.accounts.models import Role, User
from pactes.calls.services import call_load
from pactes.dossiers import numbering
from pactes.dossiers.editing import dossier_create, organisation_create
from pactes.dossiers.interchange import EXAMPLE_PATH, document_to_dossier
from pactes.dossiers.models import Dossier
from pactes.dossiers.numbering import (
    ReferenceUnavailable,
    dossier_insert_numbered,
    dossier_reference_next,
    reference_prefix,
)


@pytest.fixture
def call_over_new_year(db, tmp_path):
    """A call open today whose filing opened last year and closes next year (as a demo call loaded in December)."""
    year = timezone.localdate().year
    base = settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml"
    (tmp_path / base.name).write_text(base.read_text(encoding="utf-8"), encoding="utf-8")
    derived = tmp_path / "pts-nouvel-an.yaml"
    derived.write_text(
        yaml.safe_dump(
            {
                "format_version": 1,
                "slug": "pts-nouvel-an",
                "derived_from": "pts-occitanie-2024",
                "filing": {"opens_at": f"{year - 1}-12-01T00:00:00", "closes_at": f"{year + 1}-01-31T23:59:59"},
            }
        ),
        encoding="utf-8",
    )
    return call_load(path=derived)


@pytest.fixture
def applicant(db):
    return User.objects.create_user("porteur@pactes.test", "motdepasse-solide-42", role=Role.APPLICANT)


@pytest.fixture
def ariege_organisation(applicant, departements):
    return organisation_create(
        name="Association Solidarités Couserans",
        siret="83914701400014",
        kind="association",
        address="",
        departement=departements["09"],
        by=applicant,
    )


def test_the_editor_and_the_import_number_in_one_series_of_the_year_the_filing_opens(
    call_over_new_year, applicant, ariege_organisation
):
    opening_year = timezone.localtime(call_over_new_year.rules.filing_opens_at).year
    assert timezone.localtime(call_over_new_year.rules.filing_closes_at).year == opening_year + 2
    document = {**json.loads(EXAMPLE_PATH.read_text(encoding="utf-8")), "call": call_over_new_year.slug}

    created = dossier_create(call=call_over_new_year, organisation=ariege_organisation, title="A", by=applicant)
    imported = document_to_dossier(document, by=applicant)  # instructed by the Ariège: its first EPCI
    created_again = dossier_create(call=call_over_new_year, organisation=ariege_organisation, title="B", by=applicant)

    assert [created.reference, imported.reference, created_again.reference] == [
        f"PTS-{opening_year}-09-0001",
        f"PTS-{opening_year}-09-0002",
        f"PTS-{opening_year}-09-0003",
    ]


def test_the_next_number_follows_the_highest_of_the_series_and_00_stands_for_no_departement(
    call_over_new_year, applicant, ariege_organisation
):
    prefix = reference_prefix(call=call_over_new_year, departement_code="09")
    Dossier.objects.create(
        call=call_over_new_year,
        organisation=ariege_organisation,
        reference=f"{prefix}0041",
        title="Repris d'un autre outil",
        departement=ariege_organisation.departement,
        created_by=applicant,
    )
    assert dossier_reference_next(call=call_over_new_year, departement_code="09") == f"{prefix}0042"
    assert dossier_reference_next(call=call_over_new_year, departement_code="11").endswith("-11-0001")
    assert dossier_reference_next(call=call_over_new_year, departement_code="").endswith("-00-0001")


def test_a_number_taken_meanwhile_by_a_concurrent_creation_gives_the_following_one(
    call_over_new_year, applicant, ariege_organisation, monkeypatch
):
    first = dossier_create(call=call_over_new_year, organisation=ariege_organisation, title="A", by=applicant)
    stale = iter([first.reference])  # what a creation that read the series before ``first`` was written would get
    fresh = numbering.dossier_reference_next
    monkeypatch.setattr(numbering, "dossier_reference_next", lambda **kw: next(stale, None) or fresh(**kw))

    second = dossier_create(call=call_over_new_year, organisation=ariege_organisation, title="B", by=applicant)

    assert second.reference == first.reference.replace("-0001", "-0002")
    assert Dossier.objects.count() == 2


def test_numbering_gives_up_after_its_attempts_and_writes_nothing(
    call_over_new_year, applicant, ariege_organisation, monkeypatch
):
    taken = dossier_create(call=call_over_new_year, organisation=ariege_organisation, title="A", by=applicant)
    monkeypatch.setattr(numbering, "dossier_reference_next", lambda **kw: taken.reference)
    dossier = Dossier(
        call=call_over_new_year,
        organisation=ariege_organisation,
        title="B",
        departement=ariege_organisation.departement,
        created_by=applicant,
    )
    with pytest.raises(ReferenceUnavailable):
        dossier_insert_numbered(dossier=dossier, departement_code="09")
    assert Dossier.objects.count() == 1
