"""The fields of the budget step as HTML, kept between requests under the version of what they show (ADR 0056).

Words: the *version* of the budget step's fields is the dossier's id, edition counter and modification time (every
write of its lines, partners and actions goes through ``dossier_save_step`` or ``document_update_dossier``, which
change both), its call's id, YAML hash and date offset (the labels, the cap, the rate), and the code that renders
them (the project's templates, the editor's forms and renderer, the formatting, Django and django-dsfr). The fields
show nothing else: no person, no clock, no part of the request. Only the fields of stored values (unbound forms) are
kept; a refused save shows what was typed, with its errors, and is never kept.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from pactes.dossiers.models import Dossier

TEMPLATE = "dossiers/steps/_budget_fields.html"
_PACTES = Path(__file__).resolve().parent.parent.parent.parent
_CODE = [
    *sorted((_PACTES / "templates").rglob("*.html")),
    *sorted((_PACTES / "web" / "dossiers").rglob("*.py")),
    *sorted((_PACTES / "rules").glob("*.py")),
    *sorted((_PACTES / "core" / "templatetags").glob("*.py")),
]
_CODE_DIGEST = hashlib.sha256(
    b"".join(p.read_bytes() for p in _CODE) + f"{django.__version__} {package_version('django-dsfr')}".encode()
).hexdigest()[:16]


def fields_key(dossier: Dossier) -> str:
    """The cache key of the budget step's fields of ``dossier`` (loaded with its call), for its stored values."""
    call = dossier.call
    parts = (dossier.pk, dossier.lock_version, dossier.updated_at.isoformat(), call.pk, call.yaml_sha256)
    digest = hashlib.sha256(repr((*parts, call.date_offset_days)).encode()).hexdigest()
    return f"pactes:budget-fields:{_CODE_DIGEST}:{digest}"


def kept_fields(dossier: Dossier) -> SafeString | None:
    """The fields' HTML of the dossier's stored values, when this version was shown already."""
    html = cache.get(fields_key(dossier))
    return None if html is None else SafeString(html)


class FieldsHtml:
    """``TEMPLATE`` rendered with ``context`` when the page shows it (after the step's validation, with its errors);
    kept under ``key`` when given (stored values only)."""

    def __init__(self, context: dict[str, Any], key: str | None) -> None:
        self.context = context
        self.key = key

    def __html__(self) -> SafeString:
        html = render_to_string(TEMPLATE, self.context)
        if self.key is not None:
            cache.set(self.key, str(html), timeout=settings.PACTES_REFERENCE_CACHE_SECONDS)
        return SafeString(html)

    def __str__(self) -> str:
        return self.__html__()
