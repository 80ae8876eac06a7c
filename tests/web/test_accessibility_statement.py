"""Issue 15 (6): the accessibility statement follows the RGAA model (ADR 0048) and the footer of every page states the
level it declares."""

import html
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

RGAA_SECTIONS = (
    "État de conformité",
    "Résultats des tests",
    "Contenus non accessibles",
    "Établissement de cette déclaration",
    "Retour d'information et contact",
    "Voies de recours",
    "Plan d'action",
)
RGAA_SUBSECTIONS = (
    "Non-conformités",
    "Dérogations pour charge disproportionnée",
    "Contenus non soumis à l'obligation d'accessibilité",
    "Technologies utilisées pour la réalisation du site",
    "Environnement de test",
    "Outils pour évaluer l'accessibilité",
    "Pages du site ayant fait l'objet de la vérification",
)


def page(address: str) -> str:
    response = Client().get(address)
    assert response.status_code == 200
    return response.content.decode()


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def part(document: str, tag: str) -> str:
    return re.search(rf"<{tag}\b.*?</{tag}>", document, re.DOTALL).group(0)


def headings(document: str, level: int) -> list[str]:
    return [text(h) for h in re.findall(rf"<h{level}\b[^>]*>(.*?)</h{level}>", document, re.DOTALL)]


def test_the_statement_has_every_section_of_the_rgaa_model_in_order():
    statement = part(page("/accessibilite/"), "main")
    assert headings(statement, 1) == ["Déclaration d'accessibilité"]
    assert headings(statement, 2) == list(RGAA_SECTIONS)
    assert set(RGAA_SUBSECTIONS) <= set(headings(statement, 3))


def test_the_statement_says_how_it_was_measured_and_that_it_is_not_a_full_audit():
    statement = part(page("/accessibilite/"), "main")
    words = text(statement)
    assert "partiellement conforme" in words
    assert "pas d'un audit complet du RGAA" in words
    assert re.search(r"\d+ % des pages testées \(\d+ pages : \d+ types de pages", words)
    assert "axe-core" in words and "320 pixels" in words and "200 %" in words
    assert "Vérifications manuelles" in words
    assert "Établie le" in words and "Défenseur des droits" in words
    assert 'href="mailto:' in statement


@pytest.mark.parametrize("address", ["/", "/accessibilite/", "/compte/connexion/"])
def test_the_footer_of_every_page_states_the_level_of_the_statement(address):
    level = re.search(r"Pactes est (\w+(?: \w+)?) avec le référentiel", text(part(page("/accessibilite/"), "main")))
    assert level is not None
    links = re.findall(r'<a [^>]*href="/accessibilite/"[^>]*>(.*?)</a>', part(page(address), "footer"), re.DOTALL)
    assert [text(link) for link in links] == [f"Accessibilité : {level.group(1)}"]
