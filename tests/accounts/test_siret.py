import pytest
from django import forms
from django.core.exceptions import ValidationError

from pactes.organisations.validators import validate_siret
from pactes.rules.siret import is_valid_siret


@pytest.mark.parametrize("siret", ["83914701400014", "88253614700011", "35600000000048", "35600000000097"])
def test_siret_with_a_valid_key_is_accepted(siret):
    assert is_valid_siret(siret)
    validate_siret(siret)


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("83914701400015", "clé de contrôle"),
        ("8391470140001", "14 chiffres"),
        ("839 147 014 00014", "14 chiffres"),
        ("8391470140001A", "14 chiffres"),
    ],
)
def test_siret_with_a_wrong_key_or_format_is_refused_in_french(siret, message):
    with pytest.raises(ValidationError) as error:
        validate_siret(siret)
    assert message in str(error.value)


def test_empty_siret_is_left_to_the_required_check():
    assert validate_siret("") is None
    field = forms.CharField(validators=[validate_siret])
    with pytest.raises(ValidationError) as error:
        field.clean("")
    assert error.value.messages == ["Ce champ est obligatoire."]
    assert forms.CharField(required=False, validators=[validate_siret]).clean("") == ""


@pytest.mark.parametrize("siret", ["83914701400014", "83914701400015", "35600000000048", "35600000000049", "１２３"])
def test_the_model_validator_and_the_rule_agree(siret):
    try:
        validate_siret(siret)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == is_valid_siret(siret)
