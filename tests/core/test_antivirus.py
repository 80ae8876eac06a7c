"""The clamd client: the real INSTREAM protocol over TCP and a unix socket, a verdict for each reply, and an error
(never a silent « clean ») when the daemon is down, silent or answers with an error."""

import io

import pytest

from pactes.core.antivirus import (
    CHUNK,
    AntivirusUnavailable,
    ScanVerdict,
    antivirus_enabled,
    parse_reply,
    scan_stream,
)
from tests.core.fake_clamd import EICAR


def test_no_antivirus_runs_without_a_socket_or_a_host(settings):
    settings.CLAMAV_SOCKET, settings.CLAMAV_HOST = "", ""
    assert not antivirus_enabled()


def test_a_clean_stream_is_sent_in_length_prefixed_chunks_over_tcp(clamd_tcp):
    content = b"%PDF-1.4 rien de suspect " * 10_000  # 250 000 octets: several chunks
    assert antivirus_enabled()
    assert scan_stream(io.BytesIO(content)) == ScanVerdict(infected=False)
    assert clamd_tcp.commands == [b"zINSTREAM\0"]
    assert clamd_tcp.scanned == [content]
    assert max(clamd_tcp.chunk_sizes) == CHUNK
    assert sum(clamd_tcp.chunk_sizes) == len(content)


def test_eicar_is_found_through_a_unix_socket(clamd_unix):
    verdict = scan_stream(io.BytesIO(b"debut " + EICAR + b" fin"))
    assert verdict == ScanVerdict(infected=True, signature="Eicar-Signature")
    assert clamd_unix.commands == [b"zINSTREAM\0"]


def test_the_stream_is_rewound_after_the_scan(clamd_tcp):
    stream = io.BytesIO(b"contenu")
    stream.read()
    scan_stream(stream)
    assert stream.tell() == 0
    assert clamd_tcp.scanned == [b"contenu"]


def test_a_daemon_that_is_down_is_an_error(clamd_down):
    with pytest.raises(AntivirusUnavailable, match="injoignable"):
        scan_stream(io.BytesIO(b"contenu"))


def test_a_missing_unix_socket_is_an_error(settings, tmp_path):
    settings.CLAMAV_SOCKET, settings.CLAMAV_TIMEOUT = str(tmp_path / "absent.sock"), 1
    with pytest.raises(AntivirusUnavailable, match="injoignable"):
        scan_stream(io.BytesIO(b"contenu"))


def test_a_daemon_that_never_answers_times_out(clamd_silent):
    with pytest.raises(AntivirusUnavailable, match="injoignable"):
        scan_stream(io.BytesIO(b"contenu"))


@pytest.mark.parametrize(
    ("reply", "verdict"),
    [
        (b"stream: OK", ScanVerdict(infected=False)),
        (b"stream: Win.Test.EICAR_HDB-1 FOUND", ScanVerdict(infected=True, signature="Win.Test.EICAR_HDB-1")),
    ],
)
def test_replies_give_a_verdict(reply, verdict):
    assert parse_reply(reply) == verdict


@pytest.mark.parametrize("reply", [b"INSTREAM size limit exceeded. ERROR", b"", b"UNKNOWN COMMAND"])
def test_any_other_reply_is_an_error(reply):
    with pytest.raises(AntivirusUnavailable):
        parse_reply(reply)
