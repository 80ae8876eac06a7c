"""The retention command (``apply_retention``): drafts reminded a month before deletion then deleted, the personal
data of refused dossiers erased after the call's years; a dry run changes nothing. Runs on SQLite and PostgreSQL."""

import datetime as dt
import hashlib
import io
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pactes.core.integrity import verify
from pactes.core.models import JournalEntry
from pactes.dossiers.interchange.canonical import canonical_json
from pactes.dossiers.models import Dossier, DossierVersion, Invitation
from pactes.dossiers.services import dossier_transition
from pactes.outbox.models import OutgoingEmail
from pactes.privacy.models import RetentionAct
from pactes.privacy.tasks import TASK_PATH, next_run, retention_schedule
from tests.factories import DossierFactory, UserFactory, instructor_of

# engine: the retention command is proven on SQLite and on PostgreSQL (issue 10; CI runs `make test-engine` on SQLite).
pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.engine]

# The 2024 call closed on 30 September 2024: drafts are reminded from 31 August 2025 and deleted from 30 September 2025.
REMINDER_DAY = "2025-09-01"
DELETION_DAY = "2025-09-30"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def draft(departements):
    dossier = DossierFactory()
    co_editor = UserFactory()
    dossier.editors.add(co_editor)
    return dossier


@pytest.fixture
def refused(departements):
    dossier = DossierFactory(under_review=True, applicant_contact="Camille Roux, 06 12 34 56 78")
    dossier.applicant_legal_representative = "Camille Roux, présidente"
    dossier.save()
    dossier = dossier_transition(
        dossier=dossier,
        transition="declare_inadmissible",
        by=instructor_of(dossier.departement.code),
        reason="Pièces manquantes",
        at=timezone.now() - dt.timedelta(days=6 * 366),
    )
    Invitation.objects.create(dossier=dossier, email="x@asso.test", token="t-refused", invited_by=dossier.created_by)
    snapshot = canonical_json(
        {"applicant": {"contact": dossier.applicant_contact, "legal_representative": "Camille Roux, présidente"}}
    )
    DossierVersion.objects.create(
        dossier=dossier,
        number=1,
        snapshot=snapshot,
        sha256=hashlib.sha256(snapshot.encode()).hexdigest(),
        submitted_at=dossier.submitted_at,
        submitted_by=dossier.created_by,
    )
    return dossier


def test_a_dry_run_lists_the_reminders_due_and_changes_nothing(draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        out = run("--dry-run", "--date", REMINDER_DAY)
    assert "Simulation (rien n'est modifié) : 1 acte(s)." in out
    assert f"Rappel avant suppression du brouillon : {draft.reference}" in out
    assert not RetentionAct.objects.exists() and not mail.outbox


def test_the_reminder_reaches_every_carrier_once(draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        out = run("--date", REMINDER_DAY)
        again = run("--date", "2025-09-02")
    assert "Conservation appliquée : 1 acte(s)." in out
    assert "0 acte(s)" in again
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == f"[AMI 2024-PTS] Le brouillon {draft.reference} sera supprimé"
    assert sorted(message.to) == sorted({draft.created_by.email, *draft.editors.values_list("email", flat=True)})
    assert "30 septembre 2025" in message.body
    assert RetentionAct.objects.filter(kind=RetentionAct.Kind.DRAFT_REMINDED, reference=draft.reference).count() == 1
    assert Dossier.objects.filter(pk=draft.pk).exists()


def test_drafts_are_deleted_once_due_after_a_dry_run_that_kept_them(draft):
    assert "Brouillon supprimé" in run("--dry-run", "--date", DELETION_DAY)
    assert Dossier.objects.filter(pk=draft.pk).exists()
    assert "Brouillon supprimé" not in run("--date", "2025-09-29")
    assert Dossier.objects.filter(pk=draft.pk).exists()
    out = run("--date", DELETION_DAY)
    assert f"Brouillon supprimé : {draft.reference}" in out
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert RetentionAct.objects.filter(reference=draft.reference, kind=RetentionAct.Kind.DRAFT_DELETED).exists()
    # The deletion is in the record: what the journal held of the draft is journaled as deleted, the chain is intact.
    report = verify()
    assert report.intact, report.breaks


def test_filed_dossiers_are_never_deleted(departements):
    filed = DossierFactory(filed=True)
    run("--date", DELETION_DAY)
    assert Dossier.objects.filter(pk=filed.pk).exists()


def test_personal_data_of_a_refused_dossier_is_erased_after_the_years_of_the_call(refused):
    version = DossierVersion.objects.get(dossier=refused)
    snapshot = json.loads(version.snapshot)
    assert snapshot["applicant"]["contact"] == "Camille Roux, 06 12 34 56 78"

    dry = run("--dry-run")
    assert f"Données personnelles effacées (dossier non retenu) : {refused.reference}" in dry
    refused.refresh_from_db()
    assert refused.applicant_contact  # the dry run erased nothing

    run()
    refused.refresh_from_db()
    assert (refused.applicant_contact, refused.applicant_legal_representative) == ("", "")
    assert not refused.invitations.exists() and not refused.editors.exists()
    version.refresh_from_db()
    applicant = json.loads(version.snapshot)["applicant"]
    assert applicant["contact"] == "" and applicant["legal_representative"] == ""
    assert version.sha256 == hashlib.sha256(version.snapshot.encode()).hexdigest()
    assert refused.title  # the dossier itself stays, for the record
    # The rewritten version is journaled with its new hash and the reason: the record stays verifiable.
    report = verify()
    assert report.intact, report.breaks
    entry = JournalEntry.objects.filter(model="dossiers.DossierVersion", object_pk=str(version.pk)).last()
    assert entry.action == "update" and "RGPD" in entry.actor
    assert "0 acte(s)" in run()  # once


def test_a_recent_refusal_keeps_its_data(departements):
    dossier = DossierFactory(under_review=True, applicant_contact="Camille Roux")
    dossier_transition(dossier=dossier, transition="declare_inadmissible", by=instructor_of("09"), reason="Hors délai")
    run()
    dossier.refresh_from_db()
    assert dossier.applicant_contact == "Camille Roux"


def test_an_invalid_date_is_refused_in_french():
    with pytest.raises(CommandError, match="Date invalide"):
        run("--date", "30/09/2025")


def test_the_daily_run_is_scheduled_once_for_the_worker(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

    first = retention_schedule()
    assert first and retention_schedule() == ""
    queued = DBTaskResult.objects.get(task_path=TASK_PATH)
    assert timezone.localtime(queued.run_after).time() == dt.time(3, 30)
    assert "déjà en file" in run("--schedule")


def test_next_run_is_the_next_half_past_three_in_paris():
    paris = timezone.get_default_timezone()
    before = dt.datetime(2026, 3, 1, 2, 0, tzinfo=paris)
    after = dt.datetime(2026, 3, 1, 4, 0, tzinfo=paris)
    assert next_run(before) == dt.datetime(2026, 3, 1, 3, 30, tzinfo=paris)
    assert next_run(after) == dt.datetime(2026, 3, 2, 3, 30, tzinfo=paris)


def test_retention_mails_go_through_the_outbox(draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run("--date", REMINDER_DAY)
    assert OutgoingEmail.objects.get(key=f"retention-draft-reminder:{draft.pk}").is_sent
