"""Where a webhook may be sent: the server-side request forgery guard.

A webhook URL comes from the agency directory, so it is checked before every attempt:
- only `http` and `https` URLs with a host are sent to;
- the host's addresses (resolved now) must all be public: loopback, private, link-local
  (cloud metadata), shared, multicast, reserved and unspecified addresses are refused, unless
  `ONESTOP_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES` is on (off by default; the test suite turns it on
  for its receiver on loopback, and a center whose agencies sit on its own network may);
- redirects are never followed: a 3xx answer is a failed attempt.
A name that resolves to a public address when checked and to another when connected (DNS
rebinding) is not caught here; the worker's network should not reach internal services anyway.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

ALLOWED_SCHEMES = frozenset({"http", "https"})


class RefusedAddress(ValueError):
    """A webhook URL the worker will not send to; the message names the rule, never the URL."""


def _port(scheme: str, port: int | None) -> int:
    return port if port is not None else (443 if scheme == "https" else 80)


def is_public(address: str) -> bool:
    """Whether an IP address is reachable on the public internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def check_url(url: str, *, allow_private: bool) -> None:
    """Raise `RefusedAddress` unless `url` may be sent to now."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedAddress("malformed_url") from None
    if parts.scheme not in ALLOWED_SCHEMES or not parts.hostname:
        raise RefusedAddress("refused_scheme")
    if allow_private:
        return
    try:
        found = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, _port(parts.scheme, port), type=socket.SOCK_STREAM
        )
    except (OSError, UnicodeError):
        raise RefusedAddress("unresolved_host") from None
    if not found or not all(is_public(str(info[4][0])) for info in found):
        raise RefusedAddress("refused_address")
