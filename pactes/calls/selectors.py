"""Reads of calls and of their eligible lists."""

from django.db.models import QuerySet

from pactes.calls.models import Call, EligibleList, EligibleListKind


def calls_public() -> QuerySet[Call]:
    return Call.objects.all().order_by("is_demo", "-filing_opens_at")


def current_eligible_list(call: Call) -> EligibleList | None:
    """The list in force: the latest arrested official or proposed list, else the indicative one."""
    lists = call.eligible_lists.all()
    decided = lists.exclude(kind=EligibleListKind.INDICATIVE).order_by("-arrested_at", "-pk").first()
    return decided or lists.filter(kind=EligibleListKind.INDICATIVE).order_by("-arrested_at", "-pk").first()
