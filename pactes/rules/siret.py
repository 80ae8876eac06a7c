"""SIRET numbers of applicants (§1.3.4): 14 digits, the SIREN (9) then the establishment number (5), with a key.

No Django here. The key is Luhn's; La Poste's establishments (SIREN 356000000) follow INSEE's alternative rule
instead: the sum of the 14 digits is a multiple of 5 (its head office 356 000 000 00048 still satisfies Luhn).
"""

from __future__ import annotations

import re

from pactes.rules.verdict import Reason

SIRET_INVALID = "SIRET_INVALID"
SIRET_LENGTH = 14
LA_POSTE_SIREN = "356000000"

_WHITESPACE = re.compile(r"[\s\u00a0\u202f\u2009]")


def normalize_siret(value: str) -> str:
    """The SIRET without spaces of any kind (« 130 025 265 00013 » → « 13002526500013 »)."""
    return _WHITESPACE.sub("", value or "")


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def key_is_valid(siret: str) -> bool:
    """The control key of a normalized 14-digit SIRET, with La Poste's alternative rule."""
    if luhn_is_valid(siret):
        return True
    return siret.startswith(LA_POSTE_SIREN) and sum(int(c) for c in siret) % 5 == 0


def siret_problems(value: str, *, section: str = "") -> list[Reason]:
    """Why ``value`` is not a valid SIRET (empty list when it is)."""
    siret = normalize_siret(value)
    shown = value.strip() if value else ""
    if not siret:
        return [Reason(SIRET_INVALID, "Le numéro SIRET du porteur est absent.", section=section)]
    if not siret.isascii() or not siret.isdigit():
        return [
            Reason(
                SIRET_INVALID,
                f"Le SIRET « {shown} » ne doit contenir que des chiffres (14 chiffres, espaces acceptés).",
                section=section,
            )
        ]
    if len(siret) != SIRET_LENGTH:
        return [
            Reason(
                SIRET_INVALID,
                f"Le SIRET « {shown} » compte {len(siret)} chiffres au lieu de {SIRET_LENGTH}.",
                section=section,
            )
        ]
    if not key_is_valid(siret):
        return [
            Reason(
                SIRET_INVALID,
                f"Le SIRET « {shown} » a bien {SIRET_LENGTH} chiffres mais sa clé de contrôle est fausse : "
                "vérifiez qu'aucun chiffre n'a été inversé ou mal recopié.",
                section=section,
            )
        ]
    return []


def is_valid_siret(value: str) -> bool:
    return not siret_problems(value)
