from django.apps import AppConfig
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TotpConfig


class AccountsConfig(AppConfig):
    name = "pactes.accounts"
    label = "accounts"
    verbose_name = "Comptes et accès"


class TotpDevicesConfig(TotpConfig):
    """django-otp's TOTP devices, named in French in the administration."""

    verbose_name = "Double authentification : applications d'authentification"


class RecoveryCodesConfig(StaticConfig):
    """django-otp's static devices: the single-use recovery codes, named in French in the administration."""

    verbose_name = "Double authentification : codes de secours"
