"""The departmental summary sent with a transmission is a tagged PDF (ADR 0045): headings, the ranking tables' header
cells, French, a title shown by the viewer."""

import pytest

from pactes.assessment.services import transmission_create
from tests.assessment.fixtures import evaluate
from tests.core.pdf_structure import pdf_structure


@pytest.mark.django_db
def test_the_transmission_summary_is_tagged(ariege, rival, accounts, real_call, django_capture_on_commit_callbacks):
    evaluate(ariege, accounts["i09"], "40000")
    evaluate(rival, accounts["i09"], "21999.50")
    with django_capture_on_commit_callbacks(execute=True):
        transmission = transmission_create(call=real_call, departement=ariege.departement, by=accounts["i09"])
    transmission.summary_pdf.open("rb")
    structure = pdf_structure(transmission.summary_pdf.read())
    structure.assert_accessible(headings=("H1", "H2"))
    assert structure.title.startswith("Synthèse départementale — ")
