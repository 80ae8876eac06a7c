"""Read-only views of the DS import for administrators: the mapping is edited on the import page, never here."""

from django.contrib import admin

from pactes.ds.models import ImportRun, Procedure


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Procedure)
class ProcedureAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "call", "last_imported_at"]
    list_filter = ["call"]


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "procedure", "dry_run", "status", "processed", "total", "started_by"]
    list_filter = ["status", "dry_run"]
