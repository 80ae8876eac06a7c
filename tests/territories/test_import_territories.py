"""manage.py import_territories: counts of the 2024 geography and idempotence."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pactes.territories.models import Commune, Departement, Epci, Indicator

COUSERANS = "200067940"
CEZE_CEVENNES = "200035129"  # interregional: Gard (30) and Ardèche (07)


def run(*args):
    out = StringIO()
    call_command("import_territories", *args, stdout=out)
    return out.getvalue()


def test_reference_holds_13_departements_164_epci_and_4515_communes(territories):
    assert Departement.objects.count() == 13
    assert Epci.objects.count() == 164
    assert Commune.objects.count() == 4515
    assert Commune.objects.filter(in_region=True).count() == 4453


def test_communes_outside_occitanie_have_no_departement_but_keep_its_code(territories):
    outside = Commune.objects.filter(in_region=False)
    assert outside.count() == 62
    assert not outside.filter(departement__isnull=False).exists()
    assert set(outside.values_list("departement_code", flat=True)) == {"07", "40", "47", "64", "84"}
    assert not Commune.objects.filter(in_region=True, departement__isnull=True).exists()


def test_interregional_epci_is_linked_only_to_the_departements_of_occitanie(territories):
    epci = Epci.objects.get(siren=CEZE_CEVENNES)
    assert epci.is_interregional
    assert list(epci.departements.values_list("code", flat=True)) == ["30"]
    assert epci.communes.filter(in_region=False, departement_code="07").exists()


def test_epci_carries_populations_kind_and_contour(territories):
    epci = Epci.objects.get(siren=COUSERANS)
    assert (epci.population_municipale, epci.population_totale) == (29978, 30855)
    assert epci.kind == "CC"
    assert epci.main_departement_code == "09"
    assert epci.geometry["type"] == "Polygon"
    assert epci.communes.count() == 94
    assert not Epci.objects.filter(outline__isnull=True).exists()  # each outline in its own table (ADR 0042)
    assert not Departement.objects.filter(outline__isnull=True).exists()


def test_former_insee_codes_are_attached_to_the_commune_nouvelle(territories):
    assert "09278" in Commune.objects.get(code_insee="09030").former_codes.split(";")


def test_second_run_changes_nothing(territories):
    before = (Departement.objects.count(), Epci.objects.count(), Commune.objects.count())
    output = run()
    assert "Départements : 13 (0 créé(s), 0 mis à jour, 13 inchangé(s))" in output
    assert "EPCI : 164 (0 créé(s), 0 mis à jour, 164 inchangé(s))" in output
    assert "Communes : 4515 (0 créé(s), 0 mis à jour, 4515 inchangé(s))" in output
    assert "Liens EPCI–départements modifiés : 0" in output
    assert (Departement.objects.count(), Epci.objects.count(), Commune.objects.count()) == before


def test_first_run_on_an_empty_database_creates_everything(territories):
    Indicator.objects.all().delete()
    Commune.objects.all().delete()
    Epci.objects.all().delete()
    Departement.objects.all().delete()
    output = run()
    assert "Départements : 13 (13 créé(s)" in output
    assert "EPCI : 164 (164 créé(s)" in output
    assert "Communes : 4515 (4515 créé(s)" in output
    assert "dont 4453 en Occitanie et 62 hors région" in output
    assert Epci.departements.through.objects.count() == 176


def test_a_changed_value_is_set_back_by_the_next_run(territories):
    Commune.objects.filter(code_insee="09261").update(population_municipale=1, search_name="")
    output = run()
    assert "Communes : 4515 (0 créé(s), 1 mis à jour, 4514 inchangé(s))" in output
    commune = Commune.objects.get(code_insee="09261")
    assert commune.population_municipale > 1
    assert commune.search_name == "saint girons"


def test_missing_data_directory_gives_a_french_error(territories, tmp_path):
    with pytest.raises(CommandError, match="Fichier de référence introuvable"):
        run("--data-dir", str(tmp_path))
