"""Parser of INSEE Filosofi CSV files, in INSEE's own layout, without Django.

Words: a *column* of the file is an INSEE variable with its *millésime* suffix (``Q219`` = variable ``Q2``, incomes
2019); the *indicator code* is the variable without the suffix; the *level* is the kind of territory a row
describes (commune, EPCI, département, région); a *secret* value is one INSEE does not publish (``s``, ``nd``…):
it is kept as ``None``, never as 0.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

COMMUNE = "commune"
EPCI = "epci"
DEPARTEMENT = "departement"
REGION = "region"
LEVELS = (COMMUNE, EPCI, DEPARTEMENT, REGION)

# Markers INSEE uses for values it does not publish (statistical secret, not available, not significant).
SECRET_MARKERS = frozenset({"", "s", "nd", "ns", "nc", "n.d.", "secret"})

# Columns naming the territory, in order of preference (lower case).
CODE_COLUMNS = ("codgeo", "siren", "code", "code_insee", "codgeo_epci")
LEVEL_COLUMN = "niveau"
# Descriptive columns that are not indicators (lower case).
DESCRIPTIVE_COLUMNS = frozenset(
    {"libgeo", "libelle", "libelle_insee", "lib", "nom", "niveau", "libepci", "libdep", "libreg", "dep", "reg"}
)

# Variables whose name ends with two digits that are not a millésime.
SUFFIXLESS_CODES = frozenset({"TP60", "TP50", "TP40", "S80S20", "D1", "D9", "RD", "Q3_Q1"})

LEVEL_ALIASES = {
    "commune": COMMUNE,
    "com": COMMUNE,
    "communes": COMMUNE,
    "epci": EPCI,
    "departement": DEPARTEMENT,
    "département": DEPARTEMENT,
    "dep": DEPARTEMENT,
    "region": REGION,
    "région": REGION,
    "reg": REGION,
}

MAX_REPORTED_ERRORS = 10
_SUFFIX = re.compile(r"^(?P<code>[A-Z][A-Z0-9_]*?)(?P<yy>\d{2})$")
_EPCI_CODE = re.compile(r"^\d{9}$")
_COMMUNE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_DEPARTEMENT_CODE = re.compile(r"^(\d{2}|2[AB]|97\d)$")


class FilosofiError(ValueError):
    """The file cannot be imported; ``errors`` lists French messages naming line and column."""

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors = list(errors)
        more = ""
        if len(self.errors) > MAX_REPORTED_ERRORS:
            more = f"\n… et {len(self.errors) - MAX_REPORTED_ERRORS} autre(s) erreur(s)."
        super().__init__("\n".join(self.errors[:MAX_REPORTED_ERRORS]) + more)


@dataclass(frozen=True)
class Column:
    name: str
    indicator_code: str
    year: int | None  # None when the name has no millésime suffix


@dataclass(frozen=True)
class ParsedValue:
    indicator_code: str
    year: int
    level: str
    territory_code: str
    value: Decimal | None  # None = secret, « non diffusé »
    line: int

    @property
    def is_secret(self) -> bool:
        return self.value is None


@dataclass
class ParsedFile:
    columns: list[Column]
    values: list[ParsedValue] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","

    @property
    def indicator_codes(self) -> list[str]:
        return list(dict.fromkeys(c.indicator_code for c in self.columns))

    @property
    def years(self) -> list[int]:
        return sorted({v.year for v in self.values})

    @property
    def territory_count(self) -> int:
        return len({(v.level, v.territory_code) for v in self.values})


def split_column_name(name: str, known_codes: Iterable[str] = ()) -> tuple[str, int | None]:
    """``Q219`` → (``Q2``, 2019); ``S80S2019`` → (``S80S20``, 2019); ``RD`` → (``RD``, None)."""
    upper = name.strip().upper()
    known = SUFFIXLESS_CODES | {c.upper() for c in known_codes}
    if upper in known:
        return upper, None
    match = _SUFFIX.match(upper)
    if not match:
        return upper, None
    return match["code"], 2000 + int(match["yy"])


def level_of_code(code: str) -> str | None:
    """Guess the level from the shape of the code; régions need the ``niveau`` column or ``--level``."""
    if _EPCI_CODE.match(code):
        return EPCI
    if _COMMUNE_CODE.match(code):
        return COMMUNE
    if _DEPARTEMENT_CODE.match(code):
        return DEPARTEMENT
    return None


def parse_number(raw: str) -> Decimal | None:
    """``"19 380"``, ``"3293,6"``, ``"-13.3"`` → Decimal; a secret marker → None; anything else → ValueError."""
    text = raw.strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if text.lower() in SECRET_MARKERS:
        return None
    if "," in text and "." in text:
        raise ValueError(raw)
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite():
        raise ValueError(raw)
    return value


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (BOM tolerated), else Windows-1252, else latin-1: INSEE files come in all three."""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise FilosofiError(["Encodage du fichier non reconnu (attendu : UTF-8 ou Latin-1)."])  # pragma: no cover


def sniff_delimiter(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def parse_text(
    text: str,
    *,
    year: int | None = None,
    level: str | None = None,
    known_codes: Iterable[str] = (),
) -> ParsedFile:
    """Read the whole text; raise FilosofiError listing every problem, or return all values."""
    if level is not None and level not in LEVELS:
        raise FilosofiError([f"Niveau « {level} » inconnu (attendu : {', '.join(LEVELS)})."])
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise FilosofiError(["Le fichier est vide : la première ligne doit nommer les colonnes."])
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in next(reader)]
    lowered = [h.lower() for h in header]

    code_index = next((lowered.index(name) for name in CODE_COLUMNS if name in lowered), None)
    if code_index is None:
        raise FilosofiError(
            ["Ligne 1 : colonne du code géographique introuvable (attendu : CODGEO, siren, ou niveau et code)."]
        )
    level_index = lowered.index(LEVEL_COLUMN) if LEVEL_COLUMN in lowered else None

    known = list(known_codes)
    columns: list[tuple[int, Column]] = []
    errors: list[str] = []
    for index, name in enumerate(header):
        if index in (code_index, level_index) or name.lower() in DESCRIPTIVE_COLUMNS:
            continue
        if not name:
            errors.append(f"Ligne 1, colonne {index + 1} : nom de colonne vide.")
            continue
        code, column_year = split_column_name(name, known)
        if column_year is not None and year is not None and column_year != year:
            errors.append(
                f"Ligne 1, colonne {name} : la colonne indique le millésime {column_year} "
                f"mais l'année demandée est {year}."
            )
        columns.append((index, Column(name=name, indicator_code=code, year=column_year)))
    if not columns and not errors:
        errors.append("Ligne 1 : aucune colonne d'indicateur trouvée.")

    suffix_years = {c.year for _, c in columns if c.year is not None}
    default_year = year
    if default_year is None and len(suffix_years) == 1:
        default_year = next(iter(suffix_years))
    if default_year is None and any(c.year is None for _, c in columns):
        unsuffixed = ", ".join(c.name for _, c in columns if c.year is None)
        reason = "plusieurs millésimes dans le fichier" if suffix_years else "aucun millésime dans les noms"
        errors.append(f"Ligne 1 : millésime des colonnes {unsuffixed} inconnu ({reason}) ; précisez --year.")
    if errors:
        raise FilosofiError(errors)

    parsed = ParsedFile(columns=[c for _, c in columns], delimiter=delimiter)
    seen: dict[tuple[str, str], int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            errors.append(f"Ligne {line} : {len(row)} valeurs pour {len(header)} colonnes.")
            continue
        territory_code = row[code_index].strip()
        row_level = _row_level(row, level_index, level, territory_code, line, errors)
        if row_level is None:
            continue
        key = (row_level, territory_code)
        if key in seen:
            errors.append(f"Ligne {line} : le territoire {territory_code} figure déjà ligne {seen[key]}.")
            continue
        seen[key] = line
        for index, column in columns:
            try:
                value = parse_number(row[index])
            except ValueError:
                errors.append(
                    f"Ligne {line}, colonne {column.name} : « {row[index].strip()} » n'est pas un nombre "
                    "(ni une marque de secret s, nd, ns, nc)."
                )
                continue
            parsed.values.append(
                ParsedValue(
                    indicator_code=column.indicator_code,
                    year=column.year if column.year is not None else default_year or 0,
                    level=row_level,
                    territory_code=territory_code,
                    value=value,
                    line=line,
                )
            )
    if errors:
        raise FilosofiError(errors)
    if not parsed.values:
        raise FilosofiError(["Le fichier ne contient aucune ligne de données."])
    return parsed


def _row_level(
    row: list[str], level_index: int | None, level: str | None, code: str, line: int, errors: list[str]
) -> str | None:
    if not code:
        errors.append(f"Ligne {line} : code géographique vide.")
        return None
    if level is not None:
        return level
    if level_index is not None:
        raw = row[level_index].strip()
        found = LEVEL_ALIASES.get(raw.lower())
        if found is None:
            errors.append(f"Ligne {line}, colonne niveau : niveau « {raw} » inconnu.")
        return found
    guessed = level_of_code(code)
    if guessed is None:
        errors.append(
            f"Ligne {line} : le code « {code} » n'est ni une commune (5 caractères), ni un EPCI (SIREN à 9 chiffres), "
            "ni un département ; précisez --level."
        )
    return guessed


def parse_file(
    path: str | Path,
    *,
    year: int | None = None,
    level: str | None = None,
    known_codes: Iterable[str] = (),
) -> ParsedFile:
    text, encoding = decode(Path(path).read_bytes())
    parsed = parse_text(text, year=year, level=level, known_codes=known_codes)
    parsed.encoding = {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252", "latin-1": "Latin-1"}[encoding]
    return parsed
