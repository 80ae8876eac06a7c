"""SIRET checks: 14 digits whose Luhn sum is a multiple of 10 (La Poste's establishments also have another rule)."""

from django.core.exceptions import ValidationError

LA_POSTE_SIREN = "356000000"


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siret_is_valid(siret: str) -> bool:
    if len(siret) != 14 or not siret.isdigit():
        return False
    if luhn_is_valid(siret):
        return True
    # La Poste's establishments share one SIREN; their key makes the sum of the digits a multiple of 5.
    return siret.startswith(LA_POSTE_SIREN) and sum(int(c) for c in siret) % 5 == 0


def validate_siret(value: str) -> None:
    if not value:
        return
    if len(value) != 14 or not value.isdigit():
        raise ValidationError("Un SIRET compte exactement 14 chiffres, sans espace.", code="siret_format")
    if not siret_is_valid(value):
        raise ValidationError(
            "Ce SIRET n'est pas valide (la clé de contrôle ne correspond pas) : vérifiez-le sur l'avis de situation "
            "SIRENE.",
            code="siret_checksum",
        )
