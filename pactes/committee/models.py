"""The regional committee (comité de validation, §1.6, §1.7): its sessions, members and decisions.

Words: a *session* (séance) of the committee of one call is chaired by the commissaire à la lutte contre la
pauvreté with the DREETS; it is *planned*, then *open* (decisions are recorded), then *closed* (decisions frozen,
applied to the dossiers; the procès-verbal and the decision letters are then produced by the task worker after the
closing commit, ADR 0054). Its *members* are jury members and DREETS
agents; their *attendance* is ticked at the session and counts towards the *quorum* of the call's YAML. A
*decision* is the committee's outcome for one dossier of the *agenda* (the dossiers transmitted to the committee):
retenu (with an *awarded amount*), non retenu or ajourné (both motivated).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from pactes.assessment.models import Opinion
from pactes.core.journal_spec import JournalSpec
from pactes.core.models import TransitionLog
from pactes.rules.committee_session import SESSION_LIFECYCLE
from pactes.rules.formatting import date_short


# The states of ``pactes.rules.committee_session.SessionState``, as database choices (a test keeps them equal).
class SessionState(models.TextChoices):
    PLANNED = "planifiee", "Planifiée"
    OPEN = "ouverte", "Ouverte"
    CLOSED = "close", "Close"


class CommitteeSession(models.Model):
    # The table its ``state`` follows; ``pactes.core.transitions.fire`` is the only writer (ADR 0014).
    lifecycle = SESSION_LIFECYCLE

    call = models.ForeignKey(
        "calls.Call", on_delete=models.PROTECT, related_name="committee_sessions", verbose_name="appel"
    )
    date = models.DateField("date de la séance")
    place = models.CharField("lieu", max_length=300)
    chair = models.CharField("présidence", max_length=300)
    state = models.CharField("état", max_length=12, choices=SessionState.choices, default=SessionState.PLANNED)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Attendance", related_name="committee_sessions", verbose_name="membres"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="créée par"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    opened_at = models.DateTimeField("ouverte le", null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ouverte par",
    )
    closed_at = models.DateTimeField("close le", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="close par",
    )
    # Frozen at closing: the quorum the session was held under and the totals written in its procès-verbal.
    quorum = models.PositiveSmallIntegerField("quorum appliqué", null=True, blank=True)
    awarded_total = models.DecimalField(
        "total attribué lors de la séance (€)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    envelope_remaining = models.DecimalField(
        "reste de l'enveloppe à la clôture (€)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    minutes_pdf = models.FileField("procès-verbal (PDF)", upload_to="committee/minutes/%Y/", blank=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "séance du comité régional"
        verbose_name_plural = "séances du comité régional"
        constraints = [
            models.CheckConstraint(
                condition=(Q(state=SessionState.CLOSED) & Q(closed_at__isnull=False))
                | (~Q(state=SessionState.CLOSED) & Q(closed_at__isnull=True)),
                name="committee_session_closed_at_iff_closed",
                violation_error_message="Une séance close a une date de clôture, et elle seule.",
            ),
            models.CheckConstraint(
                condition=Q(state=SessionState.PLANNED) | Q(opened_at__isnull=False),
                name="committee_session_opened_at_once_opened",
                violation_error_message="Une séance ouverte ou close a une date d'ouverture.",
            ),
        ]

    def __str__(self) -> str:
        return f"Comité régional du {date_short(self.date)} — {self.call.short_title}"

    @property
    def is_planned(self) -> bool:
        return self.state == SessionState.PLANNED

    @property
    def is_open(self) -> bool:
        return self.state == SessionState.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state == SessionState.CLOSED


class CommitteeSessionTransitionLog(TransitionLog):
    session = models.ForeignKey(CommitteeSession, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionLog.Meta):
        verbose_name = "transition de séance du comité"

    @property
    def from_label(self) -> str:
        return SESSION_LIFECYCLE.state_label(self.from_state)

    @property
    def to_label(self) -> str:
        return SESSION_LIFECYCLE.state_label(self.to_state)


class Attendance(models.Model):
    """A member of a session (jury member or DREETS agent) and whether they are present."""

    session = models.ForeignKey(CommitteeSession, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="committee_attendances", verbose_name="membre"
    )
    is_present = models.BooleanField("présent", default=False)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__email"]
        verbose_name = "membre de la séance"
        verbose_name_plural = "membres de la séance"
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="attendance_unique")]


class Decision(models.TextChoices):
    RETAINED = "retenu", "Retenu"
    REJECTED = "non_retenu", "Non retenu"
    POSTPONED = "ajourne", "Ajourné"


# The lifecycle transition each decision fires when the session is closed.
DECISION_TRANSITIONS: dict[str, str] = {
    Decision.RETAINED: "retain",
    Decision.REJECTED: "reject",
    Decision.POSTPONED: "postpone",
}
# The transition that reopens a decided dossier, by its state.
REOPEN_TRANSITIONS: dict[str, str] = {
    "retenu": "reopen_retained",
    "non_retenu": "reopen_rejected",
    "ajourne": "reopen_postponed",
}


class CommitteeDecisionQuerySet(models.QuerySet["CommitteeDecision"]):
    def of_closed_sessions(self) -> "CommitteeDecisionQuerySet":
        """Decisions that hold: taken in a session since closed (an open session's entries are drafts)."""
        return self.filter(session__state=SessionState.CLOSED)

    def latest_first(self) -> "CommitteeDecisionQuerySet":
        return self.order_by("-session__closed_at", "-decided_at", "-pk")


class CommitteeDecision(models.Model):
    session = models.ForeignKey(CommitteeSession, on_delete=models.PROTECT, related_name="decisions")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="committee_decisions")
    decision = models.CharField("décision", max_length=12, choices=Decision.choices)
    awarded_amount = models.DecimalField("montant attribué (€)", max_digits=12, decimal_places=2, null=True, blank=True)
    motivation = models.TextField("motivation", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="saisie par"
    )
    decided_at = models.DateTimeField("saisie le")
    letter_pdf = models.FileField("lettre de décision (PDF)", upload_to="committee/letters/%Y/", blank=True)

    objects = CommitteeDecisionQuerySet.as_manager()

    # The letter is rendered afterwards: the fact is the decision itself (each change while the session is open).
    journal = JournalSpec(
        kind="decision",
        fields=("session", "dossier", "decision", "awarded_amount", "motivation", "decided_by", "decided_at"),
        dossier="dossier_id",
    )

    class Meta:
        ordering = ["dossier__departement__code", "dossier__reference"]
        verbose_name = "décision du comité"
        verbose_name_plural = "décisions du comité"
        constraints = [
            models.UniqueConstraint(fields=["session", "dossier"], name="committee_decision_one_per_session"),
            models.CheckConstraint(
                condition=(Q(decision=Decision.RETAINED) & Q(awarded_amount__gt=Decimal("0")))
                | (~Q(decision=Decision.RETAINED) & Q(awarded_amount__isnull=True)),
                name="committee_decision_amount_iff_retained",
                violation_error_message="Un dossier retenu a un montant attribué positif ; les autres n'en ont pas.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier.reference} — {self.get_decision_display()}"

    @property
    def is_retained(self) -> bool:
        return self.decision == Decision.RETAINED


class JuryOpinion(models.Model):
    """The opinion of one member of a session on one dossier of its agenda, given before or during the session."""

    session = models.ForeignKey(CommitteeSession, on_delete=models.PROTECT, related_name="jury_opinions")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="jury_opinions")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jury_opinions", verbose_name="membre du jury"
    )
    opinion = models.CharField("avis", max_length=12, choices=Opinion.choices)
    comment = models.TextField("commentaire", blank=True)
    updated_at = models.DateTimeField("donné le")

    class Meta:
        ordering = ["member__last_name", "member__first_name", "member__email"]
        verbose_name = "avis d'un membre du jury"
        verbose_name_plural = "avis des membres du jury"
        constraints = [
            models.UniqueConstraint(fields=["session", "dossier", "member"], name="jury_opinion_one_per_member"),
            models.CheckConstraint(
                condition=Q(opinion__in=[c.value for c in Opinion]),
                name="jury_opinion_known",
                violation_error_message="Un avis est favorable, réservé ou défavorable.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier.reference} — {self.member} : {self.get_opinion_display()}"
