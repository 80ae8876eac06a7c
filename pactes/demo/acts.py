"""The acts of the demonstration on one dossier, each through the services: start a review, record a checklist, admit,
evaluate, transmit, draw up and sign a convention, record measurements, submit a report.

Words: a dossier of the scenario is named by its *key* (``pactes.demo.stages``); its *instructor* is the demo
instructor of its département, its *applicant* the account that filed it. Every act is dated on the call's calendar
through the services' explicit ``at`` / ``on`` arguments (ADR 0010).
"""

import datetime as dt
import io
import zoneinfo
from decimal import Decimal

from pactes.accounts.models import User
from pactes.agreements.models import Agreement
from pactes.agreements.services import (
    agreement_commitment_set,
    agreement_generate,
    agreement_signed_scan_upload,
    agreement_transition,
    payment_record,
)
from pactes.assessment.models import Opinion
from pactes.assessment.services import evaluation_complete, proposal_update, score_sheet_save, transmission_create
from pactes.calls.models import Call
from pactes.demo.accounts import demo_user, departement_by_code
from pactes.demo.stages import stage
from pactes.dossiers.models import Dossier
from pactes.followup.services import (
    measurement_record,
    progress_record,
    report_open,
    report_submit,
    report_update,
    report_validate,
)
from pactes.instruction.services import checklist_record, instruction_transition
from pactes.rules import scoring
from pactes.rules.report_lifecycle import ReportKind

DAY = dt.date
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def paris_at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware moment in Europe/Paris, for the acts the demo records afterwards."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


class Acts:
    """The demo's actors on one call, and the acts they perform on the scenario's dossiers (``dossiers`` by key)."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.rules = call.rules
        self.dossiers: dict[str, Dossier] = {}
        self.i09 = demo_user("instructeur.09@demo.test")
        self.i11 = demo_user("instructeur.11@demo.test")
        self.i66 = demo_user("instructeur.66@demo.test")
        self.dreets = demo_user("dreets@demo.test")
        self.instructors = {"09": self.i09, "11": self.i11, "66": self.i66}

    # helpers
    def d(self, key: str) -> Dossier:
        dossier = self.dossiers[key]
        dossier.refresh_from_db()
        return dossier

    def instructor(self, key: str) -> User:
        return self.instructors[self.dossiers[key].departement.code]

    def applicant(self, key: str) -> User:
        return demo_user(stage(key).applicant_email)

    def checklist(self, key: str, at: dt.datetime, missing: dict[str, str] | None = None) -> None:
        missing = missing or {}
        answers = {
            item.code: (item.code not in missing, missing.get(item.code, ""))
            for item in self.rules.admissibility_checklist
        }
        checklist_record(dossier=self.d(key), by=self.instructor(key), answers=answers, at=at)

    def start(self, key: str, at: dt.datetime) -> None:
        instruction_transition(dossier=self.d(key), transition="start_review", by=self.instructor(key), at=at)

    def admit(self, key: str, day: dt.date) -> None:
        """Review started at 9:00, checklist at 10:30, admissible at 11:30 on ``day``."""
        self.start(key, paris_at(day.year, day.month, day.day, 9))
        self.checklist(key, paris_at(day.year, day.month, day.day, 10, 30))
        instruction_transition(
            dossier=self.d(key),
            transition="declare_admissible",
            by=self.instructor(key),
            at=paris_at(day.year, day.month, day.day, 11, 30),
        )

    def evaluate(self, key: str, proposed: Decimal, opinion: str = Opinion.FAVORABLE, *, at: dt.datetime) -> None:
        spec = stage(key)
        by = self.instructor(key)
        scores = [
            scoring.CriterionScore(
                c.code,
                spec.scores.get(c.code, 3),
                f"{c.label} : appréciation de la DDETS-PP au vu du dossier déposé et du diagnostic départemental.",
            )
            for c in self.rules.criteria
        ]
        score_sheet_save(
            dossier=self.d(key),
            instructor=by,
            scores=scores,
            proposed_amount=proposed,
            opinion=opinion,
            comment="Projet lu en comité technique départemental avec la CAF et le conseil départemental.",
        )
        proposal_update(dossier=self.d(key), by=by, proposed_amount=proposed, opinion=opinion)
        evaluation_complete(dossier=self.d(key), by=by, at=at)

    def transmit(self, code: str, note: str, at: dt.datetime) -> None:
        transmission_create(
            call=self.call, departement=departement_by_code(code), by=self.instructors[code], note=note, at=at
        )

    def convention(self, key: str, steps: int) -> Agreement:
        """Generates the convention, then: 1 sent, 2 signed by the carrier, 3 signed by the State, 4 EJ and
        advance."""
        by = self.instructor(key)
        agreement = agreement_generate(dossier=self.d(key), by=by, at=paris_at(2024, 10, 21, 10))
        if steps >= 1:
            agreement = agreement_transition(
                agreement=agreement, transition="send", by=by, on=DAY(2024, 10, 22), at=paris_at(2024, 10, 22, 9, 30)
            )
        if steps >= 2:
            agreement.pdf_file.open("rb")
            try:
                scan = io.BytesIO(agreement.pdf_file.read())
            finally:
                agreement.pdf_file.close()
            agreement = agreement_signed_scan_upload(
                agreement=agreement,
                name=f"convention-signee-{self.dossiers[key].reference}.pdf",
                stream=scan,
                by=self.applicant(key),
                signed_on=DAY(2024, 10, 29),
                at=paris_at(2024, 10, 29, 17),
            )
        if steps >= 3:
            agreement = agreement_transition(
                agreement=agreement, transition="sign", by=by, on=DAY(2024, 11, 4), at=paris_at(2024, 11, 4, 11)
            )
        if steps >= 4:
            number = f"21{self.dossiers[key].pk:08d}"
            agreement = agreement_commitment_set(agreement=agreement, number=number, date=DAY(2024, 11, 12), by=by)
            advance = (agreement.awarded_amount / 2).quantize(Decimal("0.01"))
            payment_record(
                agreement=agreement,
                amount=advance,
                paid_on=DAY(2024, 12, 5),
                reference=f"DP-{number}-1",  # a Chorus payment request: the EJ and its rank
                by=by,
                step_code="avance",
            )
        return agreement

    def measurements(self, key: str, values: dict[int, list[tuple[dt.date, str, str]]]) -> None:
        by = self.applicant(key)
        dossier = self.d(key)
        for position, action in enumerate(dossier.actions.order_by("position", "pk")):
            measure = action.impact_measures.order_by("position", "pk").first()
            if measure is None:
                continue
            for measured_on, value, comment in values.get(position, []):
                entered = measured_on + dt.timedelta(days=3)
                measurement_record(
                    measure=measure,
                    value=Decimal(value),
                    measured_on=measured_on,
                    by=by,
                    comment=comment,
                    at=paris_at(entered.year, entered.month, entered.day, 17, 0),
                )
            progress_record(
                action=action,
                percent_done=50 if position else 60,
                text="Action engagée conformément au calendrier de la convention ; premiers bénéficiaires accueillis.",
                reported_on=DAY(2025, 5, 15),
                by=by,
            )

    def interim_report(self, key: str, text: str, *, validate: bool) -> None:
        by = self.applicant(key)
        report = report_open(dossier=self.d(key), kind=ReportKind.INTERIM.value, by=by)
        report = report_update(report=report, qualitative_assessment=text, by=by)
        report = report_submit(report=report, by=by, at=paris_at(2025, 6, 6, 16))
        if validate:
            report_validate(report=report, by=self.instructor(key), on=DAY(2025, 6, 16), at=paris_at(2025, 6, 16, 10))
