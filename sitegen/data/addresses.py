"""Which IP addresses a download may reach: the public internet, nothing else.

A redirect from a dataset host must not send sitegen (and whatever it runs on: a laptop, a
CI runner beside a metadata service) to loopback, the private network or link-local
addresses. The rule is an allowlist: an address is public only when `ipaddress` calls it
global and none of loopback, unspecified, link-local, multicast, private or reserved. An
address that carries an IPv4 address inside it (IPv4-mapped `::ffff:a.b.c.d`, NAT64
`64:ff9b::/96`, 6to4 `2002::/16`) is judged by that IPv4 address, since that is where the
packets go.
"""

from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv6Address

Address = IPv4Address | IPv6Address

NAT64 = ipaddress.ip_network("64:ff9b::/96")
# IANA's IETF protocol assignments: never a server's address, but Python before 3.12.4 calls
# all of it global except 192.0.0.0/29 and 192.0.0.170/31.
PROTOCOL_ASSIGNMENTS = ipaddress.ip_network("192.0.0.0/24")
_KINDS = (("loopback", "is_loopback"), ("unspecified", "is_unspecified"),
          ("link-local", "is_link_local"), ("multicast", "is_multicast"),
          ("private", "is_private"), ("reserved", "is_reserved"))


def embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, in the forms that route to it."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def address_kind(address: Address) -> str | None:
    """None for a public address; else what it is ("loopback", "private", ...), for messages."""
    if isinstance(address, IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            kind = address_kind(inner)
            if kind is not None or address.ipv4_mapped is not None or address in NAT64:
                return kind
    for kind, test in _KINDS:
        if getattr(address, test):
            return kind
    if address in PROTOCOL_ASSIGNMENTS:
        return "reserved"
    return None if address.is_global else "non-global"


def parse_address(text: str) -> Address:
    """An address as `getaddrinfo` gives it (an IPv6 one may carry a `%zone`)."""
    return ipaddress.ip_address(text.split("%", 1)[0])
