"""Every PDF the platform generates is tagged (ADR 0045): structure tree with headings and table header cells,
French language, a title shown by the viewer. Each document is rendered by its own producer and read back with
pypdf; the convention's DOCX keeps Word's heading styles."""

import io
from decimal import Decimal

import docx
import pytest

from pactes.agreements.documents import agreement_docx, agreement_pdf
from pactes.agreements.models import AgreementTemplate
from pactes.committee.models import CommitteeDecision, Decision
from pactes.committee.services import decision_record, session_close
from pactes.core.pdf import DEFAULT_TITLE, html_to_pdf, with_header_scopes
from tests.core.pdf_structure import pdf_structure
from tests.dossiers.fixtures import file_it


def test_a_bare_html_page_still_gets_a_language_a_title_and_a_structure_tree():
    structure = pdf_structure(html_to_pdf("<h1>Note</h1><table><tr><th>Total</th><td>3</td></tr></table>"))
    structure.assert_accessible()
    assert structure.lang == "fr"
    assert structure.title == DEFAULT_TITLE


def test_the_title_and_language_of_the_html_are_those_of_the_pdf():
    structure = pdf_structure(
        html_to_pdf('<html lang="fr-FR"><head><title>Relevé</title></head><body><h1>Relevé</h1><p>x</p></body></html>')
    )
    assert (structure.lang, structure.title) == ("fr-FR", "Relevé")
    assert structure.elements["P"] >= 1


@pytest.mark.django_db
def test_the_receipt_is_tagged(draft, applicant, django_capture_on_commit_callbacks, media_root):
    version = file_it(draft, applicant, django_capture_on_commit_callbacks)
    structure = pdf_structure(version.receipt_pdf.read())
    structure.assert_accessible(headings=("H1", "H2", "H3"))
    assert structure.title.startswith("Accusé de réception — dossier ")


@pytest.mark.django_db
def test_the_convention_pdf_is_tagged(draft_agreement):
    structure = pdf_structure(agreement_pdf(agreement=draft_agreement))
    structure.assert_accessible(headings=("H1", "H2"))
    assert structure.title == f"Convention — dossier {draft_agreement.dossier.reference}"


@pytest.mark.django_db
def test_a_convention_template_typed_in_the_administration_is_tagged_too(draft_agreement):
    draft_agreement.template = AgreementTemplate.objects.create(
        call=draft_agreement.dossier.call,
        version=98,
        body="<h1>Convention</h1><h2>Article 1</h2><table><tr><th>Montant</th><td>{{ dossier.reference }}</td></tr></table>",
        is_current=False,
    )
    structure = pdf_structure(agreement_pdf(agreement=draft_agreement))
    structure.assert_accessible(headings=("H1", "H2"))


@pytest.mark.django_db
def test_the_convention_docx_keeps_word_heading_styles(draft_agreement):
    document = docx.Document(io.BytesIO(agreement_docx(agreement=draft_agreement)))
    styles = [p.style.name for p in document.paragraphs if p.text.strip()]
    heading_texts = {p.text for p in document.paragraphs if p.style.name == "Heading 1"}
    assert "Convention attributive de subvention" in heading_texts
    assert styles.count("Heading 2") >= 4  # the articles
    assert "Title" not in styles


@pytest.mark.django_db
def test_the_minutes_and_the_decision_letters_are_tagged(
    open_session, transmitted, accounts, django_capture_on_commit_callbacks
):
    dreets = accounts["dreets"]
    for dossier, decision, amount in (
        (transmitted["09"], Decision.RETAINED, "40000.00"),
        (transmitted["11"], Decision.REJECTED, None),
    ):
        decision_record(
            session=open_session,
            dossier=dossier,
            decision=decision,
            awarded_amount=None if amount is None else Decimal(amount),
            motivation="Motivation de la décision.",
            by=dreets,
        )
    with django_capture_on_commit_callbacks(execute=True):
        closed = session_close(session=open_session, by=dreets)
    closed.refresh_from_db()  # the procès-verbal is rendered by the task its commit enqueued
    minutes = pdf_structure(closed.minutes_pdf.read())
    minutes.assert_accessible(headings=("H1", "H2"))
    assert minutes.title.startswith("Procès-verbal du comité régional du ")
    assert minutes.elements["TH"] >= 9 + 3  # the decisions' column headers, the envelope's row headers
    for record in CommitteeDecision.objects.filter(session=closed):
        letter = pdf_structure(record.letter_pdf.read())
        letter.assert_accessible(headings=("H1", "H2"), table_headers=False)
        assert letter.title.startswith("Décision du comité régional — dossier ")


def test_header_cells_without_scope_get_the_one_a_reader_expects():
    html = (
        "<table><thead><tr><th>Action</th><th scope='col'>Début</th></tr></thead>"
        "<tbody><tr><th>Total</th><td>3</td></tr><tr><th>A</th><th>B</th></tr></tbody></table>"
    )
    assert with_header_scopes(html) == (
        "<table><thead><tr><th scope=\"col\">Action</th><th scope='col'>Début</th></tr></thead>"
        '<tbody><tr><th scope="row">Total</th><td>3</td></tr><tr><th scope="col">A</th><th scope="col">B</th></tr>'
        "</tbody></table>"
    )
