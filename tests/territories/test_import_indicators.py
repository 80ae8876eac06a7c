"""manage.py import_indicators: shipped Filosofi 2019 files and an INSEE-layout file, idempotent, secrets kept."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pactes.territories.models import Indicator, IndicatorValue, ValueStatus
from pactes.territories.services import DATA_DIR

COUSERANS = "200067940"


def run(*args):
    out = StringIO()
    call_command("import_indicators", *[str(a) for a in args], stdout=out)
    return out.getvalue()


@pytest.fixture
def insee_file(tmp_path):
    path = tmp_path / "FILO2021_DISP_COM.csv"
    path.write_bytes("CODGEO;LIBGEO;MED21;TP6021\n09261;Saint-Girons;17 850;25,3\n09030;Auzat;s;nd\n".encode("cp1252"))
    return path


def value(code, level, territory, year=2019):
    return IndicatorValue.objects.get(indicator__code=code, level=level, territory_code=territory, year=year)


def test_shipped_files_give_every_epci_departement_and_the_region(territories):
    assert value("Q2", "epci", COUSERANS).value == Decimal("19380")
    assert value("GI", "epci", COUSERANS).value == Decimal("0.268")
    assert value("RD", "epci", COUSERANS).value == Decimal("3.4")
    assert value("Q2", "departement", "09").value == Decimal("20010")
    assert value("Q2", "region", "76").status == ValueStatus.AVAILABLE
    assert IndicatorValue.objects.filter(level="epci", indicator__code="Q2").count() == 164
    assert value("Q2", "epci", COUSERANS).source == "Insee, Filosofi 2019"


def test_indicators_take_label_unit_and_reading_direction_from_the_dictionary(territories):
    median = Indicator.objects.get(code="Q2")
    assert (median.label, median.unit, median.lower_is_poorer) == ("Médiane du niveau de vie", "€", True)
    assert Indicator.objects.get(code="PPMINI").lower_is_poorer is False
    assert Indicator.objects.get(code="GI").lower_is_poorer is False


def test_reimporting_a_shipped_file_changes_nothing(territories):
    count = IndicatorValue.objects.count()
    output = run(DATA_DIR / "occitanie_epci_filosofi2019.csv")
    assert "Valeurs : 0 créée(s), 0 mise(s) à jour, 4756 inchangée(s)" in output
    assert IndicatorValue.objects.count() == count


def test_insee_layout_file_is_imported_with_secrets_as_non_diffuse(territories, insee_file):
    output = run(insee_file)
    assert "Valeurs : 4 créée(s), 0 mise(s) à jour, 0 inchangée(s), dont 2 non diffusée(s)" in output
    assert "Indicateurs créés : MED, TP60" in output
    assert value("MED", "commune", "09261", 2021).value == Decimal("17850")
    assert value("TP60", "commune", "09261", 2021).value == Decimal("25.3")
    secret = value("MED", "commune", "09030", 2021)
    assert (secret.value, secret.status) == (None, ValueStatus.SECRET)
    poverty = Indicator.objects.get(code="TP60")
    assert (poverty.label, poverty.unit, poverty.lower_is_poorer) == ("Taux de pauvreté à 60 %", "%", False)
    assert secret.source == "Insee, Filosofi 2021"


def test_insee_layout_file_imported_twice_changes_nothing(territories, insee_file):
    run(insee_file)
    output = run(insee_file)
    assert "Valeurs : 0 créée(s), 0 mise(s) à jour, 4 inchangée(s)" in output
    assert IndicatorValue.objects.filter(year=2021).count() == 4


def test_a_new_value_in_the_file_updates_the_stored_one(territories, insee_file):
    run(insee_file)
    insee_file.write_text("CODGEO;MED21;TP6021\n09261;17900;25,3\n09030;s;nd\n", encoding="utf-8")
    output = run(insee_file, "--source", "Insee, Filosofi 2021 (révisé)")
    assert "Valeurs : 0 créée(s), 4 mise(s) à jour" in output
    assert value("MED", "commune", "09261", 2021).value == Decimal("17900")
    assert value("MED", "commune", "09261", 2021).source == "Insee, Filosofi 2021 (révisé)"


def test_garbage_refuses_the_whole_file_and_writes_nothing(territories, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("CODGEO;MED21\n09261;17850\n09030;beaucoup\n", encoding="utf-8")
    count = IndicatorValue.objects.count()
    with pytest.raises(CommandError) as error:
        run(path)
    assert "Import refusé, rien n'a été enregistré" in str(error.value)
    assert "Ligne 3, colonne MED21 : « beaucoup » n'est pas un nombre" in str(error.value)
    assert IndicatorValue.objects.count() == count
    assert not Indicator.objects.filter(code="MED").exists()


def test_dry_run_counts_but_writes_nothing(territories, insee_file):
    output = run(insee_file, "--dry-run")
    assert "Simulation (--dry-run)" in output
    assert "4 créée(s)" in output
    assert not IndicatorValue.objects.filter(year=2021).exists()
    assert not Indicator.objects.filter(code="MED").exists()


def test_territories_outside_the_reference_are_ignored(territories, tmp_path):
    path = tmp_path / "paris.csv"
    path.write_text("CODGEO;MED21\n75056;28000\n09261;17850\n", encoding="utf-8")
    output = run(path)
    assert "Territoires ignorés (hors territoires de référence) : 1" in output
    assert not IndicatorValue.objects.filter(territory_code="75056").exists()


def test_region_file_needs_the_level_option(territories, tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text("CODGEO;MED21\n76;21000\n", encoding="utf-8")
    run(path, "--level", "region")
    assert value("MED", "region", "76", 2021).value == Decimal("21000")


def test_missing_file_gives_a_french_error(territories, tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        run(tmp_path / "absent.csv")
