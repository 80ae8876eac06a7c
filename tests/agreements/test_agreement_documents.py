"""The convention generated for a retained dossier: PDF (read back with pdftotext) and DOCX (read back with
python-docx) hold the parties, the awarded amount and the annexes; regeneration while a draft only."""

import io
import subprocess
from decimal import Decimal

import docx
import pytest

from pactes.agreements.models import Agreement, AgreementTemplate
from pactes.agreements.services import (
    AgreementRefused,
    agreement_generate,
    agreement_template_save,
    agreement_transition,
)
from pactes.dossiers.services import dossier_transition

pytestmark = pytest.mark.django_db


def pdf_text(agreement: Agreement) -> str:
    with agreement.pdf_file.open("rb") as handle:
        data = handle.read()
    result = subprocess.run(["/usr/bin/pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(result.stdout.decode("utf-8").split())


def docx_text(agreement: Agreement) -> str:
    with agreement.docx_file.open("rb") as handle:
        document = docx.Document(io.BytesIO(handle.read()))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return " ".join(" ".join(parts).split())


def test_the_pdf_names_the_parties_the_amount_and_the_indicator_annex(draft_agreement):
    text = pdf_text(draft_agreement)
    assert "Préfet de la région Occitanie" in text
    assert "DDETS-PP" in text and "Ariège" in text
    assert "Association Solidarités Couserans" in text and "SIRET 83914701400014" in text
    assert draft_agreement.dossier.applicant_legal_representative.split(",")[0] in text
    assert "40 000 €" in text and "BOP 304" in text
    assert "Annexe 1 — Indicateurs d'impact" in text
    assert "Familles bénéficiaires ayant repris un emploi" in text
    assert "Annexe 2 — Annexe financière" in text
    assert "Avance à la signature de la convention" in text and "20 000 €" in text
    assert "CERFA n° 15059" in text


def test_the_docx_opens_and_holds_the_parties_the_amount_and_the_annexes(draft_agreement):
    text = docx_text(draft_agreement)
    assert "Préfet de la région Occitanie" in text
    assert "Association Solidarités Couserans" in text and "83914701400014" in text
    assert "40 000 €" in text
    assert "Annexe 1 — Indicateurs d'impact" in text
    assert "Familles bénéficiaires ayant repris un emploi" in text
    assert "Contributions volontaires en nature" in text


def test_the_convention_takes_the_amount_of_the_closed_session_decision(draft_agreement):
    assert draft_agreement.awarded_amount == Decimal("40000.00")
    assert draft_agreement.state == "brouillon"
    assert draft_agreement.template.version == 1 and draft_agreement.template.is_current


def test_regenerating_a_draft_makes_new_files_and_keeps_the_template_version(draft_agreement, accounts):
    first_pdf = draft_agreement.pdf_file.name
    agreement_template_save(
        call=draft_agreement.dossier.call, body="<h1>Autre modèle</h1>", by=accounts["admin"], note="essai"
    )
    again = agreement_generate(dossier=draft_agreement.dossier, by=accounts["instructeur.09"])
    assert again.pk == draft_agreement.pk
    assert again.pdf_file.name != first_pdf
    assert again.template.version == 1
    assert "Préfet de la région Occitanie" in pdf_text(again)


def test_a_sent_convention_is_not_regenerated(draft_agreement, accounts):
    agreement_transition(agreement=draft_agreement, transition="send", by=accounts["instructeur.09"])
    with pytest.raises(AgreementRefused) as refused:
        agreement_generate(dossier=draft_agreement.dossier, by=accounts["instructeur.09"])
    assert refused.value.reasons[0].code == "AGREEMENT_NOT_EDITABLE"


def test_only_a_retained_dossier_gets_a_convention(filed, accounts):
    dossier = dossier_transition(dossier=filed["09"], transition="start_review", by=accounts["instructeur.09"])
    with pytest.raises(AgreementRefused) as refused:
        agreement_generate(dossier=dossier, by=accounts["instructeur.09"])
    assert refused.value.reasons[0].code == "AGREEMENT_NOT_RETAINED"
    assert not Agreement.objects.exists()


def test_neither_an_applicant_nor_another_departement_draws_up_the_convention(retained_dossier, accounts):
    for user in (accounts["porteur.ariege"], accounts["instructeur.11"]):
        with pytest.raises(AgreementRefused) as refused:
            agreement_generate(dossier=retained_dossier["09"], by=user)
        assert refused.value.reasons[0].code == "AGREEMENT_NOT_ALLOWED"


def test_each_saved_template_is_a_new_version_and_only_the_last_is_current(draft_agreement, accounts):
    call = draft_agreement.dossier.call
    second = agreement_template_save(call=call, body="<p>v2 {{ dossier.reference }}</p>", by=accounts["admin"])
    third = agreement_template_save(call=call, body="<p>v3</p>", by=accounts["admin"])
    assert (second.version, third.version) == (2, 3)
    assert list(AgreementTemplate.objects.filter(call=call, is_current=True)) == [third]
    assert AgreementTemplate.objects.get(call=call, version=1).body.startswith(
        "<h1>Convention attributive de subvention</h1>"
    )


def test_a_template_with_a_syntax_error_is_refused_in_french(draft_agreement, accounts):
    with pytest.raises(AgreementRefused) as refused:
        agreement_template_save(call=draft_agreement.dossier.call, body="{% if %}", by=accounts["admin"])
    assert "erreur de syntaxe" in refused.value.reasons[0].message


def test_the_admin_saves_a_template_change_as_a_new_version(draft_agreement, accounts, client):
    client.force_login(accounts["admin"])
    current = draft_agreement.template
    response = client.post(
        f"/admin/agreements/agreementtemplate/{current.pk}/change/",
        {"body": "<h1>Convention {{ dossier.reference }}</h1>", "note": "Texte revu par le service juridique"},
    )
    assert response.status_code == 302
    versions = list(AgreementTemplate.objects.filter(call=current.call).order_by("version"))
    assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
    assert versions[0].body == current.body
    assert versions[1].created_by == accounts["admin"]


def test_the_docx_keeps_the_space_before_a_bold_name(draft_agreement):
    """Issue 16 (12): « et <strong>Association…</strong> » reads « et Association… », not « etAssociation… »."""
    with draft_agreement.docx_file.open("rb") as handle:
        document = docx.Document(io.BytesIO(handle.read()))
    paragraphs = [p.text for p in document.paragraphs]
    assert any(p.startswith("et Association Solidarités Couserans") for p in paragraphs)
    assert not any("etAssociation" in p or "  " in p for p in paragraphs)
