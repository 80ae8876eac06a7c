"""The journal of the record and ``verify_integrity``: every fact is chained, the intact record exits 0, and each
act behind the platform's back (a snapshot edited, a log row deleted, a byte of an attachment changed on disk, two
journal entries reordered) is named, with the first broken entry, and exits 1."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from pactes.core.integrity import verify
from pactes.core.journal import GENESIS, entry_hash, sha256_text
from pactes.core.models import IntegrityCheck, JournalEntry, JournalHead
from pactes.dossiers.attachments import attachment_add, attachment_delete
from pactes.dossiers.models import Attachment, AttachmentKind, DossierTransitionLog, DossierVersion
from pactes.dossiers.services import dossier_transition
from tests.core.tampering import bypass_journal_trigger, swap_entries
from tests.dossiers.fixtures import file_it

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def record(draft, applicant, evidence_staff, django_capture_on_commit_callbacks):
    """A dossier with a piece, filed (version 1), then taken up by the Ariège's instructor."""
    piece = attachment_add(
        dossier=draft, kind=AttachmentKind.STATUTES, name="Statuts.pdf", stream=io.BytesIO(PDF), by=applicant
    )
    file_it(draft, applicant, django_capture_on_commit_callbacks)
    dossier = dossier_transition(dossier=draft, transition="start_review", by=evidence_staff["i09"])
    return {"dossier": dossier, "piece": piece, "version": dossier.versions.get()}


def run_verify() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_integrity", stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def kinds() -> list[str]:
    return list(JournalEntry.objects.order_by("seq").values_list("kind", flat=True))


def test_every_fact_is_an_entry_of_one_chain(record):
    assert kinds() == ["attachment", "transition", "version", "transition"]
    entries = list(JournalEntry.objects.order_by("seq"))
    previous = GENESIS
    for entry in entries:
        assert entry.previous_hash == previous
        assert entry.content_hash == sha256_text(entry.payload)
        assert entry.entry_hash == entry_hash(entry)
        previous = entry.entry_hash
    head = JournalHead.objects.get(pk=1)
    assert (head.seq, head.entry_hash) == (entries[-1].seq, entries[-1].entry_hash)
    version = json.loads(entries[2].payload)["fields"]
    assert version["sha256"] == record["version"].sha256 == sha256_text(record["version"].snapshot)
    piece = json.loads(entries[0].payload)["fields"]
    assert piece["sha256"] == record["piece"].sha256
    assert all(e.dossier_id == record["dossier"].pk for e in entries)
    assert entries[-1].actor.startswith("instructeur.09@demo.test")


def test_the_intact_record_exits_0_with_a_french_report(record):
    code, out = run_verify()
    assert code == 0
    assert "4 entrée(s) vérifiée(s)" in out
    assert "Registre intact" in out
    assert IntegrityCheck.objects.get().intact


def test_an_edited_snapshot_is_named(record):
    version = record["version"]
    DossierVersion.objects.filter(pk=version.pk).update(snapshot=version.snapshot.replace("Ariège", "Aude", 1))
    code, out = run_verify()
    assert code == 1
    assert "Première rupture : l'entrée n° 3." in out
    assert "empreinte non conforme (instantané JSON canonique)" in out
    assert not IntegrityCheck.objects.get().intact


def test_a_snapshot_edited_with_its_hash_is_named_too(record):
    version = record["version"]
    forged = version.snapshot.replace("Ariège", "Aude", 1)
    DossierVersion.objects.filter(pk=version.pk).update(snapshot=forged, sha256=sha256_text(forged))
    code, out = run_verify()
    assert code == 1
    assert "Entrée n° 3 (version déposée) : version déposée n°" in out
    assert "empreinte SHA-256 : journal" in out


def test_a_deleted_transition_log_row_is_named(record):
    log = DossierTransitionLog.objects.get(dossier=record["dossier"], transition="start_review")
    DossierTransitionLog.objects.filter(pk=log.pk).delete()
    code, out = run_verify()
    assert code == 1
    assert "Première rupture : l'entrée n° 4." in out
    assert f"transition de dossier n° {log.pk} a disparu de la base" in out


def test_a_changed_transition_log_row_is_named(record):
    log = DossierTransitionLog.objects.get(dossier=record["dossier"], transition="start_review")
    DossierTransitionLog.objects.filter(pk=log.pk).update(reason="antidaté")
    code, out = run_verify()
    assert code == 1
    assert "motif : journal (vide), base « antidaté »" in out


def test_a_transition_row_written_behind_the_platform_is_named(record, evidence_staff):
    DossierTransitionLog.objects.create(
        dossier=record["dossier"],
        transition="declare_admissible",
        from_state="en_instruction",
        to_state="recevable",
        by=evidence_staff["i09"],
    )
    code, out = run_verify()
    assert code == 1
    assert "absent du journal (écrit hors de la plateforme)" in out


def test_a_changed_byte_of_an_attachment_on_disk_is_named(record, media_root):
    path = Path(media_root) / record["piece"].file.name
    data = bytearray(path.read_bytes())
    data[10] ^= 0x01
    path.write_bytes(bytes(data))
    code, out = run_verify()
    assert code == 1
    assert "Première rupture : l'entrée n° 1." in out
    assert "empreinte non conforme (fichier)" in out


def test_a_vanished_attachment_file_is_named(record, media_root):
    (Path(media_root) / record["piece"].file.name).unlink()
    code, out = run_verify()
    assert code == 1
    assert "introuvable sur le disque" in out


def test_two_reordered_journal_entries_are_named(record):
    swap_entries(2, 3)
    code, out = run_verify()
    assert code == 1
    assert "Première rupture : l'entrée n° 2." in out
    assert "Entrée n° 2 : elle ne suit pas l'entrée précédente" in out


def test_a_rewritten_entry_is_named(record):
    bypass_journal_trigger()
    JournalEntry.objects.filter(seq=2).update(payload='{"fields":{}}')
    code, out = run_verify()
    assert code == 1
    assert "Entrée n° 2 : son contenu a été modifié" in out


def test_entries_deleted_at_the_end_are_named_by_the_head(record):
    bypass_journal_trigger()
    JournalEntry.objects.filter(seq=4).delete()
    report = verify()
    assert not report.intact
    assert any("Tête du journal" in b.message for b in report.breaks)


def test_a_piece_removed_from_a_draft_is_journaled_as_removed(draft, applicant):
    piece = attachment_add(dossier=draft, kind=AttachmentKind.RIB, name="rib.pdf", stream=io.BytesIO(PDF), by=applicant)
    attachment_delete(attachment=piece, by=applicant)
    assert not Attachment.objects.exists()
    assert list(JournalEntry.objects.values_list("action", flat=True)) == ["create", "delete"]
    assert verify().intact


def test_a_refused_transition_writes_no_entry(record, evidence_staff):
    before = JournalEntry.objects.count()
    with pytest.raises(Exception):  # noqa: B017 — the refusal is the dossier service's own
        dossier_transition(dossier=record["dossier"], transition="submit", by=evidence_staff["i09"])
    assert JournalEntry.objects.count() == before


@pytest.mark.engine
@pytest.mark.skipif(connection.vendor != "postgresql", reason="déclencheur : PostgreSQL seulement")
def test_postgresql_refuses_to_update_or_delete_a_journal_entry(record):
    for act in (
        lambda: JournalEntry.objects.filter(seq=1).update(actor="quelqu'un d'autre"),
        lambda: JournalEntry.objects.filter(seq=1).delete(),
    ):
        with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
            act()
    assert JournalEntry.objects.count() == 4


def test_facts_older_than_the_journal_are_sealed_once(record, evidence_staff):
    log = DossierTransitionLog.objects.create(
        dossier=record["dossier"],
        transition="declare_admissible",
        from_state="en_instruction",
        to_state="recevable",
        by=evidence_staff["i09"],
    )
    assert not verify().intact
    out = io.StringIO()
    call_command("journal_seal_existing", stdout=out)
    assert "dossiers.DossierTransitionLog : 1 fait(s) scellé(s)." in out.getvalue()
    entry = JournalEntry.objects.get(object_pk=str(log.pk), model="dossiers.DossierTransitionLog")
    assert entry.actor == "scellement initial (journal_seal_existing)"
    assert verify().intact
    out = io.StringIO()
    call_command("journal_seal_existing", stdout=out)
    assert "Aucun fait à sceller" in out.getvalue()
