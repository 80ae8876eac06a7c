"""The interchange format ``pactes.dossier/1``: a dossier as one JSON document, and its check against the call.

One module per job, all reachable from here:

- ``canonical``: canonical JSON (sorted keys, no spaces, UTF-8) and its SHA-256, how amounts and rates are written;
- ``reading``: the JSON Schema, strict readers of a document's values, the rules' input (pure, no database);
- ``lookups``: the call, the applicant's territory and the perimeter's EPCI as the database knows them;
- ``verdict``: every rule on a document or on a dossier of the database;
- ``export``: a dossier of the database → document;
- ``importing``: document → draft dossier, numbered by ``pactes.dossiers.numbering``.

Words: a *document* is the ``dict`` of the format (``docs/formats/pactes.dossier-1.md``, the JSON Schema and the
example file beside these modules); a *path* names a place in it the way a person reads it:
``budget.expenses[2].amount`` (indices from 0).
"""

from pactes.dossiers.interchange.canonical import (
    FORMAT,
    canonical_json,
    document_sha256,
    figures,
    format_amount,
    format_number,
    format_rate,
)
from pactes.dossiers.interchange.export import dossier_to_document
from pactes.dossiers.interchange.importing import document_to_dossier, document_update_dossier
from pactes.dossiers.interchange.lookups import applicant_territory, call_of
from pactes.dossiers.interchange.reading import (
    EXAMPLE_PATH,
    SCHEMA_PATH,
    DocumentError,
    document_budget,
    document_to_input,
    json_path,
    load_document,
    read_amount,
    read_date,
    read_datetime,
    read_number,
    schema,
)
from pactes.dossiers.interchange.verdict import check_document, dossier_verdict

__all__ = [
    "EXAMPLE_PATH",
    "FORMAT",
    "SCHEMA_PATH",
    "DocumentError",
    "applicant_territory",
    "call_of",
    "canonical_json",
    "check_document",
    "document_budget",
    "document_sha256",
    "document_to_dossier",
    "document_to_input",
    "document_update_dossier",
    "dossier_to_document",
    "dossier_verdict",
    "figures",
    "format_amount",
    "format_number",
    "format_rate",
    "json_path",
    "load_document",
    "read_amount",
    "read_date",
    "read_datetime",
    "read_number",
    "schema",
]
