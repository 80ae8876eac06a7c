from django.contrib import admin

from pactes.api.models import ApiCall, ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__email", "prefix"]
    readonly_fields = ["user", "name", "prefix", "digest", "scope", "created_at", "expires_at", "last_used_at"]


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):
    list_display = ["at", "method", "path", "status", "user", "token"]
    list_filter = ["status", "method"]
    search_fields = ["path", "user__email"]
    readonly_fields = ["token", "user", "method", "path", "query", "status", "at", "remote_addr"]
