"""Which URLs a webhook may target (server-side request forgery, GW-5).

A target must be http(s) without credentials, and every address its host resolves to
must be a public one: loopback, private, shared (CGNAT), link-local (including cloud
metadata at 169.254.169.254), multicast, reserved and unspecified addresses are
refused, IPv4-mapped IPv6 included. The check runs when a subscription is created or
changed and again before every delivery (the name may resolve elsewhere by then).
The operator may allow host names as written in the URL and networks in settings.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from services.common.errors import BusinessRuleError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud metadata endpoints that are not link-local everywhere.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "192.0.0.192")
)
RESOLVE_TIMEOUT_SECONDS = 5.0


class TargetRefused(BusinessRuleError):
    code = "webhook-url-refused"
    title = "Адрес веб-хука не допускается"


@dataclass(frozen=True)
class TargetPolicy:
    allowed_hosts: frozenset[str] = frozenset()
    allowed_networks: tuple[Network, ...] = ()
    require_https: bool = False

    @classmethod
    def from_settings(
        cls, hosts: Sequence[str], networks: Sequence[str], *, require_https: bool
    ) -> TargetPolicy:
        return cls(
            allowed_hosts=frozenset(h.strip().lower().strip("[]") for h in hosts if h.strip()),
            allowed_networks=tuple(ipaddress.ip_network(n.strip(), strict=False) for n in networks),
            require_https=require_https,
        )


def _forbidden(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address in METADATA_ADDRESSES
        or address.is_multicast
        or address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def parse_target(url: str, policy: TargetPolicy) -> tuple[str, int]:
    """The host and port of ``url``, or :class:`TargetRefused` for a malformed URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused("Адрес веб-хука не распознан", code="webhook-url-invalid") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused(
            "Адрес веб-хука должен начинаться с https:// (или http://) и содержать имя узла",
            code="webhook-url-invalid",
        )
    if parts.username or parts.password:
        raise TargetRefused(
            "Адрес веб-хука не должен содержать имя пользователя или пароль",
            code="webhook-url-invalid",
        )
    host = parts.hostname.lower()
    if policy.require_https and parts.scheme != "https" and host not in policy.allowed_hosts:
        raise TargetRefused(
            "Веб-хуки доставляются только по https://", code="webhook-url-not-https"
        )
    return host, port or (443 if parts.scheme == "https" else 80)


async def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT_SECONDS
        )
    except (OSError, TimeoutError, UnicodeError) as exc:
        raise TargetRefused(
            f"Имя узла {host} не удалось разрешить в адрес", code="webhook-url-unresolvable"
        ) from exc
    found: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


async def check_target(url: str, policy: TargetPolicy) -> None:
    """Refuses ``url`` unless it leads to public addresses or ones the operator allowed."""
    host, port = parse_target(url, policy)
    if host in policy.allowed_hosts:
        return
    addresses = await resolve(host, port)
    if not addresses:
        raise TargetRefused(
            f"Имя узла {host} не удалось разрешить в адрес", code="webhook-url-unresolvable"
        )
    for address in addresses:
        if any(address in network for network in policy.allowed_networks):
            continue
        if _forbidden(address):
            raise TargetRefused(
                f"Адрес веб-хука ведёт во внутреннюю сеть ({address}): локальные, частные, "
                "служебные и групповые адреса запрещены, если оператор не разрешил их в "
                "настройках",
                code="webhook-url-forbidden",
            )
