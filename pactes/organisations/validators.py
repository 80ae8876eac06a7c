"""The model validator of a stored SIRET; the rule itself (14 digits, Luhn key, La Poste) is ``pactes.rules.siret``."""

from django.core.exceptions import ValidationError

from pactes.rules.siret import SIRET_LENGTH, key_is_valid


def validate_siret(value: str) -> None:
    """A stored SIRET is 14 digits without spaces (forms normalize it first) with a valid key; empty is allowed."""
    if not value:
        return
    if len(value) != SIRET_LENGTH or not value.isascii() or not value.isdigit():
        raise ValidationError("Un SIRET compte exactement 14 chiffres, sans espace.", code="siret_format")
    if not key_is_valid(value):
        raise ValidationError(
            "Ce SIRET n'est pas valide (la clé de contrôle ne correspond pas) : vérifiez-le sur l'avis de situation "
            "SIRENE.",
            code="siret_checksum",
        )
