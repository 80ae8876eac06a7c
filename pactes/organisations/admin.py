"""Administration of organisations (porteurs) and of the people who act for them."""

from django.contrib import admin

from pactes.organisations.models import Membership, MembershipRequest, Organisation


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
    list_display = ("name", "siret", "kind", "verification", "departement", "created_at")
    list_filter = ("verification", "departement", "kind")
    search_fields = ("name", "siret")
    list_select_related = ("departement",)
    inlines = (MembershipInline,)
    readonly_fields = ("created_at", "verified_at")


@admin.register(MembershipRequest)
class MembershipRequestAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "status", "requested_at", "decided_at", "decided_by")
    list_filter = ("status",)
    search_fields = ("user__email", "organisation__name", "organisation__siret")
    list_select_related = ("user", "organisation", "decided_by")
    readonly_fields = ("requested_at", "decided_at", "decided_by")
