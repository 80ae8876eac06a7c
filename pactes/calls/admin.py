"""Administration of calls: the YAML is read-only (it is versioned), the regional envelope is set here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from pactes.calls.models import Axis, Call, EligibleEpci, EligibleList, Measure
from pactes.calls.services import call_envelope_set


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["short_title", "slug", "is_demo", "filing_opens_at", "filing_closes_at", "regional_envelope"]
    fields = [
        "slug",
        "title",
        "short_title",
        "is_demo",
        "derived_from",
        "date_offset_days",
        "filing_opens_at",
        "filing_closes_at",
        "regional_envelope",
        "regional_envelope_set_at",
        "regional_envelope_set_by",
        "source_file",
        "yaml_sha256",
        "loaded_at",
        "yaml_text",
    ]
    readonly_fields = [f for f in fields if f != "regional_envelope"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # calls come from their YAML file (manage.py load_calls)

    def save_model(self, request: HttpRequest, obj: Call, form: Any, change: bool) -> None:
        if "regional_envelope" in form.changed_data:
            call_envelope_set(call=obj, amount=obj.regional_envelope, by=request.user)  # type: ignore[arg-type]


class MeasureInline(admin.TabularInline):
    model = Measure
    extra = 0
    fields = ["code", "label", "is_active"]
    show_change_link = True


@admin.register(Axis)
class AxisAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "measures_status", "position"]
    inlines = [MeasureInline]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "axis", "is_active"]
    list_filter = ["axis", "is_active"]
    search_fields = ["code", "label"]


class EligibleEpciInline(admin.TabularInline):
    model = EligibleEpci
    fields = ["epci", "rank", "indicator_value", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EligibleList)
class EligibleListAdmin(admin.ModelAdmin):
    list_display = ["call", "kind", "arrested_at", "arrested_by", "indicator_code", "indicator_year"]
    list_filter = ["call", "kind"]
    inlines = [EligibleEpciInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
