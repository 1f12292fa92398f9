"""Outgoing webhooks to creditors' back offices: signing and the one guarded HTTP client.

Which events go to which endpoint, and the retry bookkeeping, live in the domain
(`creditors.webhooks`, `creditors.tasks`); this module is the edge that talks HTTP.

Signature (a receiver verifies it before trusting a body):

    X-Finkelisim-Timestamp: <unix seconds>
    X-Finkelisim-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>

Replay window: `verify()` refuses a timestamp more than `tolerance` seconds (default 300) before
or after the receiver's clock, so a captured request cannot be replayed later.

Where requests may go (server-side request forgery): a creditor chooses the URL, so every URL
passes `guard_url()` at registration and again at every delivery. Only https (plain http only
with the dev/test setting WEBHOOK_ALLOW_HTTP); the host is resolved and EVERY address must be
public — loopback (allowed only by the dev/test setting WEBHOOK_ALLOW_LOOPBACK), private,
link-local (the 169.254.169.254 metadata service), carrier-grade NAT, multicast, reserved,
unspecified and IPv4-in-IPv6 forms are refused. The connection then goes to the checked address
(the name only in the Host header and the TLS certificate check), so DNS cannot change the answer
between check and connect; redirects are not followed (a 3xx is a failed attempt). A refused
target is logged as "refused", never with a connection error, so the log is no port scanner.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import time
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings

from bureau_gateway.interfaces import WebhookOutcome

SIGNATURE_HEADER = "X-Finkelisim-Signature"
TIMESTAMP_HEADER = "X-Finkelisim-Timestamp"
EVENT_HEADER = "X-Finkelisim-Event"
DELIVERY_HEADER = "X-Finkelisim-Delivery"
DEFAULT_TOLERANCE_SECONDS = 300
REFUSED = "refused"
# Forms that carry or reach an IPv4 address inside IPv6 (checked whole: refused outright).
_TUNNELS = [ipaddress.ip_network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16")]


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS, now: float | None = None,
) -> bool:  # fmt: skip
    """True for a genuine, fresh request: the signature matches and the timestamp is within
    `tolerance` seconds of `now` (the receiver's clock)."""
    try:
        stamp = int(timestamp)
        expected = sign(secret, stamp, body)
    except (TypeError, ValueError):  # a malformed timestamp is a failed check, not a crash
        return False
    if abs((time.time() if now is None else now) - stamp) > tolerance:
        return False
    return hmac.compare_digest(expected.encode(), str(signature).encode())


class UrlRefused(Exception):
    """The URL may not receive webhooks (why, for logs and the registering creditor)."""


def address_allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """The guard's decision for one resolved address."""
    if ip.version == 6 and (ip.ipv4_mapped or ip.teredo or any(ip in n for n in _TUNNELS)):
        return False
    if ip.is_loopback:
        return settings.WEBHOOK_ALLOW_LOOPBACK
    refused = (
        ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved
        or ip.is_unspecified or (ip.version == 6 and ip.is_site_local)
    )  # fmt: skip
    return ip.is_global and not refused


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def guard_url(url: str) -> tuple[str, int, str]:
    """(checked address, port, host name) for a URL that may receive webhooks, else UrlRefused.
    Every address the name resolves to must pass: one private answer refuses the name."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UrlRefused("malformed URL") from exc
    allowed_schemes = {"https", "http"} if settings.WEBHOOK_ALLOW_HTTP else {"https"}
    if parts.scheme not in allowed_schemes:
        raise UrlRefused("scheme not allowed")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise UrlRefused("no host, or credentials in the URL")
    try:
        addresses = [ipaddress.ip_address(a.split("%")[0]) for a in _resolve(parts.hostname, port)]
    except (OSError, UnicodeError, ValueError) as exc:
        raise UrlRefused("host does not resolve") from exc
    if not addresses or not all(address_allowed(a) for a in addresses):
        raise UrlRefused("address not allowed")
    return str(addresses[0]), port, parts.hostname


class HttpWebhookSender:
    """POSTs a signed body with settings.WEBHOOK_TIMEOUT_SECONDS to the address `guard_url`
    checked; one attempt per call (the delivery task retries with backoff and logs every
    attempt)."""

    def __init__(self, *, timeout: float | None = None, ca_certs: str | None = None):
        self.timeout = settings.WEBHOOK_TIMEOUT_SECONDS if timeout is None else timeout
        self.ca_certs = ca_certs or certifi.where()  # a receiver's certificate chains to these

    def deliver(
        self, *, url: str, secret: str, event: str, delivery_id: str, body: bytes
    ) -> WebhookOutcome:
        try:
            address, port, hostname = guard_url(url)
        except UrlRefused:
            return WebhookOutcome(False, None, REFUSED)
        parts = urlsplit(url)
        timestamp = int(time.time())
        headers = {
            "Host": parts.netloc.rpartition("@")[2],
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(secret, timestamp, body),
            EVENT_HEADER: event,
            DELIVERY_HEADER: delivery_id,
        }
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        pool = _pinned_pool(parts.scheme, address, port, hostname, self.timeout, self.ca_certs)
        try:
            response = pool.urlopen(
                "POST", target, body=body, headers=headers, redirect=False, retries=False,
                assert_same_host=False,
            )  # fmt: skip
        except urllib3.exceptions.SSLError:
            return WebhookOutcome(False, None, "TLS error")
        except urllib3.exceptions.HTTPError:  # refused, reset or timed out: one answer for all
            return WebhookOutcome(False, None, "no answer")
        finally:
            pool.close()
        code = response.status
        if 200 <= code < 300:
            return WebhookOutcome(True, code)
        return WebhookOutcome(False, code, f"HTTP {code}")


def _pinned_pool(scheme: str, address: str, port: int, hostname: str, timeout: float, ca_certs):
    """A connection pool to the checked address; TLS still names and verifies `hostname`."""
    timeout = urllib3.Timeout(connect=timeout, read=timeout)
    if scheme == "http":
        return urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
    return urllib3.HTTPSConnectionPool(
        address, port, timeout=timeout, retries=False, cert_reqs="CERT_REQUIRED",
        ca_certs=ca_certs, server_hostname=hostname, assert_hostname=hostname,
    )  # fmt: skip
