"""French wording of places in letters: « la DDETS-PP de l'Ariège », « du Gard », « des Pyrénées-Orientales ».

No Django here. The article of a département's name follows INSEE's « type de nom en clair » (TNCC, code officiel
géographique): 0 « de », 1 « d' », 2 « du », 3 « de la », 4 « des », 5 « de l' ». The départements of Occitanie are
listed; any other name falls back on its first letter (vowel or h: « de l' »; otherwise « de »).
"""

from __future__ import annotations

# INSEE, code officiel géographique 2024, départements d'Occitanie : code → TNCC.
DEPARTEMENT_TNCC: dict[str, int] = {
    "09": 5,  # l'Ariège
    "11": 5,  # l'Aude
    "12": 5,  # l'Aveyron
    "30": 2,  # le Gard
    "31": 3,  # la Haute-Garonne
    "32": 2,  # le Gers
    "34": 5,  # l'Hérault
    "46": 2,  # le Lot
    "48": 3,  # la Lozère
    "65": 4,  # les Hautes-Pyrénées
    "66": 4,  # les Pyrénées-Orientales
    "81": 2,  # le Tarn
    "82": 2,  # le Tarn-et-Garonne
}
_PREPOSITIONS = {0: "de ", 1: "d'", 2: "du ", 3: "de la ", 4: "des ", 5: "de l'"}
_ELIDED = "aeiouyhàâéèêëîïôöùûü"


def of_departement(code: str, name: str) -> str:
    """« de l'Ariège », « du Gard », « des Pyrénées-Orientales » (the name preceded by its preposition)."""
    tncc = DEPARTEMENT_TNCC.get(code)
    if tncc is None:
        tncc = 5 if name[:1].lower() in _ELIDED else 0
    return f"{_PREPOSITIONS[tncc]}{name}"
