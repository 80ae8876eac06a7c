"""The procès-verbal of a closed session, as its reader gets it (ADR 0053): laid out by Typst in chunks (five
decisions each here, so that the merge runs), every decision in it with its amounts written in French, numbered
« Page n sur N », one valid structure tree, a motivation typed like Typst markup shown as typed."""

import io
from decimal import Decimal

import pikepdf
import pytest

from pactes.committee.documents import minutes_render
from pactes.committee.models import CommitteeSession
from pactes.core import typst_pdf
from pactes.rules.formatting import euros
from tests.committee.bulk import closed_session_of
from tests.core.pdf_structure import pdf_structure
from tests.core.test_typst_pdf import HOSTILE, _spaced, _text


@pytest.mark.django_db
def test_the_minutes_of_a_session_in_chunks_hold_every_decision(monkeypatch):
    monkeypatch.setattr(typst_pdf, "CHUNK_ROWS", 5)
    session = closed_session_of(13, label="pv")
    first = session.decisions.order_by("dossier__departement__code", "dossier__reference").first()
    first.motivation = HOSTILE
    first.save(update_fields=["motivation"])
    pdf = minutes_render(session=CommitteeSession.objects.select_related("call").get(pk=session.pk))

    text = _text(pdf)
    references = [f"PTS-PV-{i:06d}" for i in range(13)]
    assert all(reference in text for reference in references)
    assert _spaced(HOSTILE) in text
    for amount in (Decimal(50000), Decimal(40000), Decimal(30000), Decimal(50000) * 13):
        assert _spaced(euros(amount)) in text
    assert "Procès-verbal du comité régional de validation" in text and "Partenariats solides." in text
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        total = len(opened.pages)
    assert total >= 3  # three chunks at least: the merge ran
    assert f"Page 1 sur {total}" in _text(pdf, 1) and f"Page {total} sur {total}" in _text(pdf, total)

    structure = pdf_structure(pdf)
    structure.assert_accessible(headings=("H1", "H2"))
    assert structure.title.startswith("Procès-verbal du comité régional du ")
    assert structure.elements["Table"] == 1 + 3 + 1  # members, a decisions' table per chunk, envelope
