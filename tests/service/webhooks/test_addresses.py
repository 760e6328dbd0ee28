"""The address guard: only http(s), only public addresses unless private ones are allowed."""

from __future__ import annotations

import pytest

from service.webhooks.addresses import RefusedAddress, check_url, is_public


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("ftp://hooks.example.org/in", "refused_scheme"),
        ("file:///etc/passwd", "refused_scheme"),
        ("gopher://127.0.0.1:70/", "refused_scheme"),
        ("http:///no-host", "refused_scheme"),
        ("http://[::1", "malformed_url"),
        ("http://127.0.0.1:8000/hooks", "refused_address"),
        ("http://10.1.2.3/hooks", "refused_address"),
        ("http://192.168.1.1/hooks", "refused_address"),
        ("http://169.254.169.254/latest/meta-data", "refused_address"),
        ("http://[::ffff:127.0.0.1]/hooks", "refused_address"),
        ("http://[fd00::1]/hooks", "refused_address"),
        ("http://0.0.0.0/hooks", "refused_address"),
        ("http://224.0.0.1/hooks", "refused_address"),
        ("https://localhost/hooks", "refused_address"),
    ],
)
async def test_refused(url: str, rule: str) -> None:
    with pytest.raises(RefusedAddress) as refused:
        await check_url(url, allow_private=False)
    assert str(refused.value) == rule


async def test_public_addresses_pass_and_private_ones_when_allowed() -> None:
    await check_url("https://93.184.216.34/hooks", allow_private=False)
    await check_url("http://[2606:4700::1111]/hooks", allow_private=False)
    await check_url("http://127.0.0.1:8000/hooks", allow_private=True)
    with pytest.raises(RefusedAddress):
        await check_url("ftp://127.0.0.1/", allow_private=True)  # the scheme is never allowed


def test_is_public() -> None:
    assert is_public("8.8.8.8")
    assert not is_public("100.64.0.1")  # shared address space
    assert not is_public("fe80::1%eth0")
