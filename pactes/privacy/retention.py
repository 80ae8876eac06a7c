"""Applying the call's retention rules (YAML section ``retention``, ``pactes.rules.retention``): once a day the task
worker reminds the carriers of drafts about to be deleted, deletes the drafts due, and erases the personal data of
refused dossiers due. A dry run reports the same acts without doing them. Each act is logged once
(``RetentionAct``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Q
from django.urls import reverse

from pactes.calls.models import Call
from pactes.core.journal import DELETE, UPDATE, journal_record
from pactes.dossiers.interchange.canonical import canonical_json
from pactes.dossiers.models import Dossier, DossierTransitionLog, DossierVersion
from pactes.privacy.models import RetentionAct
from pactes.privacy.notifications import draft_deletion_notify
from pactes.rules.formatting import date_short
from pactes.rules.lifecycle import DossierState
from pactes.rules.retention import draft_deletion_day, draft_is_due, draft_reminder_is_due, refused_erasure_day

logger = logging.getLogger(__name__)

REFUSED_STATES = (DossierState.INADMISSIBLE, DossierState.REJECTED)
ERASED = ""
# The keys of a filed version's « applicant » block that name or reach a person.
# How the journal names the author of what retention changes (the daily task, no person).
RETENTION_ACTOR = "conservation des données (RGPD), tâche quotidienne"
SNAPSHOT_PERSONAL_KEYS = ("legal_representative", "contact")


@dataclass(frozen=True)
class Act:
    kind: str
    reference: str
    call_slug: str
    detail: str

    def line(self) -> str:
        return f"{RetentionAct.Kind(self.kind).label} : {self.reference} ({self.call_slug}) — {self.detail}"


def _done(kind: str, reference: str) -> bool:
    return RetentionAct.objects.filter(kind=kind, reference=reference).exists()


def _log(act: Act) -> None:
    RetentionAct.objects.get_or_create(
        kind=act.kind, reference=act.reference, defaults={"call_slug": act.call_slug, "detail": act.detail}
    )


def _draft_link(dossier: Dossier) -> str:
    return settings.PACTES_SITE_URL + reverse("dossiers:detail", kwargs={"reference": dossier.reference})


def _remind_draft(dossier: Dossier, *, deletion_day: dt.date) -> None:
    with transaction.atomic():
        draft_deletion_notify(dossier=dossier, deletion_day=deletion_day, link=_draft_link(dossier))


def _delete_draft(dossier: Dossier) -> None:
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().filter(pk=dossier.pk, state=DossierState.DRAFT).first()
        if locked is None:  # filed meanwhile: nothing to delete
            return
        files = [a.file for a in locked.attachments.all()]
        # What the journal holds of the draft (its pieces, its transitions) is journaled as deleted, for the reason.
        for fact in [*locked.attachments.all(), *DossierTransitionLog.objects.filter(dossier=locked)]:
            journal_record(fact, action=DELETE, actor=RETENTION_ACTOR)
        locked.delete()
        transaction.on_commit(lambda: [f.delete(save=False) for f in files])


def _erase_personal_data(dossier: Dossier) -> None:
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        locked.applicant_legal_representative = ERASED
        locked.applicant_contact = ERASED
        locked.save(update_fields=["applicant_legal_representative", "applicant_contact"])
        locked.editors.clear()
        locked.invitations.all().delete()
        locked.step_versions.all().delete()
        for version in DossierVersion.objects.filter(dossier=locked):
            snapshot = json.loads(version.snapshot)
            applicant = snapshot.get("applicant") or {}
            for key in SNAPSHOT_PERSONAL_KEYS:
                if key in applicant:
                    applicant[key] = ERASED
            # The frozen version is rewritten in the same canonical form; its new SHA-256 replaces the one printed on
            # the receipt, and the retention log records that the erasure is why they differ.
            version.snapshot = canonical_json(snapshot)
            version.sha256 = hashlib.sha256(version.snapshot.encode("utf-8")).hexdigest()
            version.save(update_fields=["snapshot", "sha256"])
            # The rewrite is a fact of the record: the journal holds the new hash and says who changed it, and why.
            journal_record(version, action=UPDATE, actor=RETENTION_ACTOR)


def retention_acts_due(*, today: dt.date) -> list[Act]:
    """Every act the retention rules call for on ``today`` and not yet done."""
    acts: list[Act] = []
    for call in Call.objects.order_by("slug"):
        rules = call.rules
        drafts = Dossier.objects.filter(call=call, state=DossierState.DRAFT).order_by("reference")
        if draft_is_due(rules, today):
            detail = f"brouillon jamais déposé, supprimable depuis le {date_short(draft_deletion_day(rules))}"
            acts += [Act(RetentionAct.Kind.DRAFT_DELETED, d.reference, call.slug, detail) for d in drafts]
        elif draft_reminder_is_due(rules, today):
            detail = f"suppression à partir du {date_short(draft_deletion_day(rules))}"
            acts += [
                Act(RetentionAct.Kind.DRAFT_REMINDED, d.reference, call.slug, detail)
                for d in drafts
                if not _done(RetentionAct.Kind.DRAFT_REMINDED, d.reference)
            ]
        refused = (
            Dossier.objects.filter(call=call, state__in=REFUSED_STATES)
            .annotate(decided_at=Max("transitions__at", filter=Q(transitions__to_state=F("state"))))
            .order_by("reference")
        )
        for dossier in refused:
            decided_on = dossier.decided_at.astimezone(rules.timezone).date()
            erasable = refused_erasure_day(decided_on, rules)
            if today >= erasable and not _done(RetentionAct.Kind.PERSONAL_DATA_ERASED, dossier.reference):
                detail = (
                    f"décision du {date_short(decided_on)}, données effaçables depuis le {date_short(erasable)} ; "
                    "l'empreinte des versions déposées est recalculée après effacement"
                )
                acts.append(Act(RetentionAct.Kind.PERSONAL_DATA_ERASED, dossier.reference, call.slug, detail))
    return acts


def retention_apply(*, today: dt.date, dry_run: bool = False) -> list[Act]:
    """Does (or, with ``dry_run``, only lists) the acts due on ``today``; returns them."""
    acts = retention_acts_due(today=today)
    if dry_run:
        return acts
    for act in acts:
        dossier = Dossier.objects.select_related("call", "organisation").filter(reference=act.reference).first()
        if dossier is None:
            continue
        if act.kind == RetentionAct.Kind.DRAFT_REMINDED:
            _remind_draft(dossier, deletion_day=draft_deletion_day(dossier.call.rules))
        elif act.kind == RetentionAct.Kind.DRAFT_DELETED:
            _delete_draft(dossier)
        else:
            _erase_personal_data(dossier)
        _log(act)
        logger.info("Conservation : %s", act.line())
    return acts
