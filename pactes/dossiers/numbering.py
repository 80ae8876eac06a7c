"""The one owner of dossier numbers: « PTS-2024-09-0007 ».

Words: a *series* is the numbers sharing one prefix « PTS-<year>-<département>- »; the *year* is the year the call's
filing opens (Europe/Paris), so every dossier of one call is in the same year's series, whether it was created in
the editor or imported from a ``pactes.dossier/1`` file; the *département* is the instructing one's code (« 00 »
when none is known yet). Numbers run from 0001 in each series.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from pactes.calls.models import Call
from pactes.dossiers.models import Dossier

ATTEMPTS = 5
NO_DEPARTEMENT = "00"


class ReferenceUnavailable(Exception):
    """Every attempt found its number taken by a concurrent creation; nothing was written."""

    def __init__(self) -> None:
        super().__init__("Impossible d'attribuer un numéro de dossier : réessayez.")


def reference_prefix(*, call: Call, departement_code: str) -> str:
    """« PTS-2024-09- »: the series of a call's dossiers instructed by one département."""
    year = timezone.localtime(call.rules.filing_opens_at).year
    return f"PTS-{year}-{departement_code or NO_DEPARTEMENT}-"


def dossier_reference_next(*, call: Call, departement_code: str) -> str:
    """The next free number of the series (the highest one + 1, gaps left as they are)."""
    prefix = reference_prefix(call=call, departement_code=departement_code)
    numbers = [
        int(rest)
        for reference in Dossier.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)
        if (rest := reference.removeprefix(prefix)).isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def dossier_insert_numbered(*, dossier: Dossier, departement_code: str) -> Dossier:
    """Writes a new ``dossier`` under the next number of its series.

    Two creations at the same moment may read the same highest number: the unique reference refuses the second
    insert, which then takes the following number (``ATTEMPTS`` times at most, then ``ReferenceUnavailable``).
    """
    for _attempt in range(ATTEMPTS):
        dossier.reference = dossier_reference_next(call=dossier.call, departement_code=departement_code)
        try:
            with transaction.atomic():
                dossier.save(force_insert=True)
        except IntegrityError:
            if not Dossier.objects.filter(reference=dossier.reference).exists():
                raise  # another constraint refused the row: not a numbering race
            continue
        return dossier
    raise ReferenceUnavailable
