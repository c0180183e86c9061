"""Who a message counts against: the subject, the client address, and the pair of them.

Anonymous senders all share the subject "anonymous", so for them the address stands
in for the subject: one anonymous visitor never counts against every other one.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

from filters._api import Message


def _short(value: str) -> str:
    """A bounded, separator-free key part: subjects and rooms come from clients and may be long."""
    if len(value) <= 64 and value.isprintable() and "|" not in value and " " not in value:
        return value
    return "h" + hashlib.blake2b(value.encode(), digest_size=12).hexdigest()


@dataclass(frozen=True, slots=True)
class Actor:
    subject: str  # the subject, or "ip:<address>" for anonymous senders
    address: str
    known: bool  # an authenticated subject (has its own history)

    @property
    def pair(self) -> str:
        return f"{self.subject}|{self.address}"

    @classmethod
    def of(cls, message: Message) -> Actor:
        address = _short(message.client or "unknown")
        if message.principal.anonymous:
            return cls(f"ip:{address}", address, False)
        return cls(_short(message.principal.subject), address, True)


def room(message: Message) -> str:
    return _short(message.conversation or "-")


def network(address: str, ipv4_prefix: int, ipv6_prefix: int) -> str:
    """The /24 or /48 (by default) around `address`; a non-IP address is its own network."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = ipv4_prefix if ip.version == 4 else ipv6_prefix
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
