"""A generated document is stored once on its record: a second render, or a render that loses a race, leaves the
recorded file as it was and deletes its own (pactes.core.generated_files)."""

import pytest

from pactes.core.generated_files import store_once
from pactes.dossiers.models import DossierVersion
from tests.dossiers.fixtures import file_it

pytestmark = pytest.mark.django_db


@pytest.fixture
def version_without_receipt(draft, applicant, django_capture_on_commit_callbacks, media_root):
    version = file_it(draft, applicant, django_capture_on_commit_callbacks)
    version.receipt_pdf.delete(save=False)
    DossierVersion.objects.filter(pk=version.pk).update(receipt_pdf="")
    return DossierVersion.objects.get(pk=version.pk)


def test_the_first_file_recorded_stays_and_a_racing_render_leaves_nothing_behind(version_without_receipt, media_root):
    stale = DossierVersion.objects.get(pk=version_without_receipt.pk)  # read before the first render is recorded
    store_once(version_without_receipt, "receipt_pdf", "premier.pdf", lambda: b"%PDF-premier")
    first = version_without_receipt.receipt_pdf.name

    store_once(stale, "receipt_pdf", "second.pdf", lambda: b"%PDF-second")

    assert stale.receipt_pdf.name == first
    assert [p.read_bytes() for p in media_root.rglob("*.pdf")] == [b"%PDF-premier"]


def test_a_record_with_its_file_is_not_rendered_again(version_without_receipt):
    store_once(version_without_receipt, "receipt_pdf", "premier.pdf", lambda: b"%PDF-premier")

    def render() -> bytes:
        raise AssertionError("rendu une seconde fois")

    again = store_once(version_without_receipt, "receipt_pdf", "autre.pdf", render)
    assert again.receipt_pdf.name.endswith("premier.pdf")
