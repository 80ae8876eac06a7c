"""The committee's documents, rendered by WeasyPrint in the house style of the receipt (Marianne font):
the *procès-verbal* of a closed session and the *decision letter* sent to each applicant."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from pactes.committee.models import CommitteeDecision, CommitteeSession, Decision
from pactes.committee.selectors import opinion_summaries
from pactes.core.document_sandbox import ensure_plain, rules_values
from pactes.core.pdf import html_to_pdf, marianne_font_faces
from pactes.dossiers.selectors import requested_grant, requested_grants
from pactes.rules.envelope import ZERO
from pactes.rules.formatting import date_fr, datetime_fr
from pactes.rules.wording import of_departement
from pactes.territories.models import Departement


def _pdf(html: str) -> bytes:
    return html_to_pdf(html)


def _local(session: CommitteeSession, moment: Any) -> str:
    return datetime_fr(moment.astimezone(session.call.rules.timezone)) if moment else ""


def _person(user: Any) -> dict[str, str]:
    """What a document says of a person: the name (or address) and the role — never the user object."""
    return {"name": user.get_full_name() or user.email, "role": str(user.get_role_display())}


def _call_values(session: CommitteeSession) -> dict[str, Any]:
    call = session.call
    return {"title": call.title, "short_title": call.short_title, "regional_envelope": call.regional_envelope}


def _session_values(session: CommitteeSession) -> dict[str, Any]:
    return {
        "place": session.place,
        "chair": session.chair,
        "quorum": session.quorum,
        "awarded_total": session.awarded_total,
        "envelope_remaining": session.envelope_remaining,
        "closed_by": _person(session.closed_by)["name"] if session.closed_by else "",
    }


def _decision_values(decision: CommitteeDecision) -> dict[str, Any]:
    dossier = decision.dossier
    return {
        "decision": decision.decision,
        "label": str(decision.get_decision_display()),
        "awarded_amount": decision.awarded_amount,
        "motivation": decision.motivation,
        "dossier": {
            "reference": dossier.reference,
            "title": dossier.title,
            "departement": str(dossier.departement),
            "of_departement": of_departement(dossier.departement.code, dossier.departement.name),
            "organisation": {"name": dossier.organisation.name, "address": dossier.organisation.address},
        },
    }


_DECISION_ROW = (
    "dossier_id",
    "decision",
    "awarded_amount",
    "motivation",
    "dossier__reference",
    "dossier__title",
    "dossier__departement__code",
    "dossier__departement__name",
    "dossier__organisation__name",
    "dossier__organisation__address",
    "dossier__proposal__proposed_amount",
)


def _decision_row_values(row: dict[str, Any]) -> dict[str, Any]:
    """``_decision_values`` of one row of ``_DECISION_ROW`` (the procès-verbal reads values, not models)."""
    code, name = row["dossier__departement__code"], row["dossier__departement__name"]
    return {
        "decision": row["decision"],
        "label": str(Decision(row["decision"]).label),
        "awarded_amount": row["awarded_amount"],
        "motivation": row["motivation"],
        "dossier": {
            "reference": row["dossier__reference"],
            "title": row["dossier__title"],
            "departement": str(Departement(code=code, name=name)),  # its one wording, « Ariège (09) »
            "of_departement": of_departement(code, name),
            "organisation": {
                "name": row["dossier__organisation__name"],
                "address": row["dossier__organisation__address"],
            },
        },
    }


def minutes_render(*, session: CommitteeSession) -> bytes:
    """The procès-verbal: members present and absent, quorum, each dossier's decision, totals (plain values only:
    the PDF template reaches no model, ADR 0030)."""
    rules = session.call.rules
    # One query of plain values for every decision (no model instance per row: a session can hold thousands).
    decisions = list(
        session.decisions.order_by("dossier__departement__code", "dossier__reference").values(*_DECISION_ROW)
    )
    dossier_ids = [d["dossier_id"] for d in decisions]
    requested = requested_grants(dossier_ids)
    attendances = list(session.attendances.select_related("user"))
    opinions = opinion_summaries(session=session, dossier_ids=dossier_ids)
    rows = [
        {
            "decision": _decision_row_values(d),
            "requested": requested.get(d["dossier_id"], ZERO),
            "proposed": d["dossier__proposal__proposed_amount"],
            "opinions": _opinions_values(opinions[d["dossier_id"]]),
        }
        for d in decisions
    ]
    context = {
        "session": _session_values(session),
        "call": _call_values(session),
        "rules": rules_values(rules),
        "session_date": date_fr(session.date),
        "closed_at": _local(session, session.closed_at),
        "present": [_person(a.user) for a in attendances if a.is_present],
        "absent": [_person(a.user) for a in attendances if not a.is_present],
        "rows": rows,
        "counts": {
            code: sum(1 for d in decisions if d["decision"] == code) for code in ("retenu", "non_retenu", "ajourne")
        },
        "requested_total": sum((r["requested"] for r in rows), ZERO),
    }
    ensure_plain(context)
    return _pdf(render_to_string("pdf/minutes.html", {**context, "font_faces": marianne_font_faces()}))


def letter_render(*, decision: CommitteeDecision) -> bytes:
    """The decision letter to the applicant's organisation: decision, amount and imputation, motivation, next step
    (plain values only: the PDF template reaches no model, ADR 0030)."""
    session = decision.session
    rules = session.call.rules
    dossier = decision.dossier
    conventions = rules.calendar_step("conventions")
    values = _decision_values(decision)
    context = {
        "decision": values,
        "session": _session_values(session),
        "dossier": values["dossier"],
        "call": _call_values(session),
        "rules": {**rules_values(rules), "decisions": _decisions_values(rules)},
        "session_date": date_fr(session.date),
        "closed_on": date_fr(session.closed_at.astimezone(rules.timezone).date()) if session.closed_at else "",
        "requested": requested_grant(dossier),
        "conventions": {"label": str(conventions.label)} if conventions else None,
        "conventions_from": date_fr(conventions.start) if conventions and conventions.start else "",
        "appeal_delay": _months(rules.decisions.delay_months),
    }
    ensure_plain(context)
    return _pdf(render_to_string("pdf/decision_letter.html", {**context, "font_faces": marianne_font_faces()}))


def _decisions_values(rules: Any) -> dict[str, str]:
    """Who signs the letter and the voies et délais de recours (the call's ``decisions`` section), as plain text."""
    spec = rules.decisions
    return {"signatory": spec.signatory, "gracious_authority": spec.gracious_authority, "court": spec.court}


def _opinions_values(summary: Any) -> dict[str, Any]:
    """The jury's opinions on one dossier, as the procès-verbal states them: the summary and each comment."""
    return {
        "text": str(summary.text),
        "opinions": [
            {"member": _person(o.member)["name"], "label": str(o.get_opinion_display()), "comment": o.comment}
            for o in summary.opinions
        ],
    }


def _months(n: int) -> str:
    words = {1: "un", 2: "deux", 3: "trois", 4: "quatre", 6: "six"}
    return f"{words.get(n, str(n))} mois"


def letter_filename(decision: CommitteeDecision) -> str:
    return f"decision-{decision.dossier.reference}-seance-{decision.session_id}.pdf"


def minutes_filename(session: CommitteeSession) -> str:
    return f"proces-verbal-comite-{session.date:%Y-%m-%d}-{session.pk}.pdf"
