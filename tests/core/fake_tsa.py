"""A local RFC 3161 timestamping authority for the tests: an HTTP server on 127.0.0.1 that answers a real
TimeStampResp (a CMS SignedData over a TSTInfo, signed with its own RSA key and self-signed certificate, with the
ESS signing-certificate-v2 attribute), as ``openssl ts -reply`` would. Its ``mode`` makes it refuse
(``rejection``), answer for another imprint (``wrong_imprint``) or sign badly (``bad_signature``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _authority() -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Autorité d'horodatage de test")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, certificate.public_bytes(serialization.Encoding.DER)


@dataclass
class FakeTsa:
    url: str
    certificate_der: bytes
    mode: str = "ok"
    requests: list[bytes] = field(default_factory=list)
    serial: int = 0


def _reply(tsa: FakeTsa, key: rsa.RSAPrivateKey, body: bytes) -> bytes:
    request = tsp.TimeStampReq.load(body)
    if tsa.mode == "rejection":
        status = tsp.PKIStatusInfo({"status": "rejection", "status_string": ["Demande refusée par l'autorité de test"]})
        return core.Sequence(contents=status.dump()).dump()  # TimeStampResp without a token
    imprint = request["message_imprint"]["hashed_message"].native
    if tsa.mode == "wrong_imprint":
        imprint = hashlib.sha256(b"autre chose").digest()
    tsa.serial += 1
    tst = tsp.TSTInfo(
        {
            "version": "v1",
            "policy": "1.3.6.1.4.1.99999.1",
            "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": imprint},
            "serial_number": tsa.serial,
            "gen_time": dt.datetime.now(dt.UTC).replace(microsecond=0),
            "nonce": request["nonce"].native,
        }
    )
    tst_der = tst.dump()
    certificate = asn1_x509.Certificate.load(tsa.certificate_der)
    signed_attrs = cms.CMSAttributes(
        [
            {"type": "content_type", "values": ["tst_info"]},
            {"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]},
            {
                "type": "signing_certificate_v2",
                "values": [{"certs": [{"cert_hash": hashlib.sha256(tsa.certificate_der).digest()}]}],
            },
        ]
    )
    to_sign = signed_attrs.dump()
    if tsa.mode == "bad_signature":
        to_sign += b"\x00"
    signature = key.sign(to_sign, padding.PKCS1v15(), hashes.SHA256())
    signed = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
            "encap_content_info": {"content_type": "tst_info", "content": core.ParsableOctetString(tst_der)},
            "certificates": [certificate],
            "signer_infos": [
                {
                    "version": "v1",
                    "sid": cms.SignerIdentifier(
                        {
                            "issuer_and_serial_number": {
                                "issuer": certificate.issuer,
                                "serial_number": certificate.serial_number,
                            }
                        }
                    ),
                    "digest_algorithm": {"algorithm": "sha256"},
                    "signed_attrs": signed_attrs,
                    "signature_algorithm": {"algorithm": "rsassa_pkcs1v15"},
                    "signature": signature,
                }
            ],
        }
    )
    token = cms.ContentInfo({"content_type": "signed_data", "content": signed})
    return tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token}).dump()


@pytest.fixture
def fake_tsa() -> Iterator[FakeTsa]:
    key, certificate_der = _authority()
    holder: dict[str, FakeTsa] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            tsa = holder["tsa"]
            tsa.requests.append(body)
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_error(415)
                return
            reply = _reply(tsa, key, body)
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["tsa"] = FakeTsa(url=f"http://127.0.0.1:{server.server_port}/tsa", certificate_der=certificate_der)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["tsa"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
