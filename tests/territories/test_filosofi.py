"""The INSEE Filosofi parser, without database: layouts, decimals, secrets, millésimes, levels, errors."""

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from pactes.territories import filosofi
from pactes.territories.filosofi import FilosofiError, parse_file, parse_text, split_column_name

DATA = Path(filosofi.__file__).parent / "data"


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("Q219", ("Q2", 2019)),
        ("MED21", ("MED", 2021)),
        ("TP6021", ("TP60", 2021)),
        ("S80S2019", ("S80S20", 2019)),
        ("GI19", ("GI", 2019)),
        ("PPMINI19", ("PPMINI", 2019)),
        ("D119", ("D1", 2019)),
        ("NBMEN19", ("NBMEN", 2019)),
        ("TP60AGE121", ("TP60AGE1", 2021)),
        ("med20", ("MED", 2020)),
        ("RD", ("RD", None)),
        ("Q3_Q1", ("Q3_Q1", None)),
        ("TP60", ("TP60", None)),
        ("S80S20", ("S80S20", None)),
    ],
)
def test_column_name_splits_into_indicator_code_and_millesime(column, expected):
    assert split_column_name(column) == expected


def test_known_codes_ending_with_digits_keep_no_millesime():
    assert split_column_name("ABC12", known_codes=["ABC12"]) == ("ABC12", None)


def test_semicolon_layout_with_decimal_comma_is_read():
    parsed = parse_text("CODGEO;LIBGEO;MED21;TP6021\n09261;Saint-Girons;17 850;25,3\n")
    assert parsed.delimiter == ";"
    values = {(v.indicator_code, v.year): v.value for v in parsed.values}
    assert values == {("MED", 2021): Decimal("17850"), ("TP60", 2021): Decimal("25.3")}
    assert {v.level for v in parsed.values} == {"commune"}


def test_comma_layout_with_quoted_decimal_comma_is_read():
    parsed = parse_text('CODGEO,MED21\n200067940,"19380,5"\n')
    assert parsed.values[0].value == Decimal("19380.5")
    assert parsed.values[0].level == "epci"


@pytest.mark.parametrize("marker", ["s", "S", "nd", "ns", "nc", "", " "])
def test_secret_markers_give_none_never_zero(marker):
    parsed = parse_text(f"CODGEO;MED21;TP6021\n09261;{marker};12\n")
    med = next(v for v in parsed.values if v.indicator_code == "MED")
    assert med.value is None
    assert med.is_secret


def test_columns_without_suffix_take_the_millesime_of_the_file():
    parsed = parse_text("siren,Q219,RD,Q3_Q1\n200067940,19380,3.4,11550\n")
    assert {(v.indicator_code, v.year) for v in parsed.values} == {("Q2", 2019), ("RD", 2019), ("Q3_Q1", 2019)}


def test_columns_without_any_millesime_need_the_year_option():
    with pytest.raises(FilosofiError, match="précisez --year"):
        parse_text("CODGEO;RD\n09261;3,1\n")
    parsed = parse_text("CODGEO;RD\n09261;3,1\n", year=2020)
    assert parsed.values[0].year == 2020


def test_year_option_contradicting_a_column_suffix_is_refused():
    with pytest.raises(FilosofiError, match="MED19 : la colonne indique le millésime 2019"):
        parse_text("CODGEO;MED19\n09261;17850\n", year=2021)


def test_latin1_file_with_accented_header_is_read(tmp_path):
    path = tmp_path / "filo.csv"
    path.write_bytes("CODGEO;LIBGEO;MED21\n09122;Foix Ariège;20 100\n".encode("cp1252"))
    parsed = parse_file(path)
    assert parsed.encoding == "Windows-1252"
    assert parsed.values[0].value == Decimal("20100")


def test_utf8_bom_is_tolerated(tmp_path):
    path = tmp_path / "filo.csv"
    path.write_bytes("\ufeffCODGEO;MED21\n09122;20100\n".encode())
    parsed = parse_file(path)
    assert parsed.values[0].territory_code == "09122"
    assert parsed.encoding == "UTF-8"


def test_garbage_value_is_refused_naming_line_and_column():
    text = "CODGEO;MED21;TP6021\n09261;17850;25,3\n09122;abc;12\n"
    with pytest.raises(FilosofiError) as error:
        parse_text(text)
    assert "Ligne 3, colonne MED21 : « abc » n'est pas un nombre" in str(error.value)


def test_every_error_is_listed_not_only_the_first():
    with pytest.raises(FilosofiError) as error:
        parse_text("CODGEO;MED21\n09261;x\n09122;y\n")
    assert len(error.value.errors) == 2


def test_missing_code_column_is_refused():
    with pytest.raises(FilosofiError, match="colonne du code géographique introuvable"):
        parse_text("LIBGEO;MED21\nFoix;20100\n")


def test_same_territory_twice_is_refused():
    with pytest.raises(FilosofiError, match="figure déjà ligne 2"):
        parse_text("CODGEO;MED21\n09261;1\n09261;2\n")


def test_row_with_missing_cells_is_refused():
    with pytest.raises(FilosofiError, match="Ligne 2 : 2 valeurs pour 3 colonnes"):
        parse_text("CODGEO;MED21;TP6021\n09261;1\n")


@pytest.mark.parametrize(
    ("code", "level"),
    [("09261", "commune"), ("2A004", "commune"), ("200067940", "epci"), ("09", "departement"), ("974", "departement")],
)
def test_level_is_deduced_from_the_shape_of_the_code(code, level):
    assert parse_text(f"CODGEO;MED21\n{code};1\n").values[0].level == level


def test_level_option_applies_to_every_row():
    assert parse_text("CODGEO;MED21\n76;1\n", level="region").values[0].level == "region"


def test_unrecognised_code_without_level_is_refused():
    with pytest.raises(FilosofiError, match="précisez --level"):
        parse_text("CODGEO;MED21\nFRANCE;1\n")


def test_shipped_epci_file_is_read_with_its_29_indicators():
    parsed = parse_file(DATA / "occitanie_epci_filosofi2019.csv")
    assert parsed.territory_count == 164
    assert len(parsed.indicator_codes) == 29
    assert parsed.years == [2019]
    assert "libelle_insee" not in {c.name.lower() for c in parsed.columns}
    couserans = {v.indicator_code: v.value for v in parsed.values if v.territory_code == "200067940"}
    assert couserans["Q2"] == Decimal("19380")
    assert couserans["GI"] == Decimal("0.268")


def test_shipped_departement_file_reads_the_niveau_column():
    parsed = parse_file(DATA / "occitanie_filosofi2019_departements_region.csv")
    levels = {(v.level, v.territory_code) for v in parsed.values}
    assert ("region", "76") in levels
    assert ("departement", "09") in levels
    assert parsed.territory_count == 14


@pytest.mark.parametrize("module", ["filosofi.py", "names.py", "geometry.py"])
def test_pure_modules_do_not_import_django(module):
    tree = ast.parse((Path(filosofi.__file__).parent / module).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert "django" not in imported
