"""The read-only page of a dossier (``detail``), which every role in its scope may open."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from pactes.committee.selectors import may_read_decision_letters
from pactes.dossiers.editing import STEPS, dossier_can_be_edited_by
from pactes.dossiers.selectors import dossier_source
from pactes.followup.selectors import followed_dossiers_visible_to
from pactes.instruction.selectors import may_exchange, open_complement_request

from .common import DASHBOARD, filing_url, user_of, visible_dossier
from .panel import rules_panel


def detail(request: HttpRequest, reference: str) -> HttpResponse:
    dossier = visible_dossier(request, reference)
    user = user_of(request)
    return render(
        request,
        "dossiers/detail.html",
        {
            "page_title": f"Dossier {dossier.reference}",
            "dossier": dossier,
            "source": dossier_source(dossier),
            "can_edit": dossier_can_be_edited_by(dossier, user),
            "complement_request": open_complement_request(dossier)
            if dossier.is_editable and not dossier.is_draft
            else None,
            "exchanges_url": reverse("instruction:messages", kwargs={"reference": dossier.reference})
            if may_exchange(user, dossier)
            else "",
            "panel": rules_panel(dossier) if user.is_applicant or not dossier.is_draft else None,
            "steps": STEPS,
            # Links only to pages this reader may open (a jury member reads neither letters nor the follow-up).
            "can_read_letter": may_read_decision_letters(user),
            "can_follow": followed_dossiers_visible_to(user).filter(pk=dossier.pk).exists(),
            "summary_url": filing_url("summary", dossier),
            "breadcrumb_data": {
                "links": [{"url": DASHBOARD, "title": "Mon espace"}],
                "current": f"Dossier {dossier.reference}",
            },
        },
    )
