"""The address of the person behind a request, believing a proxy's header only when the proxy is trusted.

Words: a *trusted proxy* is an address or network of ``PACTES_TRUSTED_PROXIES`` (the platform's own front servers);
the *client address* is ``REMOTE_ADDR``, unless the request came from a trusted proxy, in which case it is the last
address of ``PACTES_CLIENT_IP_HEADER`` (``X-Forwarded-For`` by default) that is not itself a trusted proxy. A header
sent by anyone else is ignored: a visitor cannot choose the address its failed logins are counted against.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def is_trusted_proxy(address: str) -> bool:
    """``address`` is one of the front proxies of ``PACTES_TRUSTED_PROXIES`` (addresses or networks)."""
    networks = settings.PACTES_TRUSTED_PROXIES
    ip = _address(address) if networks and address else None
    if ip is None:
        return False
    return any(ip in ipaddress.ip_network(network, strict=False) for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address (``AXES_CLIENT_IP_CALLABLE``): see the module's docstring."""
    remote = str(request.META.get("REMOTE_ADDR", "") or "")
    if not is_trusted_proxy(remote):
        return remote
    header = str(request.META.get(settings.PACTES_CLIENT_IP_HEADER, "") or "")
    for hop in reversed([part for part in header.split(",") if part.strip()]):
        ip = _address(hop)
        if ip is None:
            return remote  # a malformed chain is not believed
        if not is_trusted_proxy(str(ip)):
            return str(ip)
    return remote
