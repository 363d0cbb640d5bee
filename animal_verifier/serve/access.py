"""Who may call the API, and how often: API keys, Host and Origin checks, per-client rate limits.

Pure functions and small classes, no ASGI: :mod:`.middleware` applies them to each request.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from collections import OrderedDict
from pathlib import Path
from urllib.parse import urlsplit


# ---- API keys ------------------------------------------------------------------------------------------
class KeyRing:
    """The accepted API keys, kept as SHA-256 digests. A presented key is compared with every one of them
    in constant time, so neither the time taken nor the log gives a key away."""

    def __init__(self, keys: list[str]):
        self._digests = [hashlib.sha256(key.encode()).digest() for key in keys]

    def __len__(self) -> int:
        return len(self._digests)

    def identify(self, presented: str | None) -> str | None:
        """``key:<8 hex digits>`` (a safe name for logs and the rate limit) for an accepted key, else None."""
        digest = hashlib.sha256((presented or "").encode()).digest()
        found = False
        for known in self._digests:  # no early exit
            found |= hmac.compare_digest(digest, known)
        return f"key:{digest.hex()[:8]}" if found and presented else None

    @classmethod
    def from_file(cls, path: str | Path) -> KeyRing:
        """One key a line; blank lines and lines starting with '#' are skipped. ValueError when the file
        can't be read or holds no key."""
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            raise ValueError(f"can't read the API keys file {path}: {getattr(err, 'strerror', None) or err}") from None
        keys = [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
        if not keys:
            raise ValueError(f"the API keys file {path} holds no key (one a line; '#' starts a comment)")
        return cls(keys)


def presented_key(headers: dict[str, str]) -> str | None:
    """The key a request brings: ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``."""
    auth = headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return headers.get("x-api-key", "").strip() or None


# ---- Host and Origin -----------------------------------------------------------------------------------
def host_name(host_header: str) -> str:
    """The host of a Host header without its port: ``[::1]:8000`` -> ``[::1]``, ``A.example:80`` -> ``a.example``."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def host_allowed(host_header: str | None, allowed: tuple[str, ...]) -> bool:
    """Is the Host one of ``allowed`` (any port)? ``*`` allows any; ``*.example.org`` its subdomains."""
    if not host_header:
        return False
    host = host_name(host_header)
    for pattern in (p.lower() for p in allowed):
        if pattern == "*" or host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return True
    return False


def same_origin(origin: str, host_header: str | None) -> bool:
    """Does a browser's Origin name this server (host and port; the scheme may differ behind a TLS proxy)?"""
    netloc = urlsplit(origin).netloc.lower() if "://" in origin else ""
    return bool(netloc) and netloc == (host_header or "").strip().lower()


def cross_site(headers: dict[str, str], cors_origins: tuple[str, ...]) -> str | None:
    """The foreign origin of a browser request from another site that ``cors_origins`` does not name, or None
    when the request is same-origin, allowed, or not from a browser at all (no Origin, no Sec-Fetch-Site)."""
    origin = headers.get("origin")
    if origin is not None:
        if same_origin(origin, headers.get("host")) or origin in cors_origins:
            return None
        return origin
    if headers.get("sec-fetch-site") == "cross-site":
        return "another site"
    return None


# ---- who the client is ---------------------------------------------------------------------------------
class Proxies:
    """The proxies trusted to name the client in ``X-Forwarded-For``: addresses, networks, or ``*``."""

    def __init__(self, entries: tuple[str, ...]):
        self.any = "*" in entries
        self.networks = [ipaddress.ip_network(e, strict=False) for e in entries if e != "*"]

    def trusted(self, address: str) -> bool:
        if self.any:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.networks)

    def client(self, peer: str, forwarded_for: str | None) -> str:
        """The client's address: the peer, or, when the peer is a trusted proxy, the nearest address in
        ``X-Forwarded-For`` that is not a trusted proxy itself (read from the right, as proxies append)."""
        if not forwarded_for or not self.trusted(peer):
            return peer
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self.trusted(hop):
                return hop
        return hops[0] if hops else peer


# ---- rate limits ---------------------------------------------------------------------------------------
class RateLimiter:
    """A token bucket per client: ``rate`` requests a second, ``burst_s`` seconds' worth at once. Used from the
    event loop only; the least recently seen clients are forgotten past ``max_clients`` (bounded memory)."""

    def __init__(self, rate: float, burst_s: float, max_clients: int = 100_000):
        self.rate = rate
        self.capacity = max(1.0, rate * burst_s)
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, when)

    def take(self, client: str, now: float | None = None) -> float:
        """0 when the request may go ahead (a token is spent), else the seconds until the next token."""
        now = time.monotonic() if now is None else now
        tokens, when = self._buckets.pop(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - when) * self.rate)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
        self._buckets[client] = (tokens - 1 if wait == 0 else tokens, now)
        if len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait


def retry_after(seconds: float) -> str:
    """A Retry-After header value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))
