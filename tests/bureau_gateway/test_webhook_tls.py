"""The pinned https connection still checks the receiver's certificate against the URL's host
name (and sends it as SNI): pinning the address must not weaken TLS. A loopback TLS receiver
with a certificate from a test CA; the host name is resolved to 127.0.0.1 by a stub."""

import datetime as dt
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bureau_gateway import webhooks
from bureau_gateway.webhooks import HttpWebhookSender

NAME = "hooks.creditor.test"


def _cert(subject_name, issuer_name, public_key, signing_key, *, ca, san=None):
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_name)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(public_key).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )  # fmt: skip
    if san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False
        )
    return builder.sign(signing_key, hashes.SHA256())


@pytest.fixture
def tls_receiver(tmp_path):
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("Test CA", "Test CA", ca_key.public_key(), ca_key, ca=True)
    servers, seen = [], {"sni": [], "requests": []}

    def start(cert_name):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _cert(cert_name, "Test CA", key.public_key(), ca_key, ca=False, san=cert_name)
        (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        (tmp_path / "key.pem").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))  # fmt: skip
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
        context.sni_callback = lambda sock, name, ctx: seen["sni"].append(name)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                seen["requests"].append(dict(self.headers))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_address[1]

    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    yield start, str(tmp_path / "ca.pem"), seen
    for server in servers:
        server.shutdown()
        server.server_close()


def _send(port, ca):
    return HttpWebhookSender(ca_certs=ca).deliver(
        url=f"https://{NAME}:{port}/hook", secret="s", event="e", delivery_id="d", body=b"{}"
    )


def test_pinned_https_verifies_the_certificate_for_the_url_name(tls_receiver, monkeypatch):
    start, ca, seen = tls_receiver
    monkeypatch.setattr(webhooks, "_resolve", lambda host, port: ["127.0.0.1"])
    port = start(NAME)
    outcome = _send(port, ca)
    assert (outcome.delivered, outcome.status_code) == (True, 204)
    assert seen["sni"] == [NAME] and seen["requests"][0]["Host"] == f"{NAME}:{port}"


def test_a_certificate_for_another_name_is_a_tls_error(tls_receiver, monkeypatch):
    start, ca, seen = tls_receiver
    monkeypatch.setattr(webhooks, "_resolve", lambda host, port: ["127.0.0.1"])
    port = start("somewhere-else.test")
    outcome = _send(port, ca)
    assert (outcome.delivered, outcome.error) == (False, "TLS error")
    assert seen["requests"] == []


def test_an_untrusted_certificate_is_a_tls_error(tls_receiver, monkeypatch):
    start, _, seen = tls_receiver
    monkeypatch.setattr(webhooks, "_resolve", lambda host, port: ["127.0.0.1"])
    outcome = _send(start(NAME), None)  # the public CAs: the test CA is not among them
    assert (outcome.delivered, outcome.error) == (False, "TLS error")
    assert seen["requests"] == []
