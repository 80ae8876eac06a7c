"""Field history where money and decisions move: every previous value of a proposal, a score sheet, a checklist
point, a decision, an EJ, a payment, the envelope and the convention templates, with its author and moment."""

from decimal import Decimal

from pactes.accounts.models import Role, User
from pactes.agreements.services import agreement_template_save
from pactes.assessment.services import evaluation_reopen, proposal_update, score_sheet_save
from pactes.calls.services import call_envelope_set
from pactes.dossiers.services import dossier_transition
from pactes.evidence.history import call_history, dossier_history
from pactes.instruction.services import checklist_record
from tests.assessment.fixtures import evaluate, sheet_scores

NBSP, NNBSP = "\u00a0", "\u202f"


def plain(text: str) -> str:
    return text.replace(NNBSP, " ").replace(NBSP, " ")


def colleague(dossier) -> User:
    return User.objects.create_user(
        "nadia.colleague@ddets-09.test",
        "mot-de-passe-solide",
        role=Role.INSTRUCTOR,
        departement=dossier.departement,
        first_name="Nadia",
        last_name="Collègue",
    )


def test_a_proposal_lowered_from_57000_to_7000_after_reopening_keeps_both_values_and_its_author(ariege, accounts):
    evaluate(ariege, accounts["i09"], "57000")
    other = colleague(ariege)
    evaluation_reopen(dossier=ariege, by=other)
    proposal_update(dossier=ariege, by=other, proposed_amount=Decimal("7000"))
    lowered = [
        c
        for c in dossier_history(ariege)
        if c.subject == "Proposition de la DDETS-PP" and c.field == "montant proposé (€)" and c.kind == "modification"
    ]
    assert [(plain(c.old), plain(c.new), c.author) for c in lowered] == [
        ("—", "57 000 €", str(accounts["i09"])),
        ("57 000 €", "7 000 €", "Nadia Collègue"),
    ]


def test_a_changed_score_and_justification_keep_their_previous_values(ariege, accounts):
    instructor = accounts["i09"]
    criterion = ariege.call.rules.criteria[0].code
    label = ariege.call.rules.criteria[0].label
    score_sheet_save(
        dossier=ariege, instructor=instructor, scores=sheet_scores(ariege), proposed_amount=None, opinion=""
    )
    changed = sheet_scores(ariege, {criterion: 1})
    score_sheet_save(dossier=ariege, instructor=instructor, scores=changed, proposed_amount=None, opinion="")
    scores = [
        c for c in dossier_history(ariege) if c.subject.startswith(f"Critère « {label} »")
    ]  # the label, never the code
    assert ("3", "1") in [(c.old, c.new) for c in scores if c.kind == "modification"]


def test_checklist_answers_keep_their_history(filed, accounts):
    dossier = dossier_transition(dossier=filed["09"], transition="start_review", by=accounts["i09"])
    item = dossier.call.rules.admissibility_checklist[0].code
    label = dossier.call.rules.admissibility_checklist[0].label
    checklist_record(dossier=dossier, by=accounts["i09"], answers={item: (True, "Vu")})
    checklist_record(dossier=dossier, by=accounts["i09"], answers={item: (False, "Pièce périmée")})
    changes = [c for c in dossier_history(dossier) if c.subject == f"Recevabilité : « {label} »"]
    assert [(c.field, c.old, c.new) for c in changes if c.kind == "modification"] == [
        ("vérifié", "oui", "non"),
        ("commentaire", "Vu", "Pièce périmée"),
    ]
    assert {c.author for c in changes} == {str(accounts["i09"])}


def test_the_regional_envelope_and_the_convention_templates_keep_their_history(real_call, accounts):
    call_envelope_set(call=real_call, amount=Decimal("1500000"), by=accounts["dreets"])
    call_envelope_set(call=real_call, amount=Decimal("1200000"), by=accounts["dreets"])
    agreement_template_save(call=real_call, body="<h2>Article 1</h2>", by=accounts["admin"], note="première")
    changes = call_history(real_call)
    envelope = [
        (plain(c.old), plain(c.new), c.author) for c in changes if c.field == "enveloppe régionale (BOP 304 action 23)"
    ]
    assert ("1 500 000 €", "1 200 000 €", str(accounts["dreets"])) in envelope
    assert any(c.subject.startswith("Modèle de convention") for c in changes)
    bodies = [c.new for c in changes if c.subject.startswith("Modèle de convention") and c.field == "texte du modèle"]
    assert bodies == ["texte de 18 caractères"]  # the template's source (its placeholders) stays in its version
