"""Fetch a public document over HTTP(S) without becoming a way into the private network (SSRF).

Every hop (the first request and each redirect, at most ``max_redirects``) is checked again:

* the URL: ``http`` or ``https``, no user:password, port 80, 443 or an unprivileged one (>= 1024), and a host
  that is a DNS name or a canonical IP literal (numeric forms such as ``2130706433``, ``0177.0.0.1`` or
  ``0x7f.1``, which C resolvers read as 127.0.0.1, are refused outright);
* the addresses the name resolves to: every one must be public (not private, loopback, link-local,
  multicast, reserved, unspecified, shared/CGNAT, IPv6 unique-local or site-local, nor an IPv6 form that
  embeds an IPv4 address: mapped, compatible, 6to4, Teredo, NAT64);
* the connection goes to the address that was checked (pinned), never to a second resolution of the
  name, so DNS rebinding cannot swap in a private address; TLS still verifies the certificate for the name;
* the answer: a 2xx with an expected media type, a body read in small pieces and abandoned as soon as it
  exceeds ``max_bytes``, within connect, read (per piece) and total time limits.

No Django import: the policy is a value passed in (``FetchPolicy``); ``allowed_private`` lists the
``(address, port)`` pairs that may be reached although not public, for tests that serve documents from a
loopback server (production settings refuse a non-empty list).
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from badges_service.openbadges.errors import OpenBadgesError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]  # (host, port) -> IP address strings

USER_AGENT = "VilleApp-Badges-Verifier/1 (+https://www.w3.org/TR/vc-data-model-2.0/)"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CGNAT = ipaddress.ip_network("100.64.0.0/10")  # RFC 6598 shared address space
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))  # RFC 6052, RFC 8215
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# Hosts whose every label is a number (decimal, octal or hex) but which are not canonical dotted quads:
# inet_aton() reads "2130706433", "0177.0.0.1", "0x7f.1" and "127.1" as 127.0.0.1.
_NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+")
_HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?")


class FetchError(OpenBadgesError):
    """The document could not be had. ``refused`` is True when the request itself was not allowed (the URL,
    the address, a redirect), False when the remote side failed (timeout, status, size, media type)."""

    code = "fetch_failed"

    def __init__(self, message: str, *, code: str | None = None, refused: bool = False,
                 status: int | None = None, body: bytes = b""):
        super().__init__(message, code=code)
        self.refused = refused
        self.status = status  # the HTTP status of a non-2xx answer
        self.body = body  # a 410 Gone's JSON body (OB 2.0: ``{"revoked": true, "revocationReason": ...}``)


# Codes of a request that is not allowed (the client's URL, or where it leads); every other code of a
# FetchError starts with "fetch_" and says what went wrong on the remote side.
REFUSAL_CODES = frozenset({"bad_url", "scheme_not_allowed", "credentials_in_url", "port_not_allowed",
                           "ambiguous_host", "address_not_public", "redirect_refused"})


def _refuse(message: str, code: str) -> FetchError:
    return FetchError(message, code=code, refused=True)


@dataclass(frozen=True)
class FetchPolicy:
    max_bytes: int = 256 * 1024
    connect_timeout: float = 3.0
    read_timeout: float = 5.0  # per read of the socket
    total_timeout: float = 10.0  # the whole fetch, redirects included
    max_redirects: int = 3
    allowed_private: frozenset[tuple[str, int]] = field(default_factory=frozenset)
    ssl_context: ssl.SSLContext | None = None  # None: the system's trust store


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str  # the media type, lower case, without parameters
    body: bytes


def address_refusal(address: Address) -> str | None:
    """The class of a non-public address (used in messages and codes), or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return "IPv4-mapped IPv6"
        if address.sixtofour is not None or address.teredo is not None or any(address in n for n in _NAT64):
            return "IPv6 transition (6to4, Teredo, NAT64)"
        if address in _IPV4_COMPATIBLE and not address.is_unspecified and not address.is_loopback:
            return "IPv4-compatible IPv6"
        if address.is_site_local:
            return "IPv6 site-local"
        if address in ipaddress.ip_network("fc00::/7"):
            return "IPv6 unique local (ULA)"
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, ipaddress.IPv4Address) and address in _CGNAT:
        return "shared (CGNAT)"
    if address.is_reserved:
        return "reserved"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "not globally routable"
    return None


def parse_allowed_private(entries: Collection[str]) -> frozenset[tuple[str, int]]:
    """``["127.0.0.1:8123", "[::1]:8123"]`` -> ``{("127.0.0.1", 8123), ("::1", 8123)}``."""
    pairs = set()
    for entry in entries:
        host, _, port = entry.strip().rpartition(":")
        pairs.add((str(ipaddress.ip_address(host.strip("[]"))), int(port)))
    return frozenset(pairs)


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # as sent in Host and used for TLS
    port: int
    path: str  # path and query


def _target(url: str) -> _Target:
    if not isinstance(url, str) or len(url) > 2048 or any(c.isspace() or ord(c) < 32 for c in url):
        raise _refuse("Not a usable URL.", "bad_url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _refuse(f"Not a usable URL: {exc}", "bad_url") from exc
    if parts.scheme not in ("http", "https"):
        raise _refuse(f"Only http and https URLs are fetched, not {parts.scheme or 'a relative URL'}.",
                      "scheme_not_allowed")
    if parts.username is not None or parts.password is not None:
        raise _refuse("URLs with user credentials are not fetched.", "credentials_in_url")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise _refuse("The URL has no host.", "bad_url")
    port = port or (443 if parts.scheme == "https" else 80)
    if port not in (80, 443) and port < 1024:
        raise _refuse(f"Port {port} is not fetched (80, 443 or 1024 and above).", "port_not_allowed")
    if not _is_ip_literal(host):
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError as exc:
            raise _refuse(f"{parts.hostname!r} is not a valid host name.", "bad_url") from exc
        if all(_NUMERIC_LABEL.fullmatch(label) for label in host.split(".")):
            raise _refuse(f"{parts.hostname!r} is a non-canonical numeric address.", "ambiguous_host")
        if not _HOST_NAME.fullmatch(host):
            raise _refuse(f"{parts.hostname!r} is not a valid host name.", "bad_url")
    path = parts.path or "/"
    return _Target(parts.scheme, host, port, path + (f"?{parts.query}" if parts.query else ""))


def _checked_addresses(target: _Target, policy: FetchPolicy, resolve: Resolver) -> list[str]:
    try:
        literal = ipaddress.ip_address(target.host)
        raw = [str(literal)]
    except ValueError:
        try:
            raw = resolve(target.host, target.port)
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"{target.host} cannot be resolved: {exc}", code="fetch_dns_failed") from exc
    if not raw:
        raise FetchError(f"{target.host} has no address.", code="fetch_dns_failed")
    addresses = []
    for text in raw:
        address = ipaddress.ip_address(text.split("%")[0])
        refusal = address_refusal(address)
        if refusal and (str(address), target.port) not in policy.allowed_private:
            # One non-public answer is enough to refuse: a name that mixes public and private addresses
            # is how rebinding attacks are staged.
            raise _refuse(f"{target.host} resolves to a {refusal} address ({address}); only public addresses "
                          "are fetched.", "address_not_public")
        addresses.append(str(address))
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a checked address; the Host header still names the host."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address; SNI and certificate verification use the host name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float, context: ssl.SSLContext):
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError("The fetch took longer than allowed.", code="fetch_timeout")
    return left


def _open(target: _Target, addresses: list[str], policy: FetchPolicy, deadline: float, accept: str):
    last_error: Exception | None = None
    code = "fetch_connect_failed"
    for address in addresses:
        timeout = min(policy.connect_timeout, _remaining(deadline))
        if target.scheme == "https":
            context = policy.ssl_context or ssl.create_default_context()
            connection = _PinnedHTTPSConnection(target.host, target.port, address=address, timeout=timeout,
                                                context=context)
        else:
            connection = _PinnedHTTPConnection(target.host, target.port, address=address, timeout=timeout)
        try:
            connection.connect()
            sock = connection.sock  # kept: http.client drops its reference once the answer says "close"
            sock.settimeout(min(policy.read_timeout, _remaining(deadline)))
            connection.request("GET", target.path, headers={
                "Accept": accept, "Accept-Encoding": "identity", "User-Agent": USER_AGENT})
            return connection, sock, connection.getresponse()
        except TimeoutError as exc:
            connection.close()
            last_error = exc
            code = "fetch_timeout"
        except ssl.SSLError as exc:
            connection.close()
            last_error = exc
            code = "fetch_tls_failed"
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            last_error = exc
            code = "fetch_connect_failed"
    raise FetchError(f"{target.host}:{target.port} could not be reached: {last_error}", code=code)


def _read_body(sock, response, policy: FetchPolicy, deadline: float) -> bytes:
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > policy.max_bytes:
        raise FetchError(f"The document is {length} bytes; the limit is {policy.max_bytes}.", code="fetch_too_large")
    chunks, size = [], 0
    while True:
        sock.settimeout(min(policy.read_timeout, _remaining(deadline)))
        try:
            # read1: one read of the socket at most, so that the time limits are checked between pieces
            # (a body dripped byte by byte cannot hold the request beyond the total limit).
            chunk = response.read1(16 * 1024)
        except TimeoutError as exc:
            raise FetchError("The server stopped sending the document.", code="fetch_timeout") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(f"The document could not be read: {exc}", code="fetch_connect_failed") from exc
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > policy.max_bytes:
            raise FetchError(f"The document is larger than {policy.max_bytes} bytes.", code="fetch_too_large")
        chunks.append(chunk)


def _gone_body(sock, response, policy: FetchPolicy, deadline: float) -> bytes:
    """The JSON body of a 410 Gone, under the same limits; b"" for any other body or when it cannot be read."""
    media_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
    if media_type not in ("application/json", "application/ld+json"):
        return b""
    try:
        return _read_body(sock, response, policy, deadline)
    except FetchError:
        return b""


def fetch(url: str, *, policy: FetchPolicy, accept: Collection[str], resolve: Resolver = system_resolver) -> Fetched:
    """GET ``url`` under ``policy``; the body if the answer's media type is one of ``accept``.

    Raises ``FetchError`` (``refused`` or not) and nothing else for any URL or answer.
    """
    deadline = time.monotonic() + policy.total_timeout
    accepted = {a.lower() for a in accept}
    for _hop in range(policy.max_redirects + 1):
        target = _target(url)
        addresses = _checked_addresses(target, policy, resolve)
        connection, sock, response = _open(target, addresses, policy, deadline, ", ".join(accept) or "*/*")
        try:
            if response.status in REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"A redirect ({response.status}) without a Location.", code="fetch_bad_redirect")
                next_url = urljoin(url, location)
                if target.scheme == "https" and next_url.startswith("http:"):
                    raise _refuse("A redirect from https to http is not followed.", "redirect_refused")
                url = next_url
                continue
            if response.status == 410:
                raise FetchError(f"The server answered {response.status} {response.reason}: the document was "
                                 "withdrawn.", code="fetch_gone", status=410,
                                 body=_gone_body(sock, response, policy, deadline))
            if not 200 <= response.status < 300:
                raise FetchError(f"The server answered {response.status} {response.reason}.", code="fetch_http_status",
                                 status=response.status)
            media_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if accepted and media_type not in accepted:
                raise FetchError(f"The server sent {media_type or 'no media type'}; expected "
                                 f"{', '.join(sorted(accepted))}.", code="fetch_content_type")
            return Fetched(url, media_type, _read_body(sock, response, policy, deadline))
        finally:
            response.close()
            connection.close()
            sock.close()
    raise FetchError(f"More than {policy.max_redirects} redirects.", code="fetch_too_many_redirects")


__all__ = ["FetchError", "FetchPolicy", "Fetched", "address_refusal", "fetch", "parse_allowed_private"]
