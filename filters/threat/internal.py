"""Links that send a server into its own network (SSRF), read the way URL parsers read a host.

A value a server fetches reaches the machine itself, its private network or a cloud's metadata service when its
host is such an address. People paste `http://localhost:3000` and `http://192.168.1.1` in chat, written the
plain way; a payload spells the address so that a blocklist of those plain forms misses it while the fetcher's
parser still reaches it: one number (`http://2130706433/`), hex or octal parts (`0x7f.1`, `0177.0.0.1`), parts
left out (`127.1`, `0`), IPv6 around IPv4 (`[::ffff:127.0.0.1]`), or a wildcard DNS name that holds the address
(`127.0.0.1.nip.io`). Or it makes two parsers read two hosts: a host name as the user part
(`http://trusted.example@127.1/`), a backslash that WHATWG parsers read as a slash and others as part of the
user (`http://127.1\\@trusted.example/`), a fragment that names the host a checker looks for
(`http://127.0.0.1#trusted.example`). Hosts are read as WHATWG's IPv4 parser reads them (RFC 3986 has no such
forms; `inet_aton` and every browser accept them). Linear: one search for `://`, each authority read once.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

SPELT = 0.85  # an internal address spelt the way no one writes one to reach it
CONFUSED = 0.85  # an internal address where parsers disagree about the host, or another host named beside it
MAX_LINKS = 32  # links read per text: past them the rest are not (each found is already a block)

# A scheme, `://`, then the authority as an RFC 3986 parser takes it (up to `/`, `?`, `#` or white space) and
# what follows up to white space (its fragment is read for a host name).
_LINK = re.compile(r"(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,15}://([^\s/?#\"'<>]{1,300})([^\s\"'<>]{0,300})")
_HOST_NAME = re.compile(r"@?[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)*\.[a-z]{2,63}\.?/?")
# An address in a name, then two labels or more (parted by dots alone: a hyphen both parting and inside labels
# made the search exponential in the hyphens of a hostile name).
_MAY_BE_INTERNAL = re.compile(r"[0-9\[]|localhost")  # what an authority needs to name an internal host at all
_DOTTED = re.compile(r"(?:^|\.)((?:\d{1,3}[.-]){3}\d{1,3})(?:\.[a-z0-9-]{1,63}){2,}$")


@dataclass(frozen=True, slots=True)
class Reached:
    start: int
    end: int
    weight: float
    how: str


def _part(text: str) -> int | None:
    """One part of an IPv4 address as WHATWG's parser reads it: `0x` hex, a leading `0` octal, else decimal."""
    if text[:2] in ("0x", "0X"):
        digits, base = text[2:], 16
    elif len(text) > 1 and text[0] == "0":
        digits, base = text[1:], 8
    else:
        digits, base = text, 10
    if not digits:
        return 0 if base == 16 else None
    try:
        return int(digits, base)
    except ValueError:
        return None


def ipv4(host: str) -> tuple[ipaddress.IPv4Address, bool] | None:
    """The address `host` names when read as WHATWG's IPv4 parser reads it, and whether it is spelt the plain
    way (four decimal parts, no leading zeros); None when it is no address (a name)."""
    parts = host.split(".")
    if parts and parts[-1] == "" and len(parts) > 1:
        parts.pop()  # a final dot
    if not 1 <= len(parts) <= 4 or not parts[-1] or not (parts[-1][0].isdigit()):
        return None
    values = [_part(part) for part in parts]
    if any(value is None for value in values):
        return None
    numbers = [value for value in values if value is not None]
    if any(value > 255 for value in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        return None
    value = numbers[-1]
    for index, number in enumerate(numbers[:-1]):
        value += number << (8 * (3 - index))
    plain = len(parts) == 4 and all(part == str(number) for part, number in zip(parts, numbers, strict=True))
    return ipaddress.IPv4Address(value), plain


# IPv4 space that is the machine itself or networks behind it: "this network" and unspecified, private, shared
# (carrier-grade NAT; Alibaba Cloud's metadata is 100.100.100.200), loopback, link-local (cloud metadata).
_INTERNAL_V4 = tuple((int(net.network_address), int(net.broadcast_address)) for net in map(ipaddress.ip_network, (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16")))


def _internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """The machine itself, its private networks, link-local (cloud metadata), shared or unspecified space
    (integer ranges for IPv4: `is_private` walks a list of networks, 40 us a link)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is None:
            return address.is_loopback or address.is_private or address.is_link_local or address.is_unspecified
        address = address.ipv4_mapped
    value = int(address)
    return any(low <= value <= high for low, high in _INTERNAL_V4)


def _host(authority: str, whatwg: bool) -> str:
    """The host of `authority` (the text between `://` and a `/`, `?` or `#`): after the last `@`, without a
    port. `whatwg`: a backslash ends the authority first, as WHATWG parsers read special schemes."""
    if whatwg:
        authority = authority.split("\\", 1)[0]
    host = authority.rpartition("@")[2]
    if host.startswith("["):
        return host[:host.find("]") + 1] if "]" in host else host
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def _spelt_internal(host: str) -> bool | None:
    """Whether `host` is an internal address spelt unplainly (True), plainly (False), or no internal address
    (None)."""
    if host.startswith("["):
        inner = host[1:-1].split("%", 1)[0]
        try:
            address = ipaddress.IPv6Address(inner)
        except ValueError:
            return None
        if not _internal(address):
            return None
        # `[::1]` and `[::]` are how servers print themselves; IPv4 inside IPv6, or zeros written out, are not.
        return address.ipv4_mapped is not None or "." in inner or inner != address.compressed
    if host == "localhost" or host.endswith(".localhost"):
        return False
    found = ipv4(host)
    if found is not None:
        return None if not _internal(found[0]) else not found[1]
    dotted = _DOTTED.search(host)  # a wildcard DNS name holding an address (`127.0.0.1.nip.io`, `10-0-0-1.x.io`)
    if dotted is not None:
        held = ipv4(dotted[1].replace("-", "."))
        if held is not None and _internal(held[0]):
            return True
    return None


def reached(text: str) -> list[Reached]:
    """Links in `text` (lower-cased) that reach an internal address the way a payload does."""
    found: list[Reached] = []
    if "://" not in text:
        return found
    read: set[tuple[str, str]] = set()  # each distinct link read once (a hostile text repeats one)
    for match in _LINK.finditer(text):
        authority, rest = match[1], match[2]
        if (authority, rest) in read or _MAY_BE_INTERNAL.search(authority) is None:
            continue  # read already, or a name with no digit: no address and no loopback name
        read.add((authority, rest))
        whatwg, plain_host = _host(authority, True), _host(authority, False)
        spelt = [_spelt_internal(host) for host in {whatwg, plain_host}]
        if any(spelt):
            found.append(Reached(match.start(), match.end(), SPELT, "internal-spelt"))
        elif False in spelt:
            user = authority.split("\\", 1)[0].rpartition("@")[0]
            # a fragment right after the host that names another host (`http://127.0.0.1#trusted.example`), not
            # an anchor in a page (`/docs/api.html#requests.get`)
            fragment = rest.lstrip("/")[1:] if rest.lstrip("/")[:1] == "#" else ""
            if (whatwg != plain_host or _HOST_NAME.fullmatch(user.split(":", 1)[0]) is not None
                    or (fragment and _HOST_NAME.fullmatch(fragment) is not None)):
                found.append(Reached(match.start(), match.end(), CONFUSED, "internal-confused"))
        if len(found) >= MAX_LINKS:
            break
    return found
