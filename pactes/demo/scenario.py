"""The demonstration of every stage after filing, on the real 2024 call, built only through the services.

What it shows: dossiers in every state of the lifecycle over four départements (Ariège, Aude, Aveyron,
Pyrénées-Orientales); a territory (CC du Limouxin) with two competing dossiers ranked by the DDETS-PP within the
cumulated cap; a closed committee session (procès-verbal and decision letters) within the regional envelope;
conventions at every stage (brouillon, envoyée, signée par le porteur, signée, soldée, résiliée) with legal
commitments (EJ) and payments; impact indicators with several measured values, an interim report, and one dossier
fully settled (final report validated, balance paid, soldé).

Every state is reached by calling the services, with the demo accounts as actors; nothing writes a ``state``.
Every act is dated on the call's calendar, in Europe/Paris, through the services' explicit ``at`` / ``on`` arguments:
filing in September 2024, instruction 1–10 October 2024, transmission on 10 October, committee on 15 October (opened
at 9:30, decisions during the morning, closed at 12:00), conventions from 21 October, EJ before 30 November, payments
from December 2024, measurements and interim reports through 2025, the settlement in January 2026. What is still
stamped at load time: the score sheets and proposals (their ``updated_at``), the ranking, the measurements' and
payments' entry times, the reports' creation.

The dossiers are the demo documents of ``pactes.demo.stages.STAGES``, imported as ``dossier_import`` imports a file.

Idempotent: the accounts are created when absent, the envelope is set when unset, and the scenario runs, in one
transaction, only when none of its dossiers exists; a demo user's changes are never undone. No e-mail leaves: the
``setup_demo`` command runs only with a mailer that delivers nothing (``pactes.demo.management.commands.setup_demo``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from pactes.accounts.models import User
from pactes.agreements.services import agreement_transition, payment_record
from pactes.assessment.models import Opinion
from pactes.assessment.services import ranking_save
from pactes.calls.models import Call
from pactes.calls.services import call_envelope_set
from pactes.committee.models import CommitteeSession, Decision
from pactes.committee.opinions import jury_opinion_record
from pactes.committee.services import attendance_set, decision_record, session_close, session_create, session_open
from pactes.demo.accounts import demo_user, departement_by_code, ensure_stage_accounts
from pactes.demo.acts import DAY, Acts, paris_at
from pactes.demo.dossiers import filing_moment, import_demo_document, title_of
from pactes.demo.stages import ACTORS, DRAFT, DRAFT_APPLICANT, REGIONAL_ENVELOPE, STAGES, stage_titles
from pactes.dossiers.filing import dossier_file
from pactes.dossiers.models import Dossier
from pactes.followup.services import LineInput, report_open, report_submit, report_update, report_validate
from pactes.instruction.services import complements_request, instruction_transition, message_post
from pactes.rules.followup import StatementSide
from pactes.rules.report_lifecycle import ReportKind


class _Scenario(Acts):
    """Walks every demo dossier of the stages to its state, in the order the call's calendar runs."""

    def file_all(self) -> None:
        moment = filing_moment(self.call)
        for spec in STAGES:
            applicant = demo_user(spec.applicant_email)
            dossier = import_demo_document(spec.key, self.call, by=applicant)
            dossier_file(dossier=dossier, by=applicant, now=moment, notify=False)
            dossier.refresh_from_db()
            self.dossiers[spec.key] = dossier
        import_demo_document(DRAFT, self.call, by=demo_user(DRAFT_APPLICANT))

    # the acts, in calendar order
    def instruction(self) -> None:
        # 1–10 October 2024: each DDETS-PP examines its dossiers.
        self.start("en-instruction", paris_at(2024, 10, 1, 9, 15))

        self.start("complements", paris_at(2024, 10, 1, 10))
        self.checklist(
            "complements",
            paris_at(2024, 10, 2, 15),
            {"rib": "RIB absent du dossier.", "lettres_engagement": "Lettre de la CAF manquante."},
        )
        complements_request(
            dossier=self.d("complements"),
            by=self.i09,
            message=(
                "Merci de transmettre le RIB du CCAS et la lettre d'engagement de la CAF de l'Ariège mentionnée au "
                "budget (30 000 €), et de préciser le nombre de tournées hebdomadaires prévues."
            ),
            due_on=DAY(2024, 10, 8),
            today=DAY(2024, 10, 3),
            at=paris_at(2024, 10, 3, 9, 40),
        )
        message_post(
            dossier=self.d("complements"),
            by=self.applicant("complements"),
            body=(
                "Bonjour, la lettre de la CAF est à la signature de son directeur : nous vous transmettons les deux "
                "pièces d'ici au 8 octobre. Les tournées seront hebdomadaires dans six communes."
            ),
            at=paris_at(2024, 10, 4, 14, 12),
        )
        message_post(
            dossier=self.d("complements"),
            by=self.i09,
            body="Pièces à recevoir avant l'avis de recevabilité ; point à faire avec la CAF le 7 octobre.",
            private=True,
            at=paris_at(2024, 10, 4, 16, 30),
        )

        self.start("irrecevable", paris_at(2024, 10, 2, 9))
        self.checklist(
            "irrecevable",
            paris_at(2024, 10, 2, 11),
            {
                "statuts": "Statuts déposés non signés et antérieurs à la modification de 2023.",
                "signatures": "Aucune pièce signée par le représentant légal.",
            },
        )
        instruction_transition(
            dossier=self.d("irrecevable"),
            transition="declare_inadmissible",
            by=self.i09,
            reason=(
                "Dossier incomplet à la date limite : statuts à jour et pièces signées par le représentant légal "
                "absents (§1.5 de l'appel) ; le porteur, relancé, n'a pas pu les fournir."
            ),
            at=paris_at(2024, 10, 4, 11),
        )

        self.admit("recevable", DAY(2024, 10, 8))

        # The dossiers that go to the committee: admitted (1–4 October), scored, proposed and evaluated (7–9
        # October), ranked, transmitted on 10 October.
        admitted_on = {
            "solde": DAY(2024, 10, 1),
            "non-retenu": DAY(2024, 10, 2),
            "signee": DAY(2024, 10, 1),
            "limouxin-2": DAY(2024, 10, 2),
            "limouxin-1": DAY(2024, 10, 2),
            "envoyee": DAY(2024, 10, 3),
            "resiliee": DAY(2024, 10, 3),
            "ajourne": DAY(2024, 10, 4),
        }
        for key, day in admitted_on.items():
            self.admit(key, day)
        self.evaluate("solde", Decimal("40000.00"), at=paris_at(2024, 10, 7, 15))
        self.evaluate("non-retenu", Decimal("20000.00"), Opinion.RESERVED, at=paris_at(2024, 10, 8, 11))
        self.evaluate("signee", Decimal("48000.00"), at=paris_at(2024, 10, 7, 16))
        # Limouxin: two dossiers on one territory; the cumulated request (65 000 €) exceeds the cap, the proposals
        # (35 000 € + 25 000 €) stay within it, and the DDETS-PP puts the accueil de jour first.
        self.evaluate("limouxin-2", Decimal("25000.00"), at=paris_at(2024, 10, 8, 10))
        self.evaluate("limouxin-1", Decimal("35000.00"), at=paris_at(2024, 10, 8, 14))
        ranking_save(
            call=self.call,
            departement=departement_by_code("11"),
            ranks={self.dossiers["limouxin-1"].reference: 1, self.dossiers["limouxin-2"].reference: 2},
            by=self.i11,
        )
        self.evaluate("envoyee", Decimal("45000.00"), at=paris_at(2024, 10, 8, 15))
        self.evaluate("resiliee", Decimal("30000.00"), at=paris_at(2024, 10, 9, 10))
        self.evaluate("ajourne", Decimal("40000.00"), Opinion.RESERVED, at=paris_at(2024, 10, 9, 16))
        self.transmit("09", "Deux projets évalués par la DDETS-PP de l'Ariège.", paris_at(2024, 10, 10, 10))
        self.transmit(
            "11",
            "Trois projets, dont deux sur la CC du Limouxin classés dans la limite du plafond.",
            paris_at(2024, 10, 10, 11, 30),
        )
        self.transmit(
            "66", "Trois projets évalués par la DDETS-PP des Pyrénées-Orientales.", paris_at(2024, 10, 10, 14)
        )

    def committee(self) -> CommitteeSession:
        # 15 October 2024: the regional committee decides within the envelope, then closes its session.
        members = [
            self.dreets,
            demo_user("jury@demo.test"),
            demo_user("jury.2@demo.test"),
            demo_user("jury.3@demo.test"),
        ]
        session = session_create(
            call=self.call,
            date=DAY(2024, 10, 15),
            place="DREETS Occitanie, Toulouse",
            chair=self.rules.committee_chair,
            members=members,
            by=self.dreets,
        )
        self.jury_opinions(session, members[1], members[2])
        session = session_open(session=session, by=self.dreets, at=paris_at(2024, 10, 15, 9, 30))
        session = attendance_set(session=session, present=members[:3], by=self.dreets)
        decisions: list[tuple[str, str, Decimal | None, str]] = [
            ("solde", Decision.RETAINED, Decimal("40000.00"), ""),
            (
                "non-retenu",
                Decision.REJECTED,
                None,
                "Projet relevant du droit commun (aide sociale facultative du CCAS) et sans lien établi avec les "
                "mesures du pacte ; complémentarité avec le portage existant non démontrée.",
            ),
            ("signee", Decision.RETAINED, Decimal("48000.00"), ""),
            ("limouxin-1", Decision.RETAINED, Decimal("35000.00"), ""),
            ("limouxin-2", Decision.RETAINED, Decimal("25000.00"), ""),
            ("envoyee", Decision.RETAINED, Decimal("45000.00"), ""),
            ("resiliee", Decision.RETAINED, Decimal("30000.00"), ""),
            (
                "ajourne",
                Decision.POSTPONED,
                None,
                "Budget prévisionnel à détailler (loyer et personnel de l'épicerie) et lettre d'engagement de la "
                "commune attendue : dossier à représenter à la prochaine séance.",
            ),
        ]
        # The decisions during the morning, one every ten minutes from 9:45; the session closes at noon.
        for position, (key, decision, amount, motivation) in enumerate(decisions):
            decision_record(
                session=session,
                dossier=self.d(key),
                decision=decision,
                awarded_amount=amount,
                motivation=motivation,
                by=self.dreets,
                at=paris_at(2024, 10, 15, 9, 45) + dt.timedelta(minutes=10 * position),
            )
        return session_close(session=session, by=self.dreets, at=paris_at(2024, 10, 15, 12), in_background=False)

    def jury_opinions(self, session: CommitteeSession, first: User, second: User) -> None:
        # 11-14 October 2024: two jury members give their opinion on the agenda before the session (§1.6).
        opinions: list[tuple[User, str, str, str, dt.datetime]] = [
            (first, "solde", Opinion.FAVORABLE, "", paris_at(2024, 10, 11, 18)),
            (second, "solde", Opinion.FAVORABLE, "Partenariat CAF solide.", paris_at(2024, 10, 14, 9)),
            (
                first,
                "non-retenu",
                Opinion.UNFAVORABLE,
                "Aide sociale facultative du CCAS : relève du droit commun, pas du pacte.",
                paris_at(2024, 10, 11, 18, 10),
            ),
            (
                second,
                "non-retenu",
                Opinion.RESERVED,
                "Intérêt réel mais articulation avec le portage de repas existant à démontrer.",
                paris_at(2024, 10, 14, 9, 10),
            ),
            (first, "signee", Opinion.FAVORABLE, "", paris_at(2024, 10, 11, 18, 20)),
            (
                second,
                "ajourne",
                Opinion.RESERVED,
                "Budget de l'épicerie à détailler (loyer, personnel).",
                paris_at(2024, 10, 14, 9, 20),
            ),
        ]
        for member, key, opinion, comment, at in opinions:
            jury_opinion_record(
                session=session, dossier=self.d(key), opinion=opinion, comment=comment, by=member, at=at
            )

    def after_committee(self) -> None:
        # The Arize-Lèze mobility project, evaluated late, waits for the next transmission of the Ariège.
        self.admit("evalue", DAY(2024, 10, 16))
        self.evaluate("evalue", Decimal("30000.00"), Opinion.FAVORABLE, at=paris_at(2024, 10, 18, 15))
        # The Pyrénées audoises project is transmitted for the next session.
        self.admit("transmis", DAY(2024, 10, 16))
        self.evaluate("transmis", Decimal("42000.00"), at=paris_at(2024, 10, 17, 11))
        self.transmit("11", "Projet complémentaire pour la prochaine séance du comité.", paris_at(2024, 10, 18, 10))

    def conventions(self) -> None:
        # From 21 October 2024: conventions drawn up, sent, signed, engaged (EJ) before 30 November, paid.
        self.convention("limouxin-2", 0)
        self.convention("envoyee", 1)
        self.convention("limouxin-1", 2)

        self.convention("signee", 4)
        self.measurements(
            "signee",
            {
                0: [
                    (DAY(2025, 1, 15), "38", "Premier trimestre : six villages desservis."),
                    (DAY(2025, 4, 15), "81", "Douze villages desservis depuis mars."),
                    (DAY(2025, 7, 15), "117", "Hausse liée à l'été et aux saisonniers."),
                    (DAY(2025, 10, 15), "142", ""),
                ],
                1: [
                    (DAY(2025, 1, 15), "12", "Deux ateliers tenus."),
                    (DAY(2025, 4, 15), "31", ""),
                    (DAY(2025, 7, 15), "44", "Ateliers d'été en plein air."),
                ],
            },
        )
        self.interim_report(
            "signee",
            "À mi-parcours, l'épicerie mobile dessert douze villages chaque semaine et compte 117 ménages inscrits, "
            "dont 40 % de familles monoparentales. Les ateliers cuisine et budget ont réuni 44 personnes ; la "
            "conseillère ESF oriente une dizaine de ménages par mois vers la CAF.",
            validate=False,  # submitted: the DDETS-PP of the Aude has a report to validate
        )

        agreement = self.convention("resiliee", 4)
        agreement_transition(
            agreement=agreement,
            transition="terminate",
            by=self.i66,
            reason=(
                "Dissolution de l'association votée en assemblée générale le 3 mars 2025 : les actions ne seront pas "
                "conduites ; un titre de perception est émis pour l'avance versée."
            ),
            on=DAY(2025, 3, 17),
            at=paris_at(2025, 3, 17, 14),
        )

        self.convention("solde", 4)
        self.measurements(
            "solde",
            {
                0: [
                    (DAY(2025, 1, 20), "14", "Quatre communes en décembre, huit depuis janvier."),
                    (DAY(2025, 4, 18), "33", ""),
                    (DAY(2025, 7, 17), "49", "Ateliers d'été au lac de Bethmale."),
                    (DAY(2025, 10, 20), "64", "Cible dépassée."),
                ],
                1: [
                    (DAY(2025, 1, 20), "21", ""),
                    (DAY(2025, 4, 18), "47", ""),
                    (DAY(2025, 7, 17), "70", ""),
                    (DAY(2025, 10, 20), "93", "Permanence de Massat très demandée."),
                ],
            },
        )
        self.interim_report(
            "solde",
            "Les ateliers parents-enfants tournent dans huit communes ; 49 familles ont participé à au moins trois "
            "ateliers et 70 parents ont été reçus en permanence. La fréquentation de Massat justifie une seconde "
            "permanence mensuelle.",
            validate=True,
        )
        self.final_report("solde")

    def final_report(self, key: str) -> None:
        by = self.applicant(key)
        report = report_open(dossier=self.d(key), kind=ReportKind.FINAL.value, by=by)
        lines: dict[int, LineInput] = {}
        for line in report.lines.all():
            actual = line.planned
            explanation = ""
            if line.side == StatementSide.EXPENSE.value and "Déplacements" in line.label:
                actual = (line.planned * Decimal("0.70")).quantize(Decimal("0.01"))
                explanation = "Itinérance réduite l'hiver : quatre communes regroupées en deux lieux d'atelier."
            lines[line.pk] = LineInput(actual=actual, explanation=explanation)
        report = report_update(
            report=report,
            qualitative_assessment=(
                "Les actions sont conduites jusqu'à leur terme. 64 familles ont participé à au moins trois ateliers "
                "(cible : 60) et 93 parents ont été reçus en permanence (cible : 90). Les frais de déplacement sont "
                "inférieurs au prévisionnel : deux lieux d'atelier ont été regroupés l'hiver. La CAF de l'Ariège "
                "reprend les ateliers dans son schéma départemental de soutien à la parentalité."
            ),
            lines=lines,
            by=by,
        )
        report = report_submit(report=report, by=by, at=paris_at(2026, 1, 9, 15))
        # Validated on 20 January 2026: the balance is put into payment (« mise en paiement demandée »), then paid on
        # 6 February 2026, which settles the convention and the dossier (ADR 0017).
        outcome = report_validate(
            report=report, by=self.instructor(key), on=DAY(2026, 1, 20), at=paris_at(2026, 1, 20, 10)
        )
        if outcome.settlement is not None and outcome.settlement.balance_due > 0:
            payment_record(
                agreement=self.d(key).agreement,
                amount=outcome.settlement.balance_due,
                paid_on=DAY(2026, 2, 6),
                reference=f"DP-2026-{self.dossiers[key].pk:06d}",
                by=self.instructor(key),
                step_code="solde",
                at=paris_at(2026, 2, 6, 11),
            )

    def run(self) -> None:
        self.file_all()
        self.instruction()
        self.committee()
        self.after_committee()
        self.conventions()


def ensure_demo_envelope(call: Call) -> bool:
    """Sets the call's regional envelope (by the demo administrator) when none is set; True when it was set."""
    if call.regional_envelope is not None:
        return False
    admin = User.objects.filter(email__iexact="admin@demo.test").first()
    if admin is None:
        return False
    call_envelope_set(call=call, amount=REGIONAL_ENVELOPE, by=admin)
    return True


def ensure_demo_stages(call: Call) -> list[Dossier]:
    """Creates the stages' dossiers on the real (closed) call and walks them through the services, when none of them
    exists yet; returns the dossiers created (none on a second run, nothing changed then)."""
    if call.is_demo:
        return []
    if User.objects.filter(email__in=ACTORS).count() < len(ACTORS):
        return []  # the demo accounts are not there (see ``pactes.demo.accounts.ensure_demo_accounts``)
    ensure_stage_accounts()
    ensure_demo_envelope(call)
    titles = [*stage_titles(), title_of(DRAFT)]
    if Dossier.objects.filter(call=call, title__in=titles).exists():
        return []
    with transaction.atomic():
        scenario = _Scenario(call)
        scenario.run()
    return list(Dossier.objects.filter(call=call, title__in=titles).order_by("reference"))
