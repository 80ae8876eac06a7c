"""A pactes.dossier/1 document as a draft dossier: every row, the organisation found or created, refusals that write
nothing."""

import pytest

from pactes.dossiers.interchange import DocumentError, document_to_dossier
from pactes.dossiers.models import Dossier
from pactes.organisations.models import Organisation


def test_import_creates_a_draft_with_every_row(pts_call, example, applicant_user):
    dossier = document_to_dossier(example, by=applicant_user)
    assert dossier.is_draft
    assert dossier.reference == "PTS-2024-09-0001"
    assert dossier.departement.code == "09"
    assert dossier.organisation.members.filter(pk=applicant_user.pk).exists()
    assert (dossier.priorities.count(), dossier.actions.count(), dossier.partners.count()) == (2, 2, 2)
    assert (dossier.expenses.count(), dossier.resources.count(), dossier.in_kind_lines.count()) == (5, 5, 1)
    assert dossier.consortium_members.get().siret == "21090261500017"
    assert list(dossier.priorities.first().measures.values_list("code", flat=True)) == ["2.3"]


def test_second_import_gets_the_next_reference_and_the_same_organisation(pts_call, example, applicant_user):
    first = document_to_dossier(example, by=applicant_user)
    second = document_to_dossier(example, by=applicant_user)
    assert second.reference == "PTS-2024-09-0002"
    assert second.organisation == first.organisation
    assert Organisation.objects.filter(siret=example["applicant"]["siret"]).count() == 1


def test_import_refuses_an_action_of_an_unknown_priority_and_writes_nothing(pts_call, example, applicant_user):
    example["actions"][1]["priority"] = 3
    with pytest.raises(DocumentError) as error:
        document_to_dossier(example, by=applicant_user)
    assert error.value.path == "actions[1].priority"
    assert not Dossier.objects.exists()


def test_import_refuses_an_unknown_measure(pts_call, example, applicant_user):
    example["priorities"][0]["measures"] = ["9.99"]
    with pytest.raises(DocumentError, match=r"priorities\[0\]\.measures\[0\]"):
        document_to_dossier(example, by=applicant_user)


def test_import_refuses_an_invalid_siret_for_a_new_organisation(pts_call, example, applicant_user):
    example["applicant"]["siret"] = "78451209300014"
    with pytest.raises(DocumentError, match=r"applicant\.siret"):
        document_to_dossier(example, by=applicant_user)
    assert not Organisation.objects.exists()
