"""The committee in the administration: read only (sessions and decisions are written by the DREETS' pages, whose
services check the quorum, the envelope and the lifecycle; a closed session's record is never edited)."""

from django.contrib import admin
from django.http import HttpRequest

from pactes.committee.models import Attendance, CommitteeDecision, CommitteeSession


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AttendanceInline(ReadOnlyMixin, admin.TabularInline):
    model = Attendance
    fields = ("user", "is_present")
    extra = 0


class DecisionInline(ReadOnlyMixin, admin.TabularInline):
    model = CommitteeDecision
    fields = ("dossier", "decision", "awarded_amount", "motivation", "decided_by", "decided_at")
    extra = 0


@admin.register(CommitteeSession)
class CommitteeSessionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("date", "call", "place", "state", "closed_at")
    list_filter = ("state", "call")
    inlines = (AttendanceInline, DecisionInline)
