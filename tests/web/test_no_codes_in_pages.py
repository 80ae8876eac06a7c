"""Issue 15 (5): the words people read. Developer codes (``PERIMETER_EMPTY``, ``REPORT_LATE``, ``convention_non_signee``)
stay in the JSON, the API, the logs and the tests: no page, e-mail or document meant for a person shows one, and every
date, time, amount and year is written the French way of ``pactes.rules.formatting``.

The demo (``setup_demo``: every stage from filing to settlement) is loaded once; as every demo role, a crawler starts
from « Mon espace » and the home page and follows the same-origin links, a few pages per URL pattern (the same template
with other data adds nothing but time). Of each page it keeps the *read text*: the text nodes outside ``script``,
``style`` and ``template``, plus what assistive technologies read aloud (``alt``, ``aria-label``, ``title``,
``placeholder``). The e-mails the demo recorded and the documents it generated (PDF read back with pdftotext, DOCX
with python-docx) are read the same way.

What counts as a code: a word of six capitals or more with no lowercase letter (``\b[A-Z][A-Z_]{5,}\b``), or a
snake_case identifier (``en_instruction``). Three kinds of capitals are words, not codes, and are allowed:
- ``ACRONYMS``: the names of services and standards people read in capitals on State sites (DREETS, DDETS-PP…);
- the headings of the call's own text, quoted on its page and as its sections (« 1.4 FINANCEMENT »), read from
  the call's text file and YAML, and the names people typed or a register returned (« SAINT-GIRONS »).
"""

from __future__ import annotations

import html
import io
import re
import subprocess
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urldefrag, urlsplit

import docx
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import Resolver404, resolve

from pactes.accounts.models import User
from pactes.calls.models import Call
from pactes.dossiers.models import Dossier
from pactes.organisations.models import Organisation
from pactes.outbox.models import OutgoingEmail
from tests.conftest import _verified_force_login

ROLES = (
    "porteur.ariege@demo.test",
    "porteur.aude@demo.test",
    "instructeur.09@demo.test",
    "instructeur.66@demo.test",
    "dreets@demo.test",
    "jury@demo.test",
    "admin@demo.test",
)
START = ("/espace/", "/")
SKIPPED = ("/admin/", "/static/", "/compte/deconnexion", "/oidc/", "/api/")
PER_PATTERN = 2  # pages per URL pattern (route and query keys) and role: the same template, other data
LIMIT = 400  # pages per role: a runaway crawl fails loudly instead of looping
HREF = re.compile(r"""<a\s[^>]*href="([^"]+)\"""")

# Names people read in capitals on a State site; each one is a word of the page, not a developer's code.
ACRONYMS = frozenset(
    {
        "DREETS",  # Direction régionale de l'économie, de l'emploi, du travail et des solidarités
        "DDETSPP",  # DDETS-PP once its hyphen splits words (never written so, kept for safety of the split)
        "FILOSOFI",  # INSEE's dataset « Filosofi », quoted as the source of the indicators
        "SIRENE",  # INSEE's register of companies, where an organisation is looked up by its SIRET
        "OCCITANIE",  # the region's name in the call's title and headings
    }
)
CODE = re.compile(r"\b[A-Z][A-Z_]{5,}\b")
SNAKE = re.compile(r"(?<![\w./@-])[a-z]+(?:_[a-z0-9]+)+(?![\w./@-])")
MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()  # noqa: SIM905
)
# The French ways Pactes never writes (issue 15): « 04h12 », « 14:05 », « 4 Déc 2026 », « 1 décembre », « 2 026 ».
FORMATS = (
    (re.compile(r"\b\d{1,2}h\d{2}\b"), "heure écrite « 04h12 » (attendu « 4 h 12 »)"),
    (re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?![\d:])"), "heure écrite « 14:05 » (attendu « 14 h 05 »)"),
    (re.compile(r"\b0\d h \d{2}\b"), "heure avec un zéro initial (attendu « 4 h 12 »)"),
    (re.compile(r"\b1 (?:" + "|".join(MONTHS) + r")\b"), "premier du mois écrit « 1 » (attendu « 1er »)"),
    (
        re.compile(r"\b(?:" + "|".join(MONTHS) + r")[\s\u00a0\u202f]+[12][\s\u00a0\u202f]\d{3}\b"),
        "année avec séparateur de milliers",
    ),
    (re.compile(r"(?:[Aa]nnée comptable|[Mm]illésime|Filosofi)\s*:?\s*[12][\s\u00a0\u202f]\d{3}\b"), "année séparée"),
)
ABBREVIATED_DATE = re.compile(r"\b\d{1,2}[\s\u00a0]([A-Za-zéûÉÛ]{3,5})\.?[\s\u00a0]\d{4}\b")
LONE_GROUPED_YEAR = re.compile(r"^\(?(?:1[\s\u00a0\u202f]9[5-9]\d|2[\s\u00a0\u202f]0\d\d)\)?$")
SECTION_WORD = re.compile(r"[A-Z]{6,}")

pytestmark = pytest.mark.django_db


class ReadText(HTMLParser):
    """The text a person reads on a page (or hears): text nodes and the attributes read aloud, one piece each."""

    SILENT = frozenset({"script", "style", "template", "noscript"})
    READ_ATTRIBUTES = ("alt", "aria-label", "title", "placeholder")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._silent = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SILENT:
            self._silent += 1
        for name, value in attrs:
            if name in self.READ_ATTRIBUTES and value and value.strip():
                self.pieces.append(value.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SILENT:
            self._silent = max(0, self._silent - 1)

    def handle_data(self, data: str) -> None:
        if not self._silent and data.strip():
            self.pieces.append(" ".join(data.split()))


def read_text(page: str) -> list[str]:
    parser = ReadText()
    parser.feed(page)
    return parser.pieces


@dataclass
class Reading:
    """What a person reads somewhere: the place (URL, e-mail, file) and its pieces of text."""

    place: str
    pieces: list[str]


@dataclass
class Demo:
    pages: list[Reading] = field(default_factory=list)
    emails: list[Reading] = field(default_factory=list)
    documents: list[Reading] = field(default_factory=list)
    section_words: frozenset[str] = frozenset()


def internal(link: str) -> str | None:
    link = urldefrag(html.unescape(link)).url
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not link.startswith("/") or link.startswith(SKIPPED):
        return None
    return link


def pattern_of(url: str) -> str:
    """The URL's pattern: its route and the names of its query parameters (``/dossiers/<str:reference>/?page``)."""
    parts = urlsplit(url)
    keys = ",".join(sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    try:
        route = resolve(parts.path).route
    except Resolver404:
        route = parts.path
    return f"{route}?{keys}"


def crawl(client: Client, role: str) -> list[Reading]:
    seen: set[str] = set()
    per_pattern: Counter[str] = Counter()
    readings: list[Reading] = []
    queue: deque[str] = deque(START)
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        pattern = pattern_of(url)
        per_pattern[pattern] += 1
        if per_pattern[pattern] > PER_PATTERN:
            continue
        response = client.get(url)
        if response.status_code in (301, 302):
            target = internal(response.headers["Location"])
            if target is not None:
                queue.append(target)
            continue
        if response.status_code != 200 or "text/html" not in response.headers.get("Content-Type", ""):
            continue
        page = response.content.decode()
        readings.append(Reading(f"{role} {url}", read_text(page)))
        assert len(readings) <= LIMIT, f"Plus de {LIMIT} pages pour {role} : le crawl boucle ({url})."
        for link in HREF.findall(page):
            target = internal(link)
            if target is not None and target not in seen:
                queue.append(target)
    return readings


def call_text(call: Call) -> str:
    """The call's own text (its headings are in capitals: « CONTEXTE », « CONTENU »), quoted on its page."""
    return (Path(settings.PACTES_CALLS_DIR) / call.rules.text_file).read_text(encoding="utf-8")


def pdf_text(path: Path) -> list[str]:
    result = subprocess.run(["/usr/bin/pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return [" ".join(line.split()) for line in result.stdout.decode().splitlines() if line.strip()]


def docx_text(path: Path) -> list[str]:
    document = docx.Document(str(path))
    pieces = [p.text for p in document.paragraphs]
    pieces += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return [" ".join(p.split()) for p in pieces if p.strip()]


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    return tmp_path_factory.mktemp("uploads")


@pytest.fixture(autouse=True)
def media_root(settings, demo_media):
    settings.MEDIA_ROOT = demo_media
    return demo_media


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, demo_media) -> Demo:
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=demo_media), transaction.atomic():
        call_command("setup_demo", stdout=io.StringIO())
        result = Demo()
        for call in Call.objects.all():
            quoted = [*call.rules.sections.values(), call_text(call)]
            result.section_words |= {word for text in quoted for word in SECTION_WORD.findall(text)}
        # Names people typed or a register returned (« CCAS de SAINT-GIRONS »): their capitals are theirs.
        names = [*Organisation.objects.values_list("name", flat=True), *Dossier.objects.values_list("title", flat=True)]
        result.section_words |= {word for name in names for word in SECTION_WORD.findall(name)}
        for email in ROLES:
            client = Client()
            _verified_force_login(client, User.objects.get(email=email))  # the module's fixture runs before the patch
            result.pages += crawl(client, email)
        result.pages += crawl(Client(), "(anonyme)")
        for message in OutgoingEmail.objects.all():
            result.emails.append(Reading(f"courriel {message.template}", [message.subject, *message.body.splitlines()]))
        for path in sorted(demo_media.rglob("*")):
            if path.suffix == ".pdf":
                result.documents.append(Reading(path.name, pdf_text(path)))
            elif path.suffix == ".docx":
                result.documents.append(Reading(path.name, docx_text(path)))
        transaction.set_rollback(True)
    return result


def codes_in(reading: Reading, allowed: frozenset[str]) -> list[str]:
    found = []
    for piece in reading.pieces:
        found += [code for code in CODE.findall(piece) if code.replace("_", "") not in allowed]
        found += SNAKE.findall(piece)
    return found


def format_problems(reading: Reading) -> list[str]:
    problems = []
    for piece in reading.pieces:
        for pattern, what in FORMATS:
            problems += [f"{what} : « {m.group(0)} »" for m in pattern.finditer(piece)]
        for match in ABBREVIATED_DATE.finditer(piece):
            if match.group(1).lower() not in MONTHS:
                problems.append(f"mois abrégé : « {match.group(0)} »")
        if LONE_GROUPED_YEAR.match(piece):
            problems.append(f"année avec séparateur de milliers : « {piece} »")
    return problems


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{place} : {', '.join(sorted(set(items)))}" for place, items in sorted(found.items()))


def test_the_crawl_reads_the_pages_of_every_role_the_emails_and_the_documents(demo):
    roles = {reading.place.split(" ", 1)[0] for reading in demo.pages}
    assert roles == {*ROLES, "(anonyme)"}
    assert len(demo.pages) > 100
    assert {".pdf", ".docx"} <= {Path(d.place).suffix for d in demo.documents}
    assert demo.section_words >= {"FINANCEMENT", "CALENDRIER"}


def test_no_page_shows_a_developer_code(demo):
    allowed = ACRONYMS | demo.section_words
    found = {reading.place: codes for reading in demo.pages if (codes := codes_in(reading, allowed))}
    assert not found, "Codes visibles :\n" + report(found)


def test_no_email_nor_document_shows_a_developer_code(demo):
    allowed = ACRONYMS | demo.section_words
    found = {r.place: codes for r in demo.emails + demo.documents if (codes := codes_in(r, allowed))}
    assert not found, "Codes dans les courriels et documents :\n" + report(found)


def test_pages_emails_and_documents_write_dates_times_and_years_the_french_way(demo):
    found = {r.place: p for r in demo.pages + demo.emails + demo.documents if (p := format_problems(r))}
    assert not found, "Formats :\n" + report(found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Motif : PERIMETER_EMPTY — le périmètre est vide", ["PERIMETER_EMPTY"]),
        ("COFINANCING_TOO_LOW", ["COFINANCING_TOO_LOW"]),
        ("rappel convention_non_signee envoyé", ["convention_non_signee"]),
        ("La DREETS Occitanie et la DDETS-PP de l'Aude (SIRET, EPCI, RGAA)", []),
        ("1.4 FINANCEMENT (plafonnée)", []),
        ("fichier statuts_2024.pdf", []),
    ],
)
def test_the_code_detector_tells_codes_from_words(text, expected):
    assert codes_in(Reading("test", [text]), ACRONYMS | {"FINANCEMENT"}) == expected


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Déposé le 4 décembre 2026 à 04h12", True),
        ("le 4 Déc 2026", True),
        ("27 Sep 2024", True),
        ("Créé le 4 déc. 2026 à 14:05", True),
        ("le 1 décembre 2024", True),
        ("Année comptable 2 026", True),
        ("2\u202f019", True),
        ("Déposé le 4 décembre 2026 à 4 h 12", False),
        ("le 1er décembre 2024, 04/12/2026", False),
        ("62\u202f000\u00a0€ et 2\u202f019 habitants", False),
        ("Année comptable 2026, millésime 2019, 20 mars 2027", False),
    ],
)
def test_the_format_detector_tells_french_forms_from_others(text, bad):
    assert bool(format_problems(Reading("test", [text]))) is bad
