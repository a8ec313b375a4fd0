"""Where a remote dataset's download may go, and how long it may take (sitegen/data/download.py).

The address rule is an allowlist, checked as properties over every IPv4 address and its other
spellings (a decimal integer, IPv4-mapped IPv6), resolved by the system's own getaddrinfo.
Downloads run against real servers on 127.0.0.1, over http and https.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st
from local_servers import LocalServer, Reply, Seen, trickle

from sitegen.data.addresses import address_kind
from sitegen.data.download import Refused, Rules, get, target_problem

NON_PUBLIC = [ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8", "2001:db8::/32")]
PUBLIC = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "2a00:1450::1"]
ipv4 = st.integers(0, 2**32 - 1).map(IPv4Address)


def rules(url: str, deadline: float = 10, allow_private: bool = False) -> Rules:
    return Rules(url, deadline, allow_private, 1 << 20, {})


# --- the address rule ---------------------------------------------------------------------------

@given(st.sampled_from(NON_PUBLIC), st.integers(0, 2**128 - 1))
def test_every_address_of_a_non_public_network_is_refused(network: Any, offset: int) -> None:
    address = network[offset % network.num_addresses]
    assert address_kind(address) is not None


@pytest.mark.parametrize("text", PUBLIC)
def test_public_addresses_are_allowed(text: str) -> None:
    assert address_kind(ipaddress.ip_address(text)) is None


@given(st.one_of(ipv4, st.integers(0, 2**128 - 1).map(IPv6Address)))
def test_allowed_only_when_global(address: IPv4Address | IPv6Address) -> None:
    """An allowlist: nothing `ipaddress` does not call global is ever public."""
    if address_kind(address) is None:
        assert address.is_global or (isinstance(address, IPv6Address)
                                     and address.ipv4_mapped is not None)
        assert not (address.is_loopback or address.is_private or address.is_link_local
                    or address.is_multicast or address.is_unspecified)


@given(ipv4)
def test_ipv4_inside_ipv6_is_judged_as_the_ipv4_address(address: IPv4Address) -> None:
    kind = address_kind(address)
    mapped = IPv6Address(f"::ffff:{address}")
    nat64 = IPv6Address(int(IPv6Address("64:ff9b::")) | int(address))
    assert address_kind(mapped) == kind
    assert address_kind(nat64) == kind
    if kind is not None:  # 6to4 never reaches a non-public IPv4 address either
        assert address_kind(IPv6Address((0x2002 << 112) | (int(address) << 80))) is not None


@settings(max_examples=300, deadline=None)
@given(ipv4, st.sampled_from(["dotted", "integer", "mapped"]), st.sampled_from(["http", "https"]))
def test_a_redirect_target_is_refused_exactly_when_its_address_is_not_public(
        address: IPv4Address, spelling: str, scheme: str) -> None:
    """However the address is written, the system resolver turns it into the same address,
    and that address is what is judged."""
    host = {"dotted": str(address), "integer": str(int(address)),
            "mapped": f"[::ffff:{address}]"}[spelling]
    refused = target_problem(f"{scheme}://{host}:8080/data.csv")
    assert (refused is not None) == (address_kind(address) is not None)
    if refused is not None:
        assert refused.reason.startswith(f"redirected to {scheme}://")
        assert f"a {address_kind(address)} address" in refused.reason or \
            f"an {address_kind(address)} address" in refused.reason
    assert target_problem(f"{scheme}://{host}:8080/", private_ok=True) is None


@given(st.text(min_size=1, max_size=40))
def test_a_redirect_to_anything_but_http_is_refused(text: str) -> None:
    target = f"ftp://{text}" if "://" not in text else text
    refused = target_problem(target)
    if not target.lower().startswith(("http://", "https://")):
        assert refused is not None
        assert refused.reason.endswith((", which is not an http(s) URL",
                                        ", which is not a valid URL",
                                        ", which has no valid host and port"))


@pytest.mark.parametrize(("target", "reason"), [
    ("javascript:alert(1)", "redirected to javascript:alert(1), which is not an http(s) URL"),
    ("http://[::1/x", "redirected to http://[::1, which is not a valid URL"),
    ("file:///etc/passwd", "redirected to file:///etc/passwd, which is not an http(s) URL"),
    ("http://localhost:9/x", "redirected to http://localhost:9/x: localhost resolves to "),
    ("http://0x7f.1:9/x", "redirected to http://0x7f.1:9/x: 0x7f.1 resolves to 127.0.0.1, "
                          "a loopback address"),
    ("http://[::1]:9/x", "redirected to http://[::1]:9/x: ::1 is a loopback address"),
    ("http://169.254.169.254/latest/meta-data/", "redirected to "
     "http://169.254.169.254/latest/meta-data/: 169.254.169.254 is a link-local address"),
    ("http://0.0.0.0:9/", "redirected to http://0.0.0.0:9/: 0.0.0.0 is an unspecified address"),
    ("http://:9/", "redirected to http://:9/, which has no valid host and port"),
])
def test_redirect_target_reasons(target: str, reason: str) -> None:
    refused = target_problem(target)
    assert refused is not None and refused.reason.startswith(reason)


# --- downloads from real servers ----------------------------------------------------------------

def test_a_name_that_rebinds_to_loopback_is_refused_at_connect(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the redirect's check sees a public address, the connection would get
    127.0.0.1. The system resolver cannot be made to do that on a test machine, so only the
    name lookup is replaced here; the servers and the connections are real."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        address = "93.184.216.34" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with LocalServer(lambda r: Reply(200, {}, b"id\n1\n")) as inner, \
            LocalServer(lambda r: Reply(302, {"Location": f"http://rebind.test:{inner.port}/"})
                        ) as outer:
        with pytest.raises(Refused) as refused:
            get(rules(f"{outer.url}/data.csv"))
        assert refused.value.reason == ("connecting to rebind.test: rebind.test resolves to "
                                        "127.0.0.1, a loopback address")
        assert lookups == ["rebind.test", "rebind.test"]
        assert inner.requests == []


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sitegen test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ssl.SSLContext]:
    """A server context whose certificate (for 127.0.0.1) the client trusts through
    SSL_CERT_FILE, as it would a CA of the system's store."""
    cert, key = _self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    yield context


def test_https_download_and_a_trickle_over_tls_cut_at_the_deadline(
        tls: ssl.SSLContext) -> None:
    def reply(request: Seen) -> Reply:
        if request.path == "/slow.csv":
            return Reply(200, {}, stream=trickle(0.1).write)
        return Reply(200, {"Content-Type": "text/csv"}, b"id,name\n1,A\n")

    with LocalServer(reply, tls=tls) as server:
        answer = get(rules(f"{server.url}/data.csv"))
        assert (answer.status, answer.body) == (200, b"id,name\n1,A\n")
        with pytest.raises(Refused) as refused:
            get(rules(f"{server.url}/slow.csv", deadline=1))
        assert refused.value.reason == ("not finished within the 1 s download deadline "
                                        "(locations.download_deadline)")


def test_a_server_that_says_nothing_is_cut_off_at_the_deadline() -> None:
    """Accepting the connection and then saying nothing (no TLS handshake, no headers) is
    cut off at the deadline too, although no read ever completes."""
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        port = listener.getsockname()[1]
        for scheme in ("http", "https"):
            with pytest.raises(Refused) as refused:
                get(rules(f"{scheme}://127.0.0.1:{port}/data.csv", deadline=0.5))
            assert refused.value.reason.startswith("not finished within the 0.5 s")
    finally:
        listener.close()
