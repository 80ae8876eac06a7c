from django.contrib import admin

from pactes.exports.models import ExportDownload, ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ("title", "format", "owner", "status", "dossier_count", "created_at", "expires_at")
    list_filter = ("status", "format", "source")
    search_fields = ("title", "owner__email")
    readonly_fields = [f.name for f in ExportJob._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(ExportDownload)
class ExportDownloadAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "source", "format", "dossier_count")
    list_filter = ("source", "format")
    search_fields = ("user__email",)
    readonly_fields = [f.name for f in ExportDownload._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
