"""The committee's documents, rendered by WeasyPrint in the house style of the receipt (Marianne font):
the *procès-verbal* of a closed session and the *decision letter* sent to each applicant."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from pactes.committee.models import CommitteeDecision, CommitteeSession
from pactes.committee.selectors import opinion_summaries
from pactes.core.pdf import marianne_font_faces
from pactes.dossiers.selectors import requested_grant, requested_grants
from pactes.rules.calendar import date_fr, datetime_fr
from pactes.rules.envelope import ZERO


def _pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: loading WeasyPrint is slow and only closing a session needs it

    return bytes(HTML(string=html, base_url=str(Path(__file__).resolve().parent)).write_pdf())


def _local(session: CommitteeSession, moment: Any) -> str:
    return datetime_fr(moment.astimezone(session.call.rules.timezone)) if moment else ""


def minutes_render(*, session: CommitteeSession) -> bytes:
    """The procès-verbal: members present and absent, quorum, each dossier's decision, totals."""
    rules = session.call.rules
    decisions = list(
        session.decisions.select_related("dossier__organisation", "dossier__departement").order_by(
            "dossier__departement__code", "dossier__reference"
        )
    )
    requested = requested_grants(d.dossier_id for d in decisions)
    attendances = list(session.attendances.select_related("user"))
    opinions = opinion_summaries(session=session, dossier_ids=[d.dossier_id for d in decisions])
    rows = [
        {
            "decision": d,
            "requested": requested.get(d.dossier_id, ZERO),
            "proposed": getattr(getattr(d.dossier, "proposal", None), "proposed_amount", None),
            "opinions": opinions[d.dossier_id],
        }
        for d in decisions
    ]
    html = render_to_string(
        "pdf/minutes.html",
        {
            "session": session,
            "call": session.call,
            "rules": rules,
            "session_date": date_fr(session.date),
            "closed_at": _local(session, session.closed_at),
            "present": [a.user for a in attendances if a.is_present],
            "absent": [a.user for a in attendances if not a.is_present],
            "rows": rows,
            "counts": {
                code: sum(1 for d in decisions if d.decision == code) for code in ("retenu", "non_retenu", "ajourne")
            },
            "requested_total": sum((r["requested"] for r in rows), ZERO),
            "font_faces": marianne_font_faces(),
        },
    )
    return _pdf(html)


def letter_render(*, decision: CommitteeDecision) -> bytes:
    """The decision letter to the applicant's organisation: decision, amount and imputation, motivation, next step."""
    session = decision.session
    rules = session.call.rules
    dossier = decision.dossier
    conventions = rules.calendar_step("conventions")
    html = render_to_string(
        "pdf/decision_letter.html",
        {
            "decision": decision,
            "session": session,
            "dossier": dossier,
            "call": session.call,
            "rules": rules,
            "session_date": date_fr(session.date),
            "closed_on": date_fr(session.closed_at.astimezone(rules.timezone).date()) if session.closed_at else "",
            "requested": requested_grant(dossier),
            "conventions": conventions,
            "conventions_from": date_fr(conventions.start) if conventions and conventions.start else "",
            "appeal_delay": _months(rules.decisions.delay_months),
            "font_faces": marianne_font_faces(),
        },
    )
    return _pdf(html)


def _months(n: int) -> str:
    words = {1: "un", 2: "deux", 3: "trois", 4: "quatre", 6: "six"}
    return f"{words.get(n, str(n))} mois"


def letter_filename(decision: CommitteeDecision) -> str:
    return f"decision-{decision.dossier.reference}-seance-{decision.session_id}.pdf"


def minutes_filename(session: CommitteeSession) -> str:
    return f"proces-verbal-comite-{session.date:%Y-%m-%d}-{session.pk}.pdf"
