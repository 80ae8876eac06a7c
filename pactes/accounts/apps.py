from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pactes.accounts"
    label = "accounts"
