"""Documents that cannot leak: templates typed in the administration are rendered in a sandbox.

Words: the *sandbox* is a Django template engine of its own (``SandboxEngine``): no loader (no ``include`` or
``extends`` can reach a file), autoescape always on, and only the tags and filters of ``document_library`` (no
``safe``, ``autoescape``, ``load`` of another library, ``include``, ``extends``, ``ssi``, ``url``, ``static``,
``debug``…). Its *context* is made of *plain values* built for the document: strings, numbers, ``Decimal``, dates,
lists, dicts and frozen dataclasses of them — never a model instance (no path from a convention to its author's
password hash) and never a string already marked safe. The rendered HTML is then cleaned (nh3) down to the elements
of a document: headings, paragraphs, lists, tables, emphasis — no ``<link>``, ``<img>``, ``<style>``, ``<script>``
(ADR 0030).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any

import nh3
from django.template import Context, Engine, TemplateSyntaxError
from django.utils.html import escape
from django.utils.safestring import SafeData

from pactes.core.document_library import ALLOWED_FILTERS, ALLOWED_TAGS, PROJECT_FILTERS
from pactes.rules.call_config import CallConfig

LIBRARY = "pactes.core.document_library"
# Older convention templates start with ``{% load pactes_format %}``: its filters are the sandbox's own builtins,
# so that exact statement is dropped (any other ``load`` is refused).
LEGACY_LOAD_RE = re.compile(r"{%-?\s*load\s+pactes_format\s*-?%}")
BLOCK_WORDS = {"else", "elif", "empty", "endif", "endfor", "endwith", "endcomment", "endspaceless", "endifchanged"}
DOCUMENT_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "div", "span", "section", "blockquote",
    "ul", "ol", "li", "dl", "dt", "dd", "strong", "b", "em", "i", "u", "sup", "sub", "small",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col",
}  # fmt: skip
DOCUMENT_ATTRIBUTES = {"*": {"class"}, "th": {"colspan", "rowspan", "scope"}, "td": {"colspan", "rowspan"}}
REFUSED_ELEMENTS = ("link", "img", "style", "script", "iframe", "object", "embed", "base", "meta", "svg", "a", "form")
TAG_RE = re.compile(r"{%-?\s*(\w+)")
FILTER_RE = re.compile(r"\|\s*(\w+)")
EXPRESSION_RE = re.compile(r"{{.*?}}|{%.*?%}", re.DOTALL)
ELEMENT_RE = re.compile(r"<\s*(\w+)", re.IGNORECASE)
ATTACHMENT_RE = re.compile(r"\brel\s*=\s*[\"']?[^\"'>]*attachment", re.IGNORECASE)
WHY = {
    "safe": "les valeurs saisies par un porteur ou un agent sont toujours échappées",
    "safeseq": "les valeurs saisies par un porteur ou un agent sont toujours échappées",
    "autoescape": "l'échappement des valeurs ne peut pas être désactivé",
    "include": "un modèle ne peut pas inclure un autre fichier",
    "extends": "un modèle ne peut pas étendre un autre fichier",
    "ssi": "un modèle ne peut pas lire un fichier du serveur",
    "load": "aucune bibliothèque de balises ne peut être chargée",
    "debug": "le contexte du serveur n'est pas affichable",
}
PLAIN_SCALARS = (str, int, float, bool, Decimal, dt.date, dt.time, type(None))


class SandboxEngine(Engine):
    """An engine with none of Django's default builtins: only what ``document_library`` registers."""

    default_builtins: list[str] = []


@cache
def sandbox_engine() -> SandboxEngine:
    return SandboxEngine(
        dirs=[],
        app_dirs=False,
        loaders=[],
        libraries={},
        builtins=[LIBRARY],
        autoescape=True,
        string_if_invalid="",
        debug=False,
    )


def ensure_plain(value: Any, where: str = "contexte") -> None:
    """Raises ``TypeError`` naming the first value of ``value`` that is not a plain value (see the module)."""
    if isinstance(value, SafeData):
        raise TypeError(f"{where} : texte déjà marqué sûr, refusé dans un document")
    if isinstance(value, Enum) and not isinstance(value, str | int):
        raise TypeError(f"{where} : énumération {type(value).__name__} ; donnez son libellé")
    if isinstance(value, PLAIN_SCALARS):
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where} : clé {key!r} qui n'est pas un texte")
            ensure_plain(item, f"{where}.{key}")
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            ensure_plain(item, f"{where}[{index}]")
        return
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and value.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        for item in dataclasses.fields(value):
            ensure_plain(getattr(value, item.name), f"{where}.{item.name}")
        return
    raise TypeError(f"{where} : {type(value).__module__}.{type(value).__name__} n'est pas une valeur simple")


def rules_values(rules: CallConfig) -> dict[str, str]:
    """What a document says of its call's rules: names, issuer, funding, contacts (plain strings)."""
    names = (
        "title", "short_title", "region_name", "issuer_authority", "issuer_service", "funding_label",
        "funding_program", "funding_action", "mailbox", "subject_prefix",
    )  # fmt: skip
    return {name: str(getattr(rules, name, "")) for name in names}


def document_template_problems(source: str) -> list[str]:
    """What makes ``source`` unfit to be a document template, in French (empty when it is fit)."""
    problems: list[str] = []
    for expression in EXPRESSION_RE.findall(source):
        tag = TAG_RE.match(expression)
        if (
            tag
            and tag.group(1) not in ALLOWED_TAGS
            and tag.group(1) not in BLOCK_WORDS
            and not tag.group(1).startswith("end")
        ):
            name = tag.group(1)
            if name == "load" and LEGACY_LOAD_RE.fullmatch(expression):
                continue
            reason = WHY.get(name, f"balises autorisées : {', '.join(ALLOWED_TAGS)}")
            problems.append(f"La balise {{% {name} %}} n'est pas autorisée dans un modèle de document ({reason}).")
        for name in FILTER_RE.findall(expression):
            if name not in ALLOWED_FILTERS and name not in PROJECT_FILTERS:
                reason = WHY.get(name, "ce filtre n'est pas disponible dans les modèles de document")
                problems.append(f"Le filtre « |{name} » n'est pas autorisé dans un modèle de document ({reason}).")
    text = EXPRESSION_RE.sub("", source)
    for element in sorted({e.lower() for e in ELEMENT_RE.findall(text)} & set(REFUSED_ELEMENTS)):
        problems.append(
            f"L'élément HTML <{element}> n'est pas autorisé dans un modèle de document (ni lien, ni image, ni "
            "style, ni script, ni pièce incorporée : seulement titres, paragraphes, listes et tableaux)."
        )
    if ATTACHMENT_RE.search(text):
        problems.append('Une pièce incorporée (rel="attachment") n\'est pas autorisée dans un modèle de document.')
    if not problems:
        try:
            sandbox_engine().from_string(LEGACY_LOAD_RE.sub("", source))
        except TemplateSyntaxError as exc:
            problems.append(f"Le modèle contient une erreur de syntaxe : {exc}")
    return list(dict.fromkeys(problems))


def clean_document_html(html: str) -> str:
    """Only the elements of a document survive: headings, paragraphs, lists, tables, emphasis."""
    return nh3.clean(html, tags=DOCUMENT_TAGS, attributes=DOCUMENT_ATTRIBUTES, link_rel=None, strip_comments=True)


def render_sandboxed(source: str, context: dict[str, Any]) -> str:
    """Renders a document template typed in the administration with a context of plain values, then cleans it.

    A template that the sandbox cannot compile (written before these rules) renders as a French notice instead of
    failing the document."""
    ensure_plain(context)
    try:
        template = sandbox_engine().from_string(LEGACY_LOAD_RE.sub("", source))
    except TemplateSyntaxError as exc:
        return f"<p><strong>Modèle de document invalide : {escape(str(exc))}</strong></p>"
    return clean_document_html(template.render(Context(context, autoescape=True)))
