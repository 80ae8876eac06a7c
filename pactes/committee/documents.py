"""The committee's documents in the house style of the receipt (Marianne font): the *procès-verbal* of a closed
session, laid out by Typst (thousands of decisions, ADR 0053), and the *decision letter* sent to each applicant,
rendered by WeasyPrint like the other documents."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils.text import capfirst

from pactes.committee.models import CommitteeDecision, CommitteeSession, Decision
from pactes.committee.selectors import opinion_summaries
from pactes.core import typst_pdf
from pactes.core.document_sandbox import ensure_plain, rules_values
from pactes.core.pdf import html_to_pdf, marianne_font_faces, marianne_font_files
from pactes.dossiers.selectors import requested_grant, requested_grants
from pactes.rules.envelope import ZERO
from pactes.rules.formatting import date_fr, datetime_fr, euros
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


MINUTES_TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "pdf" / "minutes.typ"
ABSENT = "—"


def _euros(value: Decimal | None) -> str:
    return ABSENT if value is None else euros(Decimal(value))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def _minutes_pdf(values: dict[str, Any], rows: list[dict[str, Any]]) -> bytes:
    """The procès-verbal's PDF, laid out by Typst from plain strings (pactes/core/typst_pdf.py)."""
    return typst_pdf.render(MINUTES_TEMPLATE, values, rows, fonts=typst_pdf.font_dir(marianne_font_files()))


def _minutes_row(
    decision: dict[str, Any], requested: Decimal, proposed: Decimal | None, opinions: Any
) -> dict[str, Any]:
    """One line of the decisions' table, every value written out in French (Typst formats nothing)."""
    dossier = decision["dossier"]
    return {
        "departement": dossier["departement"],
        "reference": dossier["reference"],
        "title": dossier["title"],
        "organisation": dossier["organisation"]["name"],
        "label": decision["label"],
        "requested": _euros(requested),
        "proposed": _euros(proposed),
        "opinions": capfirst(opinions["text"]),
        "comments": [
            f"{o['member']} ({o['label'].lower()}) : {o['comment']}" for o in opinions["opinions"] if o["comment"]
        ],
        "awarded": _euros(decision["awarded_amount"]) if decision["awarded_amount"] else ABSENT,
        "motivation": decision["motivation"] or ABSENT,
    }


def minutes_render(*, session: CommitteeSession) -> bytes:
    """The procès-verbal: members present and absent, quorum, each dossier's decision, totals (plain values only:
    the template reaches no model, ADR 0030; every value written out here, in French, ADR 0053)."""
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
        _minutes_row(
            _decision_row_values(d),
            requested.get(d["dossier_id"], ZERO),
            d["dossier__proposal__proposed_amount"],
            _opinions_values(opinions[d["dossier_id"]]),
        )
        for d in decisions
    ]
    values = _session_values(session)
    call, plain_rules = _call_values(session), rules_values(rules)
    session_date, closed_at = date_fr(session.date), _local(session, session.closed_at)
    present = [_person(a.user) for a in attendances if a.is_present]
    absent = [_person(a.user) for a in attendances if not a.is_present]
    counts = {code: sum(1 for d in decisions if d["decision"] == code) for code in ("retenu", "non_retenu", "ajourne")}
    closing = f"{closed_at} (heure de Paris)" + (f", par {values['closed_by']}" if values["closed_by"] else "")
    total_label = (
        f"Total ({_plural(counts['retenu'], 'retenu')}, {_plural(counts['non_retenu'], 'non retenu')}, "
        f"{_plural(counts['ajourne'], 'ajourné')})"
    )
    document = {
        "title": f"Procès-verbal du comité régional du {session_date}",
        "author": f"{plain_rules['issuer_authority']} — {plain_rules['issuer_service']}",
        "footer": f"Procès-verbal — comité régional du {session_date}",
        "common": {
            "service": f"{plain_rules['issuer_authority']} — {plain_rules['issuer_service']}",
            "call_title": call["title"],
            "facts": [
                ["Date de la séance", session_date],
                ["Lieu", values["place"]],
                ["Présidence", values["chair"]],
                ["Clôture", closing],
                [
                    "Quorum",
                    f"{_plural(len(present), 'membre')} présent{'s' if len(present) > 1 else ''} pour un quorum de "
                    f"{values['quorum']} : quorum atteint.",
                ],
            ],
            "present": [f"{p['name']} — {p['role']}" for p in present],
            "absent": [f"{p['name']} — {p['role']}" for p in absent],
            "total_label": total_label,
            "requested_total": _euros(sum((requested.get(i, ZERO) for i in dossier_ids), ZERO)),
            "awarded_total": _euros(values["awarded_total"]),
            "envelope_heading": f"Enveloppe régionale — {plain_rules['funding_label']}",
            "envelope": [
                ["Enveloppe régionale", _euros(call["regional_envelope"])],
                ["Total attribué lors de la séance", _euros(values["awarded_total"])],
                ["Reste de l'enveloppe après la séance", _euros(values["envelope_remaining"])],
            ],
            "signature": (
                f"Séance tenue le {session_date} ({values['place']}), sous la présidence de : {values['chair']}."
            ),
            "closing_note": (
                "Procès-verbal produit par la plateforme Pactes à la clôture de la séance ; les décisions qu'il "
                "consigne sont figées. Une décision rouverte ultérieurement par la DREETS est inscrite à "
                "l'historique du dossier concerné."
            ),
        },
    }
    ensure_plain({"document": document, "rows": rows})
    return _minutes_pdf(document, rows)


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
