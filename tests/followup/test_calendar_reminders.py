"""Issue 16 (10): the reminders the calendar implies — before filing closes (drafts, 14/7/1 days), before a
complements deadline (the applicant), a convention sent and unsigned after 15 days (carrier and instructor) — with
their recipients shown by name."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from pactes.agreements.services import agreement_transition
from pactes.dossiers.services import dossier_transition
from pactes.followup.models import ReminderSent
from pactes.followup.reminders import reminders_pending, reminders_send_due
from pactes.instruction.services import complements_request

pytestmark = pytest.mark.django_db


def keys(today):
    due, _ = reminders_pending(today=today)
    return {item.key for item in due}


@pytest.mark.parametrize("days_before", [14, 7, 1])
def test_applicants_with_a_draft_are_reminded_before_filing_closes(demo_draft, demo_call, days_before):
    closes = demo_call.rules.filing_closes_at.date()
    today = closes - dt.timedelta(days=days_before)
    if today < timezone.localdate():
        pytest.skip("Le dépôt de l'appel de démonstration ferme trop tôt pour ce délai.")
    assert f"cloture_depot:{demo_draft.reference}:{closes.isoformat()}:{days_before}" in keys(today)


def test_the_filing_reminder_names_the_applicant_and_is_sent_once(
    demo_draft, demo_call, django_capture_on_commit_callbacks
):
    today = demo_call.rules.filing_closes_at.date() - dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        sent = reminders_send_due(today=today)
    row = next(r for r in sent if r.kind == "cloture_depot")
    assert row.recipients == "Camille Roux <camille.roux@pactes.test>"
    message = next(m for m in mail.outbox if "Clôture du dépôt" in m.subject)
    assert message.to == ["camille.roux@pactes.test"]
    assert "encore un brouillon" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        assert not [r for r in reminders_send_due(today=today) if r.kind == "cloture_depot"]


def test_a_draft_of_a_call_whose_filing_has_closed_gets_no_reminder(draft):
    assert not any(k.startswith("cloture_depot:") for k in keys(timezone.localdate()))


def test_the_applicant_is_reminded_before_the_complements_deadline(filed, accounts):
    instructor = accounts["instructeur.09"]
    dossier = dossier_transition(dossier=filed["09"], transition="start_review", by=instructor)
    due_on = timezone.localdate() + dt.timedelta(days=10)
    complements_request(dossier=dossier, by=instructor, message="Joignez le RIB.", due_on=due_on)
    assert f"complements:{dossier.reference}:{due_on.isoformat()}:14" in keys(timezone.localdate())
    assert f"complements:{dossier.reference}:{due_on.isoformat()}:1" in keys(due_on - dt.timedelta(days=1))


def test_a_convention_unsigned_15_days_after_it_was_sent_alerts_the_carrier_and_the_instructor(
    draft_agreement, accounts, django_capture_on_commit_callbacks
):
    sent_on = timezone.localdate() - dt.timedelta(days=20)
    agreement = agreement_transition(agreement=draft_agreement, transition="send", by=accounts["instructeur.09"])
    type(agreement).objects.filter(pk=agreement.pk).update(sent_on=sent_on)  # sent three weeks ago
    reference = agreement.dossier.reference
    alert_day = sent_on + dt.timedelta(days=15)
    assert not any(k.startswith("convention_non_signee:") for k in keys(alert_day - dt.timedelta(days=1)))
    # The worker did not run on the alert day itself: the alert is still sent on the next run.
    with django_capture_on_commit_callbacks(execute=True):
        sent = reminders_send_due(today=timezone.localdate())
    row = next(r for r in sent if r.kind == "convention_non_signee")
    assert row.key == f"convention_non_signee:{reference}:{alert_day.isoformat()}:0"
    assert "Camille Roux <porteur.ariege@demo.test>" in row.recipients
    assert "Sophie Fabre <instructeur.09@demo.test>" in row.recipients
    message = next(m for m in mail.outbox if "Convention envoyée" in m.subject)
    assert sorted(message.to) == ["instructeur.09@demo.test", "porteur.ariege@demo.test"]
    assert "n'est toujours pas signée" in message.body
    assert ReminderSent.objects.filter(kind="convention_non_signee").count() == 1


def test_the_command_shows_recipients_by_name(retained_dossier):
    out = StringIO()
    call_command("reminders_due", "--date", "2024-11-20", stdout=out)
    text = out.getvalue()
    assert "Sophie Fabre <instructeur.09@demo.test>" in text
    assert "ddets:" not in text
