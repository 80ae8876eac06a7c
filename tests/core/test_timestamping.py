"""RFC 3161 timestamps of the chain head, against a local authority answering real TimeStampResp: the head is
timestamped when ``TSA_URL`` is set (never otherwise), the token is checked (imprint, nonce, signature), and a
journal rewritten after its timestamp is caught by ``verify_integrity`` even when its chain was recomputed."""

import hashlib
import io
import re

import pytest
from asn1crypto import tsp
from django.core.management import CommandError, call_command

from pactes.core.integrity import verify
from pactes.core.journal import GENESIS, entry_hash
from pactes.core.models import JournalEntry, JournalHead, JournalTimestamp
from pactes.core.timestamping import TimestampError, imprint_of, timestamp_fetch
from pactes.dossiers.services import dossier_transition
from tests.core.tampering import bypass_journal_trigger


@pytest.fixture
def journal(reviewed):
    """Three entries: the filing's transition and version, the start of the review."""
    assert JournalEntry.objects.count() == 3
    return reviewed


def timestamp() -> str:
    out = io.StringIO()
    call_command("timestamp_journal", stdout=out)
    return out.getvalue()


def test_without_a_tsa_nothing_is_timestamped_and_it_is_said(journal, settings):
    settings.TSA_URL = ""
    assert "TSA_URL n'est pas configurée" in timestamp()
    assert not JournalTimestamp.objects.exists()


def test_the_chain_head_is_timestamped_by_the_authority(journal, settings, fake_tsa):
    settings.TSA_URL = fake_tsa.url
    out = timestamp()
    head = JournalHead.objects.get(pk=1)
    stamp = JournalTimestamp.objects.get()
    assert (stamp.seq, stamp.entry_hash, stamp.tsa_url) == (3, head.entry_hash, fake_tsa.url)
    assert f"Tête n° 3 ({head.entry_hash}) horodatée" in out
    request = tsp.TimeStampReq.load(fake_tsa.requests[0])
    assert request["message_imprint"]["hashed_message"].native == hashlib.sha256(head.entry_hash.encode()).digest()
    assert request["cert_req"].native is True
    assert "déjà horodatée" in timestamp()
    assert JournalTimestamp.objects.count() == 1
    report = verify()
    assert report.intact and report.timestamps == 1


def test_a_new_head_gets_its_own_timestamp(journal, settings, fake_tsa, evidence_staff):
    settings.TSA_URL = fake_tsa.url
    timestamp()
    dossier_transition(dossier=journal, transition="declare_admissible", by=evidence_staff["i09"])
    timestamp()
    assert list(JournalTimestamp.objects.order_by("seq").values_list("seq", flat=True)) == [3, 4]


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("rejection", "a refusé la demande (rejection Demande refusée par l'autorité de test)"),
        ("wrong_imprint", "horodate une autre empreinte que la tête du journal"),
        ("bad_signature", "signature du jeton d'horodatage est invalide"),
    ],
)
def test_a_bad_answer_of_the_authority_is_refused_and_nothing_is_stored(journal, settings, fake_tsa, mode, message):
    settings.TSA_URL = fake_tsa.url
    fake_tsa.mode = mode
    with pytest.raises(CommandError, match=re.escape(message)):
        timestamp()
    assert not JournalTimestamp.objects.exists()


def test_an_unreachable_authority_is_said_in_french(journal, settings):
    with pytest.raises(TimestampError, match="injoignable"):
        timestamp_fetch("http://127.0.0.1:9/tsa", imprint_of(GENESIS), timeout=2)


def test_a_journal_rewritten_after_its_timestamp_is_caught(journal, settings, fake_tsa):
    settings.TSA_URL = fake_tsa.url
    timestamp()
    # The whole chain recomputed after changing who wrote the first entry: only the timestamp can tell.
    bypass_journal_trigger()
    previous = GENESIS
    for entry in JournalEntry.objects.order_by("seq"):
        if entry.seq == 1:
            entry.actor = "quelqu'un d'autre (n° 999)"
        entry.previous_hash = previous
        entry.entry_hash = entry_hash(entry)
        JournalEntry.objects.filter(pk=entry.pk).update(
            actor=entry.actor, previous_hash=entry.previous_hash, entry_hash=entry.entry_hash
        )
        previous = entry.entry_hash
    JournalHead.objects.filter(pk=1).update(entry_hash=previous)
    report = verify()
    assert [b.seq for b in report.breaks] == [3]
    assert "le journal a été réécrit" in report.breaks[0].message


def test_a_tampered_token_is_caught(journal, settings, fake_tsa):
    settings.TSA_URL = fake_tsa.url
    timestamp()
    stamp = JournalTimestamp.objects.get()
    forged = bytearray(bytes(stamp.token))
    forged[-5] ^= 0x01
    JournalTimestamp.objects.filter(pk=stamp.pk).update(token=bytes(forged))
    report = verify()
    assert not report.intact
    assert report.breaks[0].message.startswith("Horodatage de l'entrée n° 3 : ")
