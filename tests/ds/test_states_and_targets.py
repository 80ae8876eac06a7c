"""DS states as Pactes states (forward only), and the mapping proposed by label and type."""

import pytest

from pactes.ds.states import import_path, plan
from pactes.ds.targets import IGNORE, choices_for, propose


@pytest.mark.parametrize(
    ("ds_state", "path"),
    [
        ("en_construction", ("import_submit",)),
        ("en_instruction", ("import_submit", "import_start_review")),
        ("accepte", ("import_submit", "import_start_review", "import_accept")),
        ("refuse", ("import_submit", "import_start_review", "import_refuse")),
        ("sans_suite", ("import_submit", "import_start_review", "import_close")),
    ],
)
def test_a_new_dossier_reaches_its_ds_state_through_the_import_transitions(ds_state, path):
    assert plan(current="brouillon", ds_state=ds_state, previous_ds_state=None).transitions == path


def test_the_import_never_moves_a_dossier_back():
    assert import_path("retenu", "en_instruction") is None
    assert plan(current="recevable", ds_state="en_instruction", previous_ds_state="en_construction").problem == ""
    went_back = plan(current="retenu", ds_state="en_instruction", previous_ds_state="accepte")
    assert went_back.transitions == () and "n'est pas repris" in went_back.problem


def test_a_decision_on_ds_for_a_dossier_instructed_in_pactes_is_reported_not_applied():
    decided = plan(current="evalue", ds_state="accepte", previous_ds_state="en_instruction")
    assert decided.transitions == ()
    assert "« Évalué » sur Pactes" in decided.problem


def test_an_unknown_ds_state_is_reported():
    assert "inconnu" in plan(current="brouillon", ds_state="brouillon", previous_ds_state=None).problem


@pytest.mark.parametrize(
    ("label", "champ_type", "collection", "expected"),
    [
        ("Intitulé du projet", "TextChamp", "", "title"),
        ("EPCI concerné", "EpciChamp", "", "perimeter.epci"),
        ("Plan d'actions", "RepetitionChamp", "", "actions"),
        ("Montant (€)", "DecimalNumberChamp", "budget.expenses", "budget.expenses.amount"),
        ("Date de fin", "DateChamp", "actions", "actions.end"),
        ("Le projet", "HeaderSectionChamp", "", IGNORE),
        ("Statuts de l'association", "PieceJustificativeChamp", "", IGNORE),
        ("Engagement sur l'honneur", "TextChamp", "", ""),
        ("Date de fin", "TextChamp", "actions", ""),  # the type matters too
    ],
)
def test_the_proposal_reads_the_label_and_the_type(label, champ_type, collection, expected):
    assert propose(label=label, champ_type=champ_type, collection=collection, taken=set()) == expected


def test_a_target_is_not_proposed_twice_and_each_kind_of_champ_gets_its_choices():
    assert propose(label="Titre du projet", champ_type="TextChamp", collection="", taken={"title"}) != "title"
    repetition = dict(choices_for(champ_type="RepetitionChamp", collection=""))
    assert "actions" in repetition and "title" not in repetition
    row = dict(choices_for(champ_type="TextChamp", collection="actions"))
    assert "actions.title" in row and "title" not in row and IGNORE in row
