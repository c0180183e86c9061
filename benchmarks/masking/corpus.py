"""A labelled chat corpus for the masking benchmark, in a tuning and a validation part.

Three kinds of lines: clean support chat (most of it, often with harmless numbers),
lines with sensitive values (spans labelled), and look-alikes: things that resemble
values but are not (order numbers failing Luhn, timestamps, versions, UUIDs, git
remotes, image names, sample SSNs...).

The two parts share no generator family and no sentence template: `values.py` tags each
value family (card networks and layouts, IBAN countries, phone regions and formats,
e-mail scripts, key providers) and this module tags each template (with its language)
and each look-alike family as tuning or validation. Detectors are tuned on the tuning
part only; the validation part measures what they do on families they never saw.
Deterministic per seed.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import values as v
from values import T, V

Value = tuple[str, str]  # (type, text as written)


@dataclass(frozen=True)
class Line:
    text: str
    kind: str  # clean | sensitive | lookalike
    values: tuple[tuple[str, int, int], ...] = ()  # (type, start, end) of each sensitive value
    family: str = ""  # the value or look-alike family, or the clean template


CLEAN: tuple[tuple[str, str], ...] = (
    (T, "hi, I need help with my order please"), (T, "thanks, that worked!"),
    (T, "can I change the delivery address?"), (T, "order #{order} was supposed to arrive on {date}"),
    (T, "it says {price} but I was charged twice"), (T, "what are your opening hours on Saturday?"),
    (T, "the app crashes on version {version}"), (T, "could you call me back tomorrow around {time}?"),
    (T, "I'm in room {n}, floor {small}"), (T, "our ZIP is {zip}, do you ship there?"),
    (T, "Hallo, meine Bestellung {order} ist noch nicht da"), (T, "merci, c'est réglé"),
    (T, "¿pueden enviarme la factura del pedido {order}?"),
    (V, "ok, I'll wait for the email confirmation"), (V, "my package {order} is still not here, it's been {n} days"),
    (V, "I bought {n} items, one is missing"), (V, "is there a discount for orders over {price}?"),
    (V, "please cancel order {order}, thank you"), (V, "the link in your message does not open on my phone"),
    (V, "I got error code {small}{small} when paying"), (V, "refund of {price} should arrive in 5-7 days"),
    (V, "grazie, tutto risolto"), (V, "o pedido {order} chegou danificado"), (V, "dank je, het werkt weer"),
    (V, "注文{order}はいつ届きますか"),
)

# Templates per type: {v} is the value. Languages split as well as wording.
SENSITIVE: dict[str, tuple[tuple[str, str], ...]] = {
    "card": (
        (T, "my card number is {v}, can you check it?"), (T, "here: {v} exp {exp}"), (T, "charge {v} please"),
        (T, "Kartennummer {v}"), (T, "卡号{v}谢谢"), (T, "card {v} and the CVV is on the back"),
        (T, "since this morning {v} is declined"),
        (V, "numéro de carte : {v}"), (V, "pay with {v}"), (V, "mi tarjeta es {v}"), (V, "the card ending... no wait, full number {v}"),
        (V, "cartão {v} validade {exp}"), (V, "{v}"), (V, "カード番号 {v}"),
    ),
    "ssn": (
        (T, "my SSN is {v}"), (T, "ssn {v} for the tax form"), (T, "social security number: {v}"),
        (T, "SS no. {v}"),
        (V, "my social is {v}"), (V, "SSN: {v}, DOB 04/12/1981"), (V, "número de seguro social {v}"),
        (V, "tax id {v} on the W-9"),
    ),
    "iban": (
        (T, "please send the refund to {v}"), (T, "IBAN: {v} (checking)"), (T, "meine IBAN lautet {v}"),
        (V, "wire it to {v} thanks"), (V, "mon IBAN : {v}"), (V, "conto {v}"), (V, "IBAN {v}\nBIC follows"),
    ),
    "email": (
        (T, "email me at {v}"), (T, "you can reach me at {v}"), (T, "mail: <{v}>"), (T, "schreib mir an {v}"),
        (V, "my address is {v}."), (V, "contact {v} for the invoice"), (V, "envoyez à {v} svp"),
        (V, "メール {v} まで"),
    ),
    "phone": (
        (T, "call me on {v} after 5"), (T, "my number is {v}"), (T, "Handy: {v}"), (T, "tel {v}"),
        (V, "you can text me at {v}"), (V, "appelez-moi au {v}"), (V, "whatsapp {v}"), (V, "{v} is my mobile"),
        (V, "電話番号は{v}です"),
    ),
    "ip": (
        (T, "the server {v} is refusing connections"), (T, "we see requests from {v}"),
        (V, "my IP is {v}, can you whitelist it"), (V, "ssh into {v} and check the logs"),
    ),
    "secret": (
        (T, "here is the key {v}"), (T, "token for the bot: {v}"), (T, "export API_TOKEN={v}"),
        (V, "use this one: {v}"), (V, "mein Token lautet {v}"), (V, "Authorization: Bearer {v}"),
    ),
    "password": (
        (T, "I pasted my config: password={v}"), (T, "api_key: {v}"), (T, "password: {v}"),
        (V, "my pw is {v}"), (V, "Passwort ist {v}"), (V, "mot de passe : {v}"), (V, "contraseña: {v}"),
    ),
    "hex-key": ((V, "api key {v}"), (V, "the key {v} stopped working"), (T, "secret {v}")),
}

LOOKALIKE: tuple[tuple[str, str, str], ...] = (
    (T, "badcard", "order {badcard} was never delivered"), (T, "tracking", "tracking number {tracking}"),
    (T, "epoch-ms", "event at {epoch_ms} ms"), (T, "epoch-s", "created {epoch_s}"),
    (T, "date-time", "meeting {date} at {time}"), (T, "version", "installed version {version}"),
    (T, "uuid", "request id {uuid}"), (T, "sha", "commit {sha}"), (T, "price", "total {price} incl. VAT"),
    (T, "zip", "ZIP code {zip}"), (T, "url-number", "see https://shop.example.com/item/{longnum}"),
    (T, "git-remote", "git clone git@github.com:acme/{word}.git"),
    (V, "invoice", "invoice INV-{year}-{order}"), (V, "reference", "reference {ref}"), (V, "serial", "serial {serial}"),
    (V, "phone-shaped-order", "order number {phoneish}"), (V, "imei", "IMEI {imei}"), (V, "isbn", "ISBN {isbn}"),
    (V, "image-name", "use logo@2x.png and icon@3x.png"), (V, "ssh-remote", "ssh deploy@{word}.example.com"),
    (V, "sample-ssn", "the sample SSN 078-05-1120 from the docs"), (V, "bad-iban", "IBAN {badiban}"),
    (V, "version-ip-like", "upgraded to v{v4}"), (V, "doc-placeholder", "set password=<your password here>"),
    (V, "password-talk", "password is incorrect, can you reset it"), (V, "package", "npm i lodash@4.17.21"),
    (V, "semver-build", "build 10.0.19045.3803 crashed"), (V, "bad-card-grouped", "ref {badcardgrouped}"),
)


class Generator:
    def __init__(self, seed: int, part: str) -> None:
        self.r = random.Random(f"{seed}:{part}")
        self.part = part

    def pick(self, table: dict[str, tuple[str, object]]) -> str:
        return self.r.choice([name for name, (p, *_rest) in table.items() if p == self.part])

    def value(self, kind: str) -> tuple[str, str, str]:
        """(type, text, family) of one sensitive value of `kind`."""
        r, part = self.r, self.part
        if kind == "card":
            layout = self.pick(v.CARD_LAYOUTS)
            return "card", v.CARD_LAYOUTS[layout][1](v.raw_card(r, part), r), f"card:{layout}"
        if kind == "ssn":
            layout = self.pick(v.SSN_LAYOUTS)
            return "ssn", v.SSN_LAYOUTS[layout][1](v.raw_ssn(r)), f"ssn:{layout}"
        if kind == "iban":
            layout = self.pick(v.IBAN_LAYOUTS)
            number = v.raw_iban(r, part)
            return "iban", v.IBAN_LAYOUTS[layout][1](number), f"iban:{number[:2]}:{layout}"
        if kind == "email":
            return "email", v.email(r, part), "email"
        if kind == "phone":
            return "phone", v.phone(r, part), "phone"
        if kind == "ip":
            family = self.pick(v.IP_FAMILIES)
            return "ip", v.IP_FAMILIES[family][1](r), f"ip:{family}"
        if kind == "secret":
            family = self.pick({k: f for k, f in v.SECRET_FAMILIES.items() if k != "hex-key"})
            return "secret", v.SECRET_FAMILIES[family][1](r), f"secret:{family}"
        if kind == "hex-key":
            return "secret", v.SECRET_FAMILIES["hex-key"][1](r), "secret:hex-key"
        chosen = v.password(r) if part == T or r.random() < 0.5 else v.chosen_password(r)
        return "secret", chosen, "secret:password"

    def fillers(self) -> dict[str, Callable[[], str]]:
        r, d = self.r, lambda n: v.digits(self.r, n)
        return {
            "order": lambda: str(r.randint(10_000, 99_999_999)), "date": lambda: r.choice(
                [f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}", f"{r.randint(1, 28)}.{r.randint(1, 12)}.2024",
                 f"{r.randint(1, 12)}/{r.randint(1, 28)}/2024"]),
            "price": lambda: r.choice([f"${r.randint(1, 2000)}.{r.randint(0, 99):02d}",
                                       f"€{r.randint(1, 9)}.{r.randint(100, 999)},00"]),
            "n": lambda: str(r.randint(2, 400)), "small": lambda: str(r.randint(1, 9)),
            "version": lambda: f"{r.randint(1, 12)}.{r.randint(0, 20)}.{r.randint(0, 30)}",
            "time": lambda: f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}",
            "zip": lambda: r.choice([f"{r.randint(10000, 99999)}", f"{r.randint(10000, 99999)}-{r.randint(1000, 9999)}"]),
            "exp": lambda: f"{r.randint(1, 12):02d}/{r.randint(25, 31)}",
            "badcard": lambda: self.bad_card(False), "badcardgrouped": lambda: self.bad_card(True),
            "tracking": lambda: r.choice(["1Z" + d(3) + "AA" + d(10), d(12), d(22), "9400" + d(18)]),
            "epoch_ms": lambda: str(r.randint(1_600_000_000_000, 1_800_000_000_000)),
            "epoch_s": lambda: str(r.randint(1_600_000_000, 1_800_000_000)),
            "uuid": lambda: str(uuid.UUID(int=r.getrandbits(128), version=4)),
            "sha": lambda: f"{r.getrandbits(160):040x}", "longnum": lambda: d(r.randint(6, 12)),
            "year": lambda: str(r.randint(2019, 2025)), "ref": lambda: "-".join(d(4) for _ in range(4)),
            "serial": lambda: d(4) + " " + d(4) + " " + d(4),
            "phoneish": lambda: f"{r.randint(201, 989)}-{r.randint(200, 999)}-{d(4)}",
            "imei": lambda: self.imei(), "isbn": lambda: "978-" + d(1) + "-" + d(3) + "-" + d(5) + "-" + d(1),
            "word": lambda: r.choice(["api", "web", "billing", "infra", "shop"]),
            "badiban": lambda: self.bad_iban(), "v4": lambda: f"{r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 99)}.{r.randint(0, 999)}",
        }

    def bad_card(self, grouped: bool) -> str:
        number = v.raw_card(self.r, self.part)
        bad = number[:-1] + str((int(number[-1]) + 1) % 10)
        return " ".join(bad[i:i + 4] for i in range(0, len(bad), 4)) if grouped else bad

    def imei(self) -> str:
        body = self.r.choice(["35", "86", "01"]) + v.digits(self.r, 12)
        return body + v.luhn_digit(body)

    def bad_iban(self) -> str:
        number = v.raw_iban(self.r, self.part)
        return number[:2] + f"{(int(number[2:4]) + 1) % 100:02d}" + number[4:]


def generate(count: int, seed: int = 7, part: str = T, sensitive: float = 0.08,
             lookalike: float = 0.07) -> list[Line]:
    """`count` lines of one part (`"tuning"` or `"validation"`)."""
    if part not in (T, V):
        raise ValueError(f"part must be {T!r} or {V!r}")
    gen = Generator(seed, part)
    fill = gen.fillers()
    clean = [t for p, t in CLEAN if p == part]
    kinds = {kind: [t for p, t in templates if p == part] for kind, templates in SENSITIVE.items()}
    kinds = {kind: templates for kind, templates in kinds.items() if templates}
    looks = [(family, t) for p, family, t in LOOKALIKE if p == part]
    lines = []
    for _ in range(count):
        roll = gen.r.random()
        lead = gen.r.choice(clean) + ". " if gen.r.random() < 0.6 else ""
        if roll < sensitive:
            kind = gen.r.choice(sorted(kinds))
            template = gen.r.choice(kinds[kind])
            kind_name, value, family = gen.value(kind)
            lines.append(_render(lead + template, "sensitive", fill, (kind_name, value), family))
        elif roll < sensitive + lookalike:
            family, template = gen.r.choice(looks)
            lines.append(_render(lead + template, "lookalike", fill, None, family))
        else:
            template = gen.r.choice(clean)
            lines.append(_render(lead + template, "clean", fill, None, "clean"))
    return lines


def _render(template: str, kind: str, fill: dict[str, Callable[[], str]], value: Value | None,
            family: str) -> Line:
    out, spans = [], []
    position = 0
    for piece in template.replace("}", "{").split("{"):
        if piece == "v" and value is not None:
            text = value[1]
            spans.append((value[0], position, position + len(text)))
        elif piece in fill:
            text = fill[piece]()
        else:
            text = piece
        out.append(text)
        position += len(text)
    return Line("".join(out), kind, tuple(spans), family)
