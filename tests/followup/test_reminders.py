"""Reminders: every open deadline, each key sent once (a second run sends nothing), and the two commands."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from pactes.followup.models import ReminderSent
from pactes.followup.reminders import open_deadlines, reminders_send_due
from pactes.followup.selectors import dossier_followup

pytestmark = pytest.mark.django_db

ENGAGEMENT_DAY = dt.date(2024, 11, 20)  # 10 days before the 30 November deadline: the 14-day reminder is reached


def test_retained_dossiers_without_ej_have_an_engagement_deadline_for_their_ddets(retained_dossier):
    deadlines = [(d.kind, d.object_id, d.recipients) for d, _ in open_deadlines()]
    for dossier in retained_dossier.values():
        assert ("engagement", dossier.reference, f"ddets:{dossier.departement_id}") in deadlines


def test_reminders_are_sent_once_per_key_even_when_run_twice(retained_dossier, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders_send_due(today=ENGAGEMENT_DAY)
    with django_capture_on_commit_callbacks(execute=True):
        second = reminders_send_due(today=ENGAGEMENT_DAY)
    keys = sorted(r.key for r in first)
    assert keys == sorted(f"engagement:{d.reference}:2024-11-30:14" for d in retained_dossier.values())
    assert second == []
    assert len(mail.outbox) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["instructeur.09@demo.test", "instructeur.11@demo.test"]
    assert all(m.subject.startswith("[") and "Engagement des crédits" in m.subject for m in mail.outbox)
    assert ReminderSent.objects.count() == 2


def test_a_later_offset_sends_a_new_reminder_and_a_passed_deadline_none(retained_dossier):
    reminders_send_due(today=ENGAGEMENT_DAY)
    later = reminders_send_due(today=dt.date(2024, 11, 29))
    assert sorted(r.offset_days for r in later) == [1, 1]
    assert reminders_send_due(today=dt.date(2024, 12, 5)) == []


def test_an_engaged_convention_in_force_gets_its_follow_up_deadlines_not_the_engagement_one(paid_agreement):
    dossier = paid_agreement.dossier
    kinds = {d.kind for d, found in open_deadlines() if found.pk == dossier.pk}
    assert "engagement" not in kinds
    assert {"releve_indicateurs", "bilan_intermediaire", "fin_actions", "bilan_final"} <= kinds


def test_the_end_of_actions_reminder_goes_to_the_applicants(paid_agreement, django_capture_on_commit_callbacks):
    end = dossier_followup(dossier=paid_agreement.dossier).end
    with django_capture_on_commit_callbacks(execute=True):
        sent = reminders_send_due(today=end - dt.timedelta(days=6))
    ends = [r for r in sent if r.kind == "fin_actions"]
    assert [r.offset_days for r in ends] == [7]
    assert any(m.to == ["porteur.ariege@demo.test"] and "Fin des actions" in m.subject for m in mail.outbox)


def test_reminders_due_lists_what_is_due_then_what_was_sent_without_sending(retained_dossier):
    out = StringIO()
    call_command("reminders_due", "--date", "2024-11-20", stdout=out)
    text = out.getvalue()
    assert "Rappels à envoyer le 20/11/2024 : 2" in text
    assert f"À ENVOYER  engagement:{retained_dossier['09'].reference}:2024-11-30:14" in text
    assert mail.outbox == [] and not ReminderSent.objects.exists()
    call_command("reminders_send", "--date", "2024-11-20", stdout=StringIO())
    out = StringIO()
    call_command("reminders_due", "--date", "2024-11-20", stdout=out)
    text = out.getvalue()
    assert "Rappels à envoyer le 20/11/2024 : 0" in text
    assert f"DÉJÀ ENVOYÉ  engagement:{retained_dossier['09'].reference}:2024-11-30:14" in text


def test_reminders_send_runs_the_task_and_reports_the_keys(retained_dossier):
    out = StringIO()
    call_command("reminders_send", "--date", "2024-11-20", stdout=out)
    assert "Rappels envoyés : 2" in out.getvalue()
    assert ReminderSent.objects.count() == 2


def test_a_wrong_date_is_refused_in_french(retained_dossier):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Date invalide"):
        call_command("reminders_due", "--date", "20/11/2024", stdout=StringIO())
