"""The sender's address (``fupin.core.client``): the direct peer, unless that peer is one of
the trusted proxies; then X-Forwarded-For read from the right, past the trusted hops only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings

from fupin.core.client import address_key, client_address


def _address(peer: str, forwarded: str | None = None) -> str:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=peer, **extra))


@override_settings(FUPIN_TRUSTED_PROXIES=[])
def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert _address("198.51.100.7", "203.0.113.1") == "198.51.100.7"


@override_settings(FUPIN_TRUSTED_PROXIES=["10.0.0.0/8", "2001:db8::1"])
@pytest.mark.parametrize(
    ("peer", "forwarded", "sender"),
    [
        ("10.0.0.5", "203.0.113.1", "203.0.113.1"),
        # the sender wrote a fake left part: the right-most untrusted hop is the one we know
        ("10.0.0.5", "1.2.3.4, 203.0.113.1", "203.0.113.1"),
        # two of our proxies in a row
        ("10.0.0.5", "203.0.113.1, 10.0.0.9", "203.0.113.1"),
        ("2001:db8::1", "203.0.113.8", "203.0.113.8"),
        # no header, or only our proxies: the request began at the proxy
        ("10.0.0.5", None, "10.0.0.5"),
        ("10.0.0.5", "10.0.0.6", "10.0.0.6"),
        # garbage from the sender's side stops the walk at the last proxy
        ("10.0.0.5", "203.0.113.1, not-an-address", "10.0.0.5"),
        # an untrusted peer: its header means nothing
        ("198.51.100.7", "203.0.113.1", "198.51.100.7"),
        ("::ffff:10.0.0.5", "203.0.113.3", "203.0.113.3"),
    ],
)
def test_behind_trusted_proxies_the_header_is_read_from_the_right(
    peer: str, forwarded: str | None, sender: str
) -> None:
    assert _address(peer, forwarded) == sender


@override_settings(FUPIN_TRUSTED_PROXIES=["not a network"])
def test_a_malformed_proxy_setting_is_refused_plainly() -> None:
    with pytest.raises(ImproperlyConfigured, match="FUPIN_TRUSTED_PROXIES"):
        _address("10.0.0.5", "203.0.113.1")


def test_the_key_groups_an_ipv6_64_and_never_holds_the_address() -> None:
    assert address_key("2001:db8:1:2::1", "x") == address_key("2001:db8:1:2:ffff::9", "x")
    assert address_key("2001:db8:1:3::1", "x") != address_key("2001:db8:1:2::1", "x")
    assert address_key("10.0.0.1", "x") != address_key("10.0.0.1", "y")
    assert "10.0.0.1" not in address_key("10.0.0.1", "x")
    assert address_key("", "x") == address_key("garbage", "x")
