"""RFC 3161 timestamps of the journal's chain head (ADR 0028).

Words: the *TSA* is the timestamping authority at ``settings.TSA_URL``; it receives a *TimeStampReq* holding the
SHA-256 *imprint* of the data and answers a *TimeStampResp* whose *token* (CMS SignedData over a *TSTInfo*) certifies
that the imprint existed at ``genTime``. The data timestamped is the chain head's ``entry_hash``, as its 64 ASCII
hexadecimal characters: ``printf %s HASH | openssl ts -query -sha256`` builds the same imprint.

A token is accepted only when its status is granted, its imprint and nonce are ours, and its signature verifies with
the TSA certificate it carries over signed attributes whose message digest is the TSTInfo's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass

from asn1crypto import cms, core, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.conf import settings
from django.db import transaction

from .models import JournalEntry, JournalTimestamp

CONTENT_TYPE_QUERY = "application/timestamp-query"
CONTENT_TYPE_REPLY = "application/timestamp-reply"


class TimeStampResp(core.Sequence):  # type: ignore[misc]
    """RFC 3161's TimeStampResp, whose token is absent when the status is not granted (asn1crypto requires it)."""

    _fields = [("status", tsp.PKIStatusInfo), ("time_stamp_token", cms.ContentInfo, {"optional": True})]


class TimestampError(Exception):
    """The authority could not be reached or its answer is not a valid timestamp of our imprint (French)."""


@dataclass(frozen=True)
class Token:
    der: bytes
    generated_at: dt.datetime
    serial_number: int


def imprint_of(entry_hash: str) -> bytes:
    return hashlib.sha256(entry_hash.encode("ascii")).digest()


def timestamp_request(imprint: bytes, nonce: int) -> bytes:
    return tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": imprint},
            "nonce": nonce,
            "cert_req": True,
        }
    ).dump()


def _signed_attribute(signer: cms.SignerInfo, name: str) -> object:
    for attribute in signer["signed_attrs"]:
        if attribute["type"].native == name:
            return attribute["values"][0].native
    raise TimestampError(f"Jeton d'horodatage sans attribut signé « {name} ».")


def _verify_signature(signed: cms.SignedData, signer: cms.SignerInfo) -> None:
    certificates = [c.chosen for c in signed["certificates"] or [] if c.name == "certificate"]
    sid = signer["sid"]
    chosen = None
    for certificate in certificates:
        if sid.name == "issuer_and_serial_number":
            if (
                certificate.issuer == sid.chosen["issuer"]
                and certificate.serial_number == sid.chosen["serial_number"].native
            ):
                chosen = certificate
        elif certificate.key_identifier == sid.chosen.native:
            chosen = certificate
    if chosen is None:
        raise TimestampError("Le jeton d'horodatage ne contient pas le certificat de l'autorité qui l'a signé.")
    public_key = x509.load_der_x509_certificate(chosen.dump()).public_key()
    # The signature covers the DER of the signed attributes as a SET (RFC 5652, 5.4), not as their [0] tag.
    signed_attrs = signer["signed_attrs"].dump()
    data = b"\x31" + signed_attrs[1:]
    digest = signer["digest_algorithm"]["algorithm"].native
    algorithm = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}.get(digest)
    if algorithm is None:
        raise TimestampError(f"Algorithme d'empreinte du jeton non pris en charge : {digest}.")
    signature = signer["signature"].native
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), algorithm)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(algorithm))
        else:
            raise TimestampError("Type de clé de l'autorité d'horodatage non pris en charge.")
    except InvalidSignature as exc:
        raise TimestampError("La signature du jeton d'horodatage est invalide.") from exc


def token_check(der: bytes, imprint: bytes, nonce: int | None = None) -> Token:
    """Parses a TimeStampToken (CMS ContentInfo) and checks that it certifies ``imprint``; raises TimestampError."""
    try:
        info = cms.ContentInfo.load(der)
        signed = info["content"]
        encap = signed["encap_content_info"]
        tst_der = encap["content"].contents
        tst = tsp.TSTInfo.load(tst_der)
        signer = signed["signer_infos"][0]
        if encap["content_type"].native != "tst_info":
            raise TimestampError("Le jeton ne contient pas d'information d'horodatage (TSTInfo).")
        if tst["message_imprint"]["hash_algorithm"]["algorithm"].native != "sha256":
            raise TimestampError("Le jeton horodate une empreinte qui n'est pas en SHA-256.")
        if tst["message_imprint"]["hashed_message"].native != imprint:
            raise TimestampError("Le jeton horodate une autre empreinte que la tête du journal.")
        if nonce is not None and tst["nonce"].native != nonce:
            raise TimestampError("Le jeton ne répond pas à notre demande (nonce différent).")
        if _signed_attribute(signer, "message_digest") != hashlib.sha256(tst_der).digest():
            raise TimestampError("L'empreinte signée ne correspond pas au contenu du jeton.")
        _verify_signature(signed, signer)
        return Token(der=der, generated_at=tst["gen_time"].native, serial_number=tst["serial_number"].native)
    except TimestampError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise TimestampError(f"Jeton d'horodatage illisible ({exc.__class__.__name__}).") from exc


def timestamp_fetch(url: str, imprint: bytes, *, timeout: float = 30) -> Token:
    """Asks the TSA at ``url`` for a timestamp of ``imprint`` and returns the checked token."""
    if not url.startswith(("https://", "http://")):
        raise TimestampError(f"L'adresse de l'autorité d'horodatage doit être en http(s) : « {url} ».")
    nonce = secrets.randbits(63)
    request = urllib.request.Request(  # noqa: S310 — http(s) only, checked above
        url, data=timestamp_request(imprint, nonce), headers={"Content-Type": CONTENT_TYPE_QUERY}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 — http(s) only
            body = answer.read()
    except (urllib.error.URLError, OSError) as exc:
        raise TimestampError(f"L'autorité d'horodatage {url} est injoignable ({exc}).") from exc
    try:
        response = TimeStampResp.load(body)
        status = response["status"]["status"].native
    except (ValueError, TypeError, KeyError) as exc:
        raise TimestampError("La réponse de l'autorité d'horodatage est illisible.") from exc
    if status not in ("granted", "granted_with_mods"):
        texts = response["status"]["status_string"].native or []
        raise TimestampError(f"L'autorité d'horodatage a refusé la demande ({status} {' '.join(texts)}).".strip())
    return token_check(response["time_stamp_token"].dump(), imprint, nonce)


def journal_head_timestamp() -> JournalTimestamp | None:
    """Timestamps the current chain head at ``TSA_URL``; ``None`` when no TSA is configured, or when that head
    already has its timestamp. Raises TimestampError when the authority fails."""
    url = getattr(settings, "TSA_URL", "")
    if not url:
        return None
    last = JournalEntry.objects.order_by("-seq").first()
    if last is None or JournalTimestamp.objects.filter(seq=last.seq, entry_hash=last.entry_hash).exists():
        return None
    token = timestamp_fetch(url, imprint_of(last.entry_hash))
    with transaction.atomic():
        return JournalTimestamp.objects.create(
            seq=last.seq,
            entry_hash=last.entry_hash,
            tsa_url=url,
            token=token.der,
            serial_number=str(token.serial_number),
            generated_at=token.generated_at,
        )


def stored_token_problems(stamp: JournalTimestamp) -> list[str]:
    """Why a stored timestamp no longer proves its head (French), empty when it does."""
    try:
        token_check(bytes(stamp.token), imprint_of(stamp.entry_hash))
    except TimestampError as exc:
        return [str(exc)]
    return []
