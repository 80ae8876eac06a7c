"""The accounts app, and the French names of the third-party apps of accounts in the administration (issue 10: the
administration is in French, with French section names)."""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TotpConfig


class AccountsConfig(AppConfig):
    name = "pactes.accounts"
    label = "accounts"
    verbose_name = "Comptes et accès"
    default = True  # the module holds other configurations (those below)


class LoginThrottlingConfig(AxesAppConfig):
    """django-axes: failed logins and lockouts."""

    verbose_name = "Tentatives de connexion et verrouillages"


class TotpDevicesConfig(TotpConfig):
    """django-otp's TOTP devices: the authenticator apps."""

    verbose_name = "Double authentification : applications d'authentification"

    def ready(self) -> None:
        super().ready()
        model = self.get_model("TOTPDevice")
        model._meta.verbose_name = "application d'authentification"
        model._meta.verbose_name_plural = "applications d'authentification"


class RecoveryCodesConfig(StaticConfig):
    """django-otp's static devices: the single-use recovery codes."""

    verbose_name = "Double authentification : codes de secours"

    def ready(self) -> None:
        super().ready()
        device = self.get_model("StaticDevice")
        device._meta.verbose_name = "jeu de codes de secours"
        device._meta.verbose_name_plural = "jeux de codes de secours"
        token = self.get_model("StaticToken")
        token._meta.verbose_name = "code de secours"
        token._meta.verbose_name_plural = "codes de secours"
