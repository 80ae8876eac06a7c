"""Annex 1 computed (indicative list) and the per-département ranking, without a database."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from pactes.rules.annex import EpciStat, indicative_list, rank_by_departement
from pactes.rules.call_config import IndicativeListSpec

DATA = Path(__file__).resolve().parents[2] / "pactes" / "territories" / "data"
OCCITANIE = ["09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"]


def spec(lowest_count: int = 2, *, complete: bool = True) -> IndicativeListSpec:
    return IndicativeListSpec(
        indicator="Q2",
        year=2019,
        lowest_count=lowest_count,
        only_epci_mostly_in_region=True,
        add_poorest_per_departement_without_any=complete,
        method="Liste indicative : méthode de test.",
    )


def stat(siren: str, dep: str, value: str | None, *, inside: bool = True) -> EpciStat:
    return EpciStat(siren, f"EPCI {siren}", dep, inside, None if value is None else Decimal(value))


def test_lowest_values_first_and_ties_broken_by_siren():
    stats = [stat("300", "09", "15000"), stat("200", "09", "15000"), stat("100", "09", "16000")]
    result = indicative_list(stats, spec(2, complete=False), ["09"])
    assert result.sirens == ("200", "300")
    assert [e.rank for e in result.entries] == [1, 2]
    assert result.entries[0].reason.code == "annex.lowest"
    assert "parmi les 2 médianes les plus basses" in result.entries[0].reason.message.lower()


def test_epci_mostly_outside_region_and_missing_values_are_excluded():
    stats = [stat("100", "09", "10000", inside=False), stat("200", "09", None), stat("300", "09", "17000")]
    assert indicative_list(stats, spec(2, complete=False), ["09"]).sirens == ("300",)


def test_each_departement_without_any_gets_its_poorest_epci():
    stats = [
        stat("100", "09", "15000"),
        stat("110", "09", "15500"),
        stat("200", "11", "19000"),
        stat("210", "11", "18000"),
        stat("300", "12", "21000", inside=False),
    ]
    result = indicative_list(stats, spec(2), ["09", "11", "12"], departement_names={"11": "Aude"})
    assert result.sirens == ("100", "110", "210")
    added = result.entries[-1]
    assert added.reason.code == "annex.departement_poorest"
    assert added.reason.message.startswith("EPCI de plus faible médiane du département Aude (11)")
    assert added.rank == 3
    assert result.missing_departements == ("12",)


def test_no_completion_when_the_call_does_not_ask_for_it():
    stats = [stat("100", "09", "15000"), stat("200", "11", "19000")]
    assert indicative_list(stats, spec(1, complete=False), ["09", "11"]).sirens == ("100",)


def _real_stats() -> list[EpciStat]:
    with (DATA / "occitanie_epci_filosofi2019.csv").open(encoding="utf-8") as f:
        medians = {row["siren"]: row["Q219"] for row in csv.DictReader(f)}
    with (DATA / "occitanie_epci.csv").open(encoding="utf-8") as f:
        return [
            EpciStat(
                siren=row["siren"],
                name=row["nom"],
                departement_code=row["departement_majoritaire"],
                mostly_in_region=int(row["population_municipale_occitanie"]) * 2 > int(row["population_municipale"]),
                value=Decimal(medians[row["siren"]]) if medians.get(row["siren"]) else None,
            )
            for row in csv.DictReader(f)
        ]


def test_real_filosofi_2019_data_gives_43_epci_40_lowest_plus_3_departements():
    stats = _real_stats()
    assert len(stats) == 164
    result = indicative_list(stats, spec(40), OCCITANIE)
    assert len(result.entries) == 43
    completions = [e for e in result.entries if e.reason.code == "annex.departement_poorest"]
    assert sorted(e.departement_code for e in completions) == ["31", "46", "65"]
    assert {e.departement_code for e in result.entries} == set(OCCITANIE)
    assert result.missing_departements == ()


@pytest.mark.parametrize("lower_is_poorer", [True, False])
def test_ranking_by_departement_follows_the_indicator_direction(lower_is_poorer):
    stats = [
        stat("100", "09", "10"),
        stat("200", "09", "30"),
        stat("300", "11", "20"),
        stat("400", "11", "5", inside=False),
        stat("500", "11", None),
    ]
    groups = dict(rank_by_departement(stats, ["09", "11"], lower_is_poorer=lower_is_poorer))
    assert list(groups) == ["09", "11"]
    first_09 = groups["09"][0]
    assert first_09.siren == ("100" if lower_is_poorer else "200")
    assert first_09.regional_rank == 1
    aude = groups["11"]
    assert [r.siren for r in aude] == ["300", "400", "500"]
    assert aude[1].regional_rank is None and not aude[1].mostly_in_region
    assert aude[2].value is None and aude[2].regional_rank is None
