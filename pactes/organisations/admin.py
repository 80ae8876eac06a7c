"""Administration of organisations (porteurs) and of the people who act for them."""

from django.contrib import admin

from pactes.organisations.models import Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ("user",)
    fields = ("user", "is_admin", "joined_at")
    readonly_fields = ("joined_at",)
    verbose_name = "membre"
    verbose_name_plural = "membres"


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "siret", "kind", "departement", "created_at")
    list_filter = ("departement", "kind")
    search_fields = ("name", "siret")
    list_select_related = ("departement",)
    inlines = (MembershipInline,)
    readonly_fields = ("created_at",)
