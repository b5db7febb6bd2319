"""The address of the person at the other end of a request, for the per-address limits (login
failures, the public self-report page).

REMOTE_ADDR is the direct peer. Behind the county's reverse proxy that is the proxy, so every
sender would share one bucket; yet X-Forwarded-For is written by the sender and, read
naively, lets anyone pick a fresh address per request. So the header is read only when the
peer is one of ``FUPIN_TRUSTED_PROXIES`` (addresses or networks), and then from the right:
each trusted proxy appends the address it saw, so the first entry from the right that is not
a trusted proxy is the last address no one we trust could have forged.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from fupin.core import crypto

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"FUPIN_TRUSTED_PROXIES holds {entry!r}, which is not an address or network"
            ) from exc
    return tuple(networks)


def _parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 peer seen through a dual-stack socket ("::ffff:10.0.0.1") is that IPv4 peer.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _trusted(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: tuple[Network, ...]) -> bool:
    return any(ip.version == net.version and ip in net for net in networks)


def client_address(request: HttpRequest) -> str:
    """The sender's address as text ("" when there is none that parses)."""
    peer = _parse(str(request.META.get("REMOTE_ADDR", "")))
    if peer is None:
        return ""
    networks = _networks(tuple(settings.FUPIN_TRUSTED_PROXIES))
    if not _trusted(peer, networks):
        return str(peer)
    hops = [h for h in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _parse(hop)
        if ip is None:
            # Garbage that a trusted proxy passed along: everything left of it is the
            # sender's own writing, so the proxy that appended it is the best we know.
            return str(peer)
        if not _trusted(ip, networks):
            return str(ip)
        peer = ip
    # Every hop is one of our proxies (or there was no header): the request began there.
    return str(peer)


def address_key(address: str, purpose: str) -> str:
    """The keyed hash a per-address limit counts by, so the address itself is never stored.
    An IPv6 sender controls a whole /64, so that network is one sender; an address that does
    not parse is one shared "unknown" sender rather than a way around the limit."""
    ip = _parse(address or "")
    if ip is None:
        return crypto.keyed_hash(f"{purpose}:unknown")
    network = str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
    return crypto.keyed_hash(f"{purpose}:{network}")
