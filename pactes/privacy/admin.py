"""The retention log, read-only: what the retention rules did, to which dossier, when."""

from django.contrib import admin
from django.http import HttpRequest

from pactes.privacy.models import RetentionAct


@admin.register(RetentionAct)
class RetentionActAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "reference", "call_slug")
    list_filter = ("kind", "call_slug")
    search_fields = ("reference",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
