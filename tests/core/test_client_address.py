"""The client address: REMOTE_ADDR, or the header of a trusted proxy (PACTES_TRUSTED_PROXIES) only."""

import pytest

from pactes.core.client_address import client_ip, is_trusted_proxy


@pytest.fixture
def proxies(settings):
    settings.PACTES_TRUSTED_PROXIES = ["10.0.0.1", "172.16.0.0/12"]
    settings.PACTES_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    return settings


def test_without_trusted_proxies_the_header_is_never_read(rf, settings):
    settings.PACTES_TRUSTED_PROXIES = []
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert client_ip(request) == "10.0.0.1"


def test_a_trusted_proxy_gives_the_client_address(rf, proxies):
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.1")) == "192.0.2.1"


def test_the_last_address_that_is_not_a_trusted_proxy_is_the_client(rf, proxies):
    # A client may write anything at the start of the header: only what our proxies appended is believed.
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 192.0.2.7, 172.16.3.4")
    assert client_ip(request) == "192.0.2.7"


def test_an_untrusted_sender_is_the_client_whatever_its_header(rf, proxies):
    assert client_ip(rf.get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="192.0.2.1")) == "203.0.113.5"


@pytest.mark.parametrize("header", ["pas-une-adresse", "192.0.2.1, n'importe quoi", ""])
def test_a_malformed_or_empty_header_falls_back_to_the_proxy_address(rf, proxies, header):
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=header)) == "10.0.0.1"


def test_trusted_proxies_are_addresses_or_networks(proxies):
    assert is_trusted_proxy("10.0.0.1")
    assert is_trusted_proxy("172.20.1.1")
    assert not is_trusted_proxy("10.0.0.2")
    assert not is_trusted_proxy("pas-une-adresse")
    assert not is_trusted_proxy("")
