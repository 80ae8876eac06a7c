"""The committee's documents leave the closing transaction (ADR 0054): the closing commits the decisions and the
frozen session without any PDF; what its commit enqueues renders the procès-verbal and the letters, e-mails each
letter once it exists, and running it again duplicates neither a file nor an e-mail. A failed render leaves the
decisions applied and the document pending, logged, until it is relaunched."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.tasks import default_task_backend

from pactes.committee import services, tasks
from pactes.committee.models import CommitteeDecision, CommitteeSession, Decision, SessionState
from pactes.committee.selectors import session_documents_status
from pactes.committee.services import CommitteeRefused, session_close, session_documents_relaunch
from pactes.committee.tasks import letters_prepare, session_documents_dispatch
from pactes.dossiers.models import Dossier
from pactes.outbox.models import OutgoingEmail
from pactes.rules.lifecycle import DossierState
from tests.committee.test_committee_services import decide_all

pytestmark = pytest.mark.django_db


def stored_files() -> set[str]:
    """Every file under the committee's folders of the test's storage."""
    found: set[str] = set()
    for top in ("committee/minutes", "committee/letters"):
        if not default_storage.exists(top):
            continue
        for year in default_storage.listdir(top)[0]:
            found |= {f"{top}/{year}/{name}" for name in default_storage.listdir(f"{top}/{year}")[1]}
    return found


def test_the_closing_commits_without_any_document_and_its_commit_renders_them(
    open_session, transmitted, accounts, django_capture_on_commit_callbacks
):
    decide_all(open_session, transmitted, accounts["dreets"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        closed = session_close(session=open_session, by=accounts["dreets"])
        # What the transaction wrote, before its commit runs anything: decisions applied, session frozen, no PDF.
        assert CommitteeSession.objects.get(pk=closed.pk).state == SessionState.CLOSED
        assert Dossier.objects.get(pk=transmitted["09"].pk).state == DossierState.RETAINED
        assert not CommitteeSession.objects.get(pk=closed.pk).minutes_pdf
        assert not CommitteeDecision.objects.filter(session=closed).exclude(letter_pdf="").exists()
        assert stored_files() == set() and not OutgoingEmail.objects.exists()
    # One enqueue, whatever the number of decisions (the others are the letters' e-mails, queued once rendered).
    assert [c.func for c in callbacks if getattr(c, "func", None) is services._documents_enqueue] == [
        services._documents_enqueue
    ]
    status = session_documents_status(CommitteeSession.objects.get(pk=closed.pk))
    assert (status.minutes_ready, status.letters, status.letters_ready, status.is_complete) == (True, 2, 2, True)
    assert len(stored_files()) == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["porteur.ariege@demo.test", "porteur.aude@demo.test"]


def test_running_the_tasks_again_duplicates_neither_a_file_nor_an_email(
    open_session, transmitted, accounts, django_capture_on_commit_callbacks
):
    decide_all(open_session, transmitted, accounts["dreets"])
    with django_capture_on_commit_callbacks(execute=True):
        closed = session_close(session=open_session, by=accounts["dreets"])
    files = stored_files()
    names = dict(CommitteeDecision.objects.values_list("pk", "letter_pdf"))
    assert len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert session_documents_dispatch(session_id=closed.pk) == 0  # nothing missing: nothing enqueued
        assert letters_prepare(session_id=closed.pk) == 2  # run again by hand: both letters exist
        tasks.letters_prepare_task.enqueue(closed.pk, list(names))
        tasks.minutes_prepare_task.enqueue(closed.pk)
    assert stored_files() == files
    assert dict(CommitteeDecision.objects.values_list("pk", "letter_pdf")) == names
    assert len(mail.outbox) == 2 and OutgoingEmail.objects.count() == 2


def test_the_letters_are_rendered_by_batches_below_the_receipts_and_emails(
    open_session, transmitted, accounts, settings, monkeypatch
):
    decide_all(open_session, transmitted, accounts["dreets"])
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    monkeypatch.setattr(tasks, "LETTER_BATCH", 1)
    closed = session_close(session=open_session, by=accounts["dreets"])  # its commit never runs in this test
    ids = sorted(CommitteeDecision.objects.values_list("pk", flat=True))
    assert session_documents_dispatch(session_id=closed.pk) == 3
    enqueued = [(r.task.name, r.task.priority, r.args) for r in default_task_backend.results]
    assert enqueued == [
        ("minutes_prepare_task", tasks.DOCUMENTS_PRIORITY, [closed.pk]),
        ("letters_prepare_task", tasks.DOCUMENTS_PRIORITY, [closed.pk, [ids[0]]]),
        ("letters_prepare_task", tasks.DOCUMENTS_PRIORITY, [closed.pk, [ids[1]]]),
    ]
    assert tasks.DOCUMENTS_PRIORITY < 0  # the receipts and the e-mails (priority 0) pass first


def test_a_failed_letter_leaves_the_decisions_applied_is_logged_and_is_made_when_relaunched(
    open_session, transmitted, accounts, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    decide_all(open_session, transmitted, accounts["dreets"])
    real_render = tasks.letter_render

    def failing_for_aude(*, decision):
        if decision.dossier_id == transmitted["11"].pk:
            raise OSError("disque plein")
        return real_render(decision=decision)

    monkeypatch.setattr(tasks, "letter_render", failing_for_aude)
    with django_capture_on_commit_callbacks(execute=True):
        closed = session_close(session=open_session, by=accounts["dreets"])
    assert Dossier.objects.get(pk=transmitted["11"].pk).state == DossierState.REJECTED
    aude = CommitteeDecision.objects.get(dossier=transmitted["11"])
    assert not aude.letter_pdf and CommitteeDecision.objects.get(dossier=transmitted["09"]).letter_pdf
    assert [m.to for m in mail.outbox] == [["porteur.ariege@demo.test"]]  # no e-mail without its letter
    assert not OutgoingEmail.objects.filter(key=f"decision-letter:{aude.pk}").exists()
    failures = [r for r in caplog.records if r.getMessage().startswith("Échec de la préparation de la lettre")]
    assert len(failures) == tasks.ATTEMPTS
    closed.refresh_from_db()
    assert session_documents_status(closed).letters_pending == 1

    monkeypatch.setattr(tasks, "letter_render", real_render)
    with django_capture_on_commit_callbacks(execute=True):
        assert session_documents_relaunch(session=closed, by=accounts["dreets"]) == 1
    assert CommitteeDecision.objects.get(pk=aude.pk).letter_pdf
    assert sorted(m.to[0] for m in mail.outbox) == ["porteur.ariege@demo.test", "porteur.aude@demo.test"]
    assert session_documents_relaunch(session=closed, by=accounts["dreets"]) == 0


def test_only_the_dreets_relaunches_the_documents_of_a_closed_session(open_session, transmitted, accounts):
    with pytest.raises(CommitteeRefused) as refused:
        session_documents_relaunch(session=open_session, by=accounts["dreets"])
    assert [r.code for r in refused.value.reasons] == ["SESSION_NOT_CLOSED"]
    with pytest.raises(CommitteeRefused) as refused:
        session_documents_relaunch(session=open_session, by=accounts["jury"])
    assert "NOT_ALLOWED" in [r.code for r in refused.value.reasons]


def test_the_demo_path_prepares_the_documents_at_once(open_session, transmitted, accounts):
    decide_all(open_session, transmitted, accounts["dreets"])
    closed = session_close(session=open_session, by=accounts["dreets"], in_background=False)
    assert closed.minutes_pdf and closed.awarded_total == Decimal("40000.00")
    assert all(d.letter_pdf for d in CommitteeDecision.objects.filter(session=closed, decision__in=Decision.values))
