"""A dossier of the database as a pactes.dossier/1 document: the round trip of the example, the snapshot hash."""

import copy
from decimal import Decimal

from pactes.dossiers.interchange import document_sha256, document_to_dossier, dossier_to_document
from pactes.dossiers.models import Dossier

# Keys of the example an imported draft does not keep (documented in docs/formats/pactes.dossier-1.md).
NOT_KEPT = {("submitted_at",)}


def without_not_kept(document):
    document = copy.deepcopy(document)
    for path in NOT_KEPT:
        node = document
        for key in path[:-1]:
            node = node[key]
        node.pop(path[-1], None)
    return document


def test_export_of_an_import_gives_back_the_example_but_the_keys_not_kept(pts_call, example, applicant_user):
    dossier = document_to_dossier(example, by=applicant_user)
    exported = dossier_to_document(dossier)
    assert without_not_kept(exported) == without_not_kept(example)


def test_snapshot_hash_is_stable_for_the_same_dossier(pts_call, example, applicant_user):
    dossier = document_to_dossier(example, by=applicant_user)
    first = document_sha256(dossier_to_document(dossier))
    again = document_sha256(dossier_to_document(Dossier.objects.get(pk=dossier.pk)))
    assert first == again
    assert len(first) == 64


def test_snapshot_hash_changes_when_one_amount_changes(pts_call, example, applicant_user):
    dossier = document_to_dossier(example, by=applicant_user)
    before = document_sha256(dossier_to_document(dossier))
    expense = dossier.expenses.first()
    expense.amount += Decimal("0.01")
    expense.save()
    assert document_sha256(dossier_to_document(dossier)) != before
