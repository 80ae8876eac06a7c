"""Every e-mail goes through the outbox: recorded with the act, sent once after its commit, logged, never twice."""

import logging
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from pactes.outbox.models import OutgoingEmail
from pactes.outbox.services import Attachment, email_queue, email_subject
from pactes.outbox.tasks import email_send

pytestmark = pytest.mark.django_db

DOSSIER = SimpleNamespace(
    reference="PTS-2024-09-0001",
    title="Essai",
    organisation=SimpleNamespace(name="Association"),
    call=SimpleNamespace(short_title="AMI 2024"),
)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


def queue(key: str = "test:1", to: tuple[str, ...] = ("porteur@example.test",), **kwargs) -> OutgoingEmail | None:
    return email_queue(
        key=key,
        to=list(to),
        subject=email_subject("AMI 2024-PTS", "Essai"),
        template="emails/invitation.txt",
        context={"dossier": DOSSIER, "invited_by": "Camille", "link": "https://pactes.test/x", "validity_days": 14},
        **kwargs,
    )


@pytest.mark.parametrize(
    ("prefix", "text"),
    [("AMI 2024-PTS", "Essai"), ("[AMI 2024-PTS]", "Essai"), ("AMI 2024-PTS", "[AMI 2024-PTS] Essai")],
)
def test_every_subject_starts_with_the_calls_prefix_in_one_form(prefix: str, text: str) -> None:
    assert email_subject(prefix, text) == "[AMI 2024-PTS] Essai"


def test_an_email_leaves_only_once_the_act_is_committed(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        email = queue()
        assert mail.outbox == []
    assert [m.subject for m in mail.outbox] == ["[AMI 2024-PTS] Essai"]
    assert mail.outbox[0].to == ["porteur@example.test"]
    email.refresh_from_db()
    assert email.is_sent and email.template == "emails/invitation.txt"


def test_a_notification_queued_twice_is_sent_once(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = queue()
    with django_capture_on_commit_callbacks(execute=True):
        second = queue()
    assert first is not None and second is not None and first.pk == second.pk
    assert len(mail.outbox) == 1
    assert email_send(email_id=first.pk) == 0
    assert len(mail.outbox) == 1


def test_an_act_rolled_back_sends_nothing(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        queue()
        raise RuntimeError("refusé")
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()


def test_nobody_to_write_to_records_nothing() -> None:
    assert queue(to=("", "  ")) is None
    assert not OutgoingEmail.objects.exists()


def test_a_mail_server_failure_is_recorded_and_logged_never_raised(django_capture_on_commit_callbacks, caplog) -> None:
    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError("smtp")),
        caplog.at_level(logging.ERROR, logger="pactes.outbox.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        email = queue()
    email.refresh_from_db()
    assert not email.is_sent and "smtp" in email.error and email.failed_at is not None
    assert "test:1" in caplog.text and "porteur@example.test" in caplog.text
    assert email_send(email_id=email.pk) == 1  # sent again later: it leaves
    assert len(mail.outbox) == 1


def test_a_sent_email_is_logged_with_its_recipient_and_template(django_capture_on_commit_callbacks, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="pactes.outbox.tasks"), django_capture_on_commit_callbacks(execute=True):
        queue()
    assert "porteur@example.test" in caplog.text and "emails/invitation.txt" in caplog.text


def test_stored_files_are_attached_when_the_email_leaves(media_root, django_capture_on_commit_callbacks) -> None:
    path = default_storage.save("test/lettre.pdf", ContentFile(b"%PDF-1.7 essai"))
    with django_capture_on_commit_callbacks(execute=True):
        queue(attachments=[Attachment(path=path, name="lettre.pdf")])
    assert mail.outbox[0].attachments == [("lettre.pdf", b"%PDF-1.7 essai", "application/pdf")]


def test_mail_turned_off_by_configuration_records_but_never_sends(settings, django_capture_on_commit_callbacks) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = queue()
    assert callbacks == [] and mail.outbox == []
    email.refresh_from_db()
    assert not email.is_sent and "désactivé" in email.error
