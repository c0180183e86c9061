"""A synthetic, labelled chat corpus for the masking benchmark (deterministic per seed).

Three kinds of lines: clean support chat (most of it, often with harmless numbers),
lines with sensitive values (spans labelled), and look-alikes: numbers that resemble
values but are not (order numbers failing Luhn, timestamps, dates, versions, UUIDs,
hashes, prices, ZIP codes, numbers in URLs).
"""

from __future__ import annotations

import base64
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass

Value = tuple[str, str]  # (type, text as written)


@dataclass(frozen=True)
class Line:
    text: str
    kind: str  # clean | sensitive | lookalike
    values: tuple[tuple[str, int, int], ...] = ()  # (type, start, end) of each sensitive value


CLEAN = [
    "hi, I need help with my order please", "thanks, that worked!", "can I change the delivery address?",
    "order #{order} was supposed to arrive on {date}", "it says {price} but I was charged twice",
    "what are your opening hours on Saturday?", "ok, I'll wait for the email confirmation",
    "my package {order} is still not here, it's been {n} days", "the app crashes on version {version}",
    "could you call me back tomorrow around {time}?", "I bought {n} items, one is missing",
    "is there a discount for orders over {price}?", "please cancel order {order}, thank you",
    "the link in your message does not open on my phone", "I'm in room {n}, floor {small}",
    "our ZIP is {zip}, do you ship there?", "I got error code {small}{small} when paying",
    "thank you for your patience, we're looking into it", "refund of {price} should arrive in 5-7 days",
]
SENSITIVE = [
    "my card number is {card}, can you check it?", "here: {card} exp {exp}", "charge {card} please",
    "my SSN is {ssn}", "ssn {ssn} for the tax form", "please send the refund to {iban}",
    "IBAN: {iban} (checking)", "email me at {email}", "you can reach me at {email} or {phone}",
    "call me on {phone} after 5", "my number is {phone}", "the server {ip} is refusing connections",
    "we see requests from {ip}", "here is the key {secret}", "token for the bot: {secret}",
    "I pasted my config: password={password}", "api_key: {password}", "卡号{card}谢谢",
    "card {card} and my email {email}",
]
LOOKALIKE = [
    "order {badcard} was never delivered", "tracking number {tracking}", "event at {epoch_ms} ms",
    "created {epoch_s}", "meeting {date} at {time}", "installed version {version}", "request id {uuid}",
    "commit {sha}", "total {price} incl. VAT", "ZIP code {zip}", "see https://shop.example.com/item/{longnum}",
    "invoice INV-{year}-{order}", "reference {ref}", "serial {serial}", "order number {phoneish}",
]


def luhn_digit(body: str) -> str:
    for d in "0123456789":
        total = 0
        for i, ch in enumerate(reversed(body + d)):
            n = int(ch)
            if i % 2:
                n = n * 2 - 9 if n > 4 else n * 2
            total += n
        if total % 10 == 0:
            return d
    raise AssertionError


class Generator:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def digits(self, n: int) -> str:
        return "".join(self.r.choice("0123456789") for _ in range(n))

    def raw_card(self) -> str:
        prefix, length = self.r.choice([
            ("4", 16), ("4", 16), ("4", 13), ("51", 16), ("55", 16), ("2221", 16), ("2720", 16), ("25", 16),
            ("34", 15), ("37", 15), ("6011", 16), ("65", 16), ("36", 14), ("3530", 16), ("62", 16),
            ("6759", 16), ("2201", 16), ("9792", 16),
        ])
        if prefix == "25":
            prefix = str(self.r.randint(2221, 2720))
        body = prefix + self.digits(length - len(prefix) - 1)
        return body + luhn_digit(body)

    def card(self) -> str:
        number = self.raw_card()
        style = self.r.random()
        if style < 0.35:
            return number
        if style < 0.6:
            return " ".join(number[i:i + 4] for i in range(0, len(number), 4))
        if style < 0.75:
            return "-".join(number[i:i + 4] for i in range(0, len(number), 4))
        if style < 0.85:  # full-width digits
            return "".join(chr(0xFF10 + int(c)) for c in number)
        if style < 0.93:  # zero-width / soft hyphen / no-break space between groups
            joiner = self.r.choice(["\u200b", "\u00ad", "\u00a0"])
            return joiner.join(number[i:i + 4] for i in range(0, len(number), 4))
        seps = [self.r.choice(" -.") for _ in range(4)]
        return "".join(number[i:i + 4] + (seps[i // 4] if i + 4 < len(number) else "")
                       for i in range(0, len(number), 4))

    def ssn(self) -> str:
        area = self.r.choice([n for n in range(1, 900) if n != 666])
        value = f"{area:03d}-{self.r.randint(1, 99):02d}-{self.r.randint(1, 9999):04d}"
        return value if self.r.random() < 0.8 else value.replace("-", " ")

    def iban(self) -> str:
        country, bban_len = self.r.choice([("DE", 18), ("GB", 18), ("FR", 23), ("NL", 14), ("ES", 20),
                                           ("IT", 23), ("CH", 17), ("BE", 12)])
        if country in ("GB", "NL"):
            bban = "".join(self.r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + self.digits(bban_len - 4)
        elif country == "IT":
            bban = self.r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + self.digits(bban_len - 1)
        else:
            bban = self.digits(bban_len)
        number = "".join(str(int(c, 36)) for c in bban + country + "00")
        iban = f"{country}{98 - int(number) % 97:02d}{bban}"
        return iban if self.r.random() < 0.5 else " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))

    def email(self) -> str:
        name = self.r.choice(["john.doe", "maria", "k.tanaka", "support+tag", "li_wei", "a.b.c"])
        return f"{name}{self.r.randint(1, 99)}@{self.r.choice(['example.com', 'mail.example.org', 'corp.co.uk'])}"

    def phone(self) -> str:
        return self.r.choice([
            lambda: f"+1 ({self.r.randint(201, 989)}) {self.r.randint(200, 999)}-{self.digits(4)}",
            lambda: f"{self.r.randint(201, 989)}-{self.r.randint(200, 999)}-{self.digits(4)}",
            lambda: f"+44 20 {self.digits(4)} {self.digits(4)}",
            lambda: f"+49 151 {self.digits(8)}",
            lambda: f"+33 6 {self.digits(2)} {self.digits(2)} {self.digits(2)} {self.digits(2)}",
            lambda: f"07{self.digits(3)} {self.digits(6)}",
        ])()

    def ip(self) -> str:
        if self.r.random() < 0.8:
            return f"{self.r.randint(1, 223)}.{self.r.randint(0, 255)}.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}"
        return f"2001:db8:{self.r.randint(1, 65535):x}::{self.r.randint(1, 65535):x}"

    def secret(self) -> str:
        alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        pick = lambda n: "".join(self.r.choice(alnum) for _ in range(n))  # noqa: E731
        header = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()).decode().rstrip("=")
        return self.r.choice([
            lambda: "AKIA" + "".join(self.r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
            lambda: "ghp_" + pick(36), lambda: "glpat-" + pick(20), lambda: "xoxb-" + self.digits(12) + "-" + pick(24),
            lambda: "sk_live_" + pick(24), lambda: "AIza" + pick(35),
            lambda: f"{header}.{pick(40)}.{pick(43)}",
        ])()

    def password(self) -> str:
        chars = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%&*"
        return "".join(self.r.choice(chars) for _ in range(self.r.randint(10, 20)))

    def fillers(self) -> dict[str, Callable[[], str]]:
        r = self.r
        return {
            "order": lambda: str(r.randint(10_000, 99_999_999)), "date": lambda: r.choice(
                [f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}", f"{r.randint(1, 28)}.{r.randint(1, 12)}.2024",
                 f"{r.randint(1, 12)}/{r.randint(1, 28)}/2024"]),
            "price": lambda: r.choice([f"${r.randint(1, 2000)}.{r.randint(0, 99):02d}", f"€{r.randint(1, 9)}.{r.randint(100, 999)},00"]),
            "n": lambda: str(r.randint(2, 400)), "small": lambda: str(r.randint(1, 9)),
            "version": lambda: f"{r.randint(1, 12)}.{r.randint(0, 20)}.{r.randint(0, 30)}" + r.choice(["", f".{r.randint(0, 9999)}"]),
            "time": lambda: f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}", "zip": lambda: r.choice(
                [f"{r.randint(10000, 99999)}", f"{r.randint(10000, 99999)}-{r.randint(1000, 9999)}"]),
            "exp": lambda: f"{r.randint(1, 12):02d}/{r.randint(25, 31)}",
            "badcard": self.bad_card, "tracking": lambda: r.choice(
                ["1Z" + self.digits(3) + "AA" + self.digits(10), self.digits(12), self.digits(22), "9400" + self.digits(18)]),
            "epoch_ms": lambda: str(r.randint(1_600_000_000_000, 1_800_000_000_000)),
            "epoch_s": lambda: str(r.randint(1_600_000_000, 1_800_000_000)),
            "uuid": lambda: str(uuid.UUID(int=r.getrandbits(128), version=4)),
            "sha": lambda: f"{r.getrandbits(160):040x}", "longnum": lambda: self.digits(r.randint(6, 12)),
            "year": lambda: str(r.randint(2019, 2025)), "ref": lambda: "-".join(self.digits(4) for _ in range(4)),
            "serial": lambda: self.digits(4) + " " + self.digits(4) + " " + self.digits(4),
            "phoneish": lambda: f"{r.randint(201, 989)}-{r.randint(200, 999)}-{self.digits(4)}",
        }

    def bad_card(self) -> str:
        number = self.raw_card()
        bad = number[:-1] + str((int(number[-1]) + 1) % 10)
        return bad if self.r.random() < 0.5 else " ".join(bad[i:i + 4] for i in range(0, len(bad), 4))


def generate(count: int, seed: int = 7, sensitive: float = 0.08, lookalike: float = 0.07) -> list[Line]:
    gen = Generator(seed)
    fill = gen.fillers()
    values: dict[str, tuple[str, Callable[[], str]]] = {
        "card": ("card", gen.card), "ssn": ("ssn", gen.ssn), "iban": ("iban", gen.iban),
        "email": ("email", gen.email), "phone": ("phone", gen.phone), "ip": ("ip", gen.ip),
        "secret": ("secret", gen.secret), "password": ("secret", gen.password),
    }
    lines = []
    for _ in range(count):
        roll = gen.r.random()
        # Chat lines run ~80 bytes: a short template often comes with a clean sentence before it.
        lead = gen.r.choice(CLEAN) + ". " if gen.r.random() < 0.6 else ""
        if roll < sensitive:
            lines.append(_render(lead + gen.r.choice(SENSITIVE), "sensitive", fill, values))
        elif roll < sensitive + lookalike:
            lines.append(_render(lead + gen.r.choice(LOOKALIKE), "lookalike", fill, {}))
        else:
            lines.append(_render(lead + gen.r.choice(CLEAN), "clean", fill, {}))
    return lines


def _render(template: str, kind: str, fill: dict[str, Callable[[], str]],
            values: dict[str, tuple[str, Callable[[], str]]]) -> Line:
    out, spans = [], []
    position = 0
    for piece in template.replace("}", "{").split("{"):
        if piece in values:
            kind_name, make = values[piece]
            text = make()
            spans.append((kind_name, position, position + len(text)))
        elif piece in fill:
            text = fill[piece]()
        else:
            text = piece
        out.append(text)
        position += len(text)
    return Line("".join(out), kind, tuple(spans))
