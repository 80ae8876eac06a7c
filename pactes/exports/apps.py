from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "pactes.exports"
    label = "exports"
    verbose_name = "Exports (XLSX, ODS, CSV)"
