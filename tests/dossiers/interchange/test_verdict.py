"""Every rule on a document or a dossier of the database: the call's eligible list, the applicant's territory, the
deadline."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings

from pactes.calls.services import call_load
from pactes.dossiers.interchange import (
    EXAMPLE_PATH,
    DocumentError,
    check_document,
    document_to_dossier,
    dossier_verdict,
    load_document,
)
from pactes.rules.siret import luhn_is_valid

SAINT_GIRONS = "09261"  # in the CC Couserans-Pyrénées, on the indicative list
TOULOUSE = "31555"  # in Toulouse Métropole, not on it
COUSERANS = "200067940"


def siret_of(siren: str) -> str:
    return next(s for k in range(10) if luhn_is_valid(s := f"{siren}0001{k}"))


def codes(document):
    verdict, _summary = check_document(document)
    return [r.code for r in verdict.reasons]


def test_example_is_valid_and_admissible_under_the_indicative_list(pts_call):
    document = load_document(EXAMPLE_PATH.read_text(encoding="utf-8"))
    verdict, summary = check_document(document)
    assert verdict.ok, verdict.reasons
    assert summary.total_budget == Decimal("124000.00")
    assert summary.cofinancing_rate == Decimal("0.5")


def test_commune_of_a_non_eligible_epci_makes_the_perimeter_not_eligible(pts_call, example):
    example["perimeter"] = {"epci": [], "communes": [SAINT_GIRONS, TOULOUSE]}
    verdict, _ = check_document(example)
    failing = [r for r in verdict.reasons if r.code == "PERIMETER_NOT_ELIGIBLE"]
    assert len(failing) == 1
    assert "Toulouse" in failing[0].message


def test_commune_of_an_eligible_epci_is_an_eligible_perimeter(pts_call, example):
    example["perimeter"] = {"epci": [], "communes": [SAINT_GIRONS]}
    assert codes(example) == []


def test_commune_applicant_is_eligible_iff_its_epci_is_on_the_list(pts_call, example):
    example["applicant"].update(kind="commune", siret=siret_of("210902615"), territory=SAINT_GIRONS, consortium=[])
    assert codes(example) == []
    example["applicant"].update(siret=siret_of("213105554"), territory=TOULOUSE)
    assert codes(example) == ["APPLICANT_NOT_ELIGIBLE"]


def test_commune_applicant_territory_is_found_from_its_siret_when_left_empty(pts_call, example):
    example["applicant"].update(kind="commune", siret=siret_of("213105554"), territory="", consortium=[])
    assert codes(example) == ["APPLICANT_NOT_ELIGIBLE"]


def test_epci_applicant_is_eligible_iff_its_siren_is_on_the_list(pts_call, example):
    example["applicant"].update(kind="epci", siret=siret_of(COUSERANS), territory=COUSERANS, consortium=[])
    assert codes(example) == []
    example["applicant"].update(siret=siret_of("243100518"), territory="243100518")
    assert codes(example) == ["APPLICANT_NOT_ELIGIBLE"]


def test_autre_alone_is_not_eligible_but_autre_leading_a_consortium_is(pts_call, example):
    example["applicant"]["kind"] = "autre"
    assert codes(example) == []  # the example's applicant leads a consortium
    example["applicant"]["consortium"] = []
    assert codes(example) == ["APPLICANT_NOT_ELIGIBLE"]


def test_association_alone_is_eligible(pts_call, example):
    example["applicant"]["consortium"] = []
    assert codes(example) == []


def test_deadline_is_judged_on_submitted_at_and_skipped_without_it(pts_call, example):
    example["submitted_at"] = "2024-09-30T23:59:00+02:00"
    assert codes(example) == []
    example["submitted_at"] = "2024-10-01T00:00:01+02:00"
    assert codes(example) == ["DEADLINE_PASSED"]
    del example["submitted_at"]
    assert codes(example) == []


def test_unknown_call_slug_is_a_document_error_on_call(pts_call, example):
    example["call"] = "pts-inconnu"
    with pytest.raises(DocumentError) as error:
        check_document(example)
    assert error.value.path == "call"
    assert "pts-occitanie-2024" in str(error.value)


def test_demo_call_uses_the_list_of_its_base_call_when_it_has_none(pts_call, example):
    demo = call_load(path=settings.PACTES_CALLS_DIR / "pts-occitanie-demo.yaml")
    assert not demo.eligible_lists.exists()
    example["call"] = demo.slug
    del example["submitted_at"]
    assert codes(example) == []


def test_verdict_of_an_imported_dossier_judges_the_deadline_at_the_given_moment(pts_call, example, applicant_user):
    dossier = document_to_dossier(example, by=applicant_user)
    verdict, summary = dossier_verdict(dossier)
    assert "DEADLINE_PASSED" not in verdict.codes
    assert summary.state_grant == Decimal("62000.00")
    late = pts_call.rules.filing_closes_at + dt.timedelta(seconds=1)
    verdict, _ = dossier_verdict(dossier, now=late)
    assert "DEADLINE_PASSED" in verdict.codes
