"""Phishing-style and ordinary host names composed here from parts, and the share of each flagged.

    .venv/bin/python benchmarks/threat/hostnames.py [--count 1000] [--seed 7] [--show 10]

A check of the host-name reading on names no corpus holds. The phishing generators follow
how abuse reports describe the names of phishing and scam sites: service or account words
joined with sign-in, security, payment, delivery, prize or investment words, by hyphens or run
together, several in one name, digits glued on, a `my`/`e`/`get` in front, under `.com`, `.eu`,
a country code or one of the cheap new TLDs; one generator glues a single such word to an
invented stem (`nexora-invest`), the hardest kind. The ordinary generators compose the names of
organisations that are no phishing: a place, person or nature word with a trade (`oakwood-dental`,
`riverside-it-support`), community and project names built from everyday nouns
(`home-assistant`-style), invented brand names and initials, each under the same suffixes. The
throwaway generators name domains the way registration scripts do: letters drawn at random, with
digits or a hyphen, or pronounceable syllables (drawn like the invented brands, on purpose). No name comes from a corpus or a feed.
Prints the share flagged (blocked or an alert suggested, as the threat benchmark counts) per
generator, bare and with `https://`. Most generators draw from the words the reader knows, so they
measure how names are read (segmentation, kinds, digits, shape), not how many words it knows: that is
what "invented stem" (one known word beside an unknown stem) and "held-out words" (words of the trade
that its vocabulary does not hold) show.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2])]

from filters import Action  # noqa: E402
from filters.threat import ThreatFilter, ThreatOptions  # noqa: E402

Maker = Callable[[random.Random], str]

# Words of the trade, by what they ask of the reader. Generators draw across groups, so no name is
# a fixed phrase.
_ACCESS = "login signin logon account verify verification validate confirm unlock restore recover recovery " \
          "reactivate secure security update auth authenticate password reset identity".split()
_SERVICE = "support help helpdesk service services center centre care team customer client member portal " \
           "access online official notice alert alerts info webmail assist".split()
_MONEY = "pay payment payments billing invoice refund bank banking card cards transfer deposit withdraw " \
         "cashback loan credit debit checkout fee toll tax fine".split()
_DELIVERY = "parcel package delivery redelivery shipment shipping tracking track courier postal customs " \
            "reschedule logistics dispatch".split()
_PRIZE = "prize reward rewards gift gifts giftcard bonus giveaway claim airdrop promo voucher coupon winner " \
         "lucky lottery jackpot".split()
_INVEST = "crypto coin coins token tokens bitcoin btc usdt nft defi dapp staking invest investment capital " \
          "profit profits trade trading broker forex finance fund funds wealth income earn yield exchange".split()
_ACTION = "verify confirm claim redeem unlock restore recover update validate reactivate resolve rectify " \
          "collect receive secure check review".split()
# The same in Polish, German, Spanish: account, verify, pay, parcel, prize, invest, order, secure.
_OTHER_LANGUAGES = "konto weryfikacja platnosc oplata paczka przesylka odbior dostawa nagroda zysk inwestycje " \
                   "zamowienie bezpieczna anmelden sicherheit zahlung paket gewinnspiel cuenta verificar pago " \
                   "envio premio pedido seguridad".split()
# Words of the same trade that the reader's vocabulary (`linkdata.NAME_WORDS`) does not hold: a name
# made of these is read by its shape alone (hyphens, digits, the TLD).
_HELD_OUT = "authorise reconfirm revalidate reverify relogin passkey vault cashout payout topup " \
            "recharge refill reship pickup dropoff winnings mining presale whitelist".split()
_FRONT = "my e i get go the online web secure".split()
_BACK = "online app hub pro now 24 365 24h center portal desk".split()
_STEMS = "nexora vantix quorvia zentro lumexa bravix orvanta kelvra tradia finexo crypvia solvant " \
         "aurevo mirexa velqor dravex".split()
_PHISH_TLDS = ["com"] * 8 + ["eu"] * 4 + ["net"] * 2 + "org co info online site shop top xyz live app pl de " \
              "uk fr io pro club vip icu sbs cfd".split()

_PLACES = "oakwood riverside northgate maplewood cedar harbor summit bluebird greenfield lakeside hillcrest " \
          "westbrook stonebridge fairview elmwood brighton kingsley ashford milton clearwater redhill " \
          "smith jones taylor brown wilson evans walker wright baker miller".split()
_TRADES = "dental bakery plumbing law clinic school bookshop museum garden books coffee studio design records " \
          "press labs software systems consulting accounting insurance realty motors auto repair farm hotel " \
          "travel tours foods pharmacy vet church football theatre dentistry roofing electric builders " \
          "catering florist optics fitness yoga music gallery kitchen".split()
# Trades that use a word of the first groups: the ordinary names closest to the phishing ones.
_SERVICE_TRADES = "it-support computer-help home-care pet-care care-services cleaning-services tax-advice " \
                  "credit-union community-bank legal-aid customer-care car-finance travel-insurance " \
                  "payroll-services print-center youth-center tech-support web-services".split()
_NOUNS = "home open stack data read cloud data hacker river light star code book fire bird stone paper " \
         "tree sun moon word path note graph pixel wave field block frame mesh lamp rocket spring".split()
_NOUNS2 = "assistant street map docs news dog overflow keeper garden forge works house box base craft " \
          "flow lab kit shelf builder smith notes hub shop table press".split()
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
_INITIALS = "abcdefghijklmnoprstuvw"  # letters that start organisations' words (`q`, `x`, `y`, `z` rarely do)
_ONSETS = "b c d f g h j k l m n p r s t v w z br cr dr fr gr pr tr bl cl fl gl pl sl st sp sk ch sh th".split()
_VOWELS = "a e i o u a e i o ai ea io ou".split()
_CODAS = ["", "", "", "n", "r", "s", "l", "x", "m", "t"]
_ORDINARY_TLDS = ["com"] * 8 + ["org"] * 3 + ["net"] * 2 + "co.uk de pl eu io dev nl fr ch se edu ca com.au " \
                 "info shop site".split()


def _join(rng: random.Random, words: list[str]) -> str:
    sep = rng.choice(("-", "", "", "-"))
    return sep.join(words)


def _digits(rng: random.Random) -> str:
    return rng.choice(("", "", "", str(rng.randint(1, 99)), str(rng.randint(100, 9999)), "24", "365"))


def _phish_words(rng: random.Random) -> str:
    """Two to four words of the trade from two groups or more, maybe a front or back word and digits."""
    groups = [_ACCESS, _SERVICE, _MONEY, _DELIVERY, _PRIZE, _INVEST, _ACTION]
    picked = rng.sample(groups, rng.randint(2, 3))
    words = [rng.choice(group) for group in picked]
    if rng.random() < 0.3:
        words.insert(0, rng.choice(_FRONT))
    if rng.random() < 0.3:
        words.append(rng.choice(_BACK))
    words = list(dict.fromkeys(words))
    return _join(rng, words) + _digits(rng) + "." + rng.choice(_PHISH_TLDS)


def _phish_account(rng: random.Random) -> str:
    """An account action on a service word: `verify-member-portal`, `secureloginhelp24`."""
    words = [rng.choice(_ACTION), rng.choice(_ACCESS + _MONEY), rng.choice(_SERVICE + _BACK)]
    rng.shuffle(words)
    return _join(rng, list(dict.fromkeys(words))) + _digits(rng) + "." + rng.choice(_PHISH_TLDS)


def _phish_stem(rng: random.Random) -> str:
    """An invented stem with one or two words of the trade: `nexora-invest`, `getvantixprofit`."""
    words = [rng.choice(_STEMS), rng.choice(_INVEST + _PRIZE + _MONEY + _ACCESS)]
    if rng.random() < 0.4:
        words.append(rng.choice(_SERVICE + _BACK))
    if rng.random() < 0.3:
        words.insert(0, rng.choice(_FRONT))
    return _join(rng, words) + _digits(rng) + "." + rng.choice(_PHISH_TLDS)


def _phish_other_language(rng: random.Random) -> str:
    """Two or three words of the trade in another language, maybe a country code: `paczka-oplata-pl`."""
    words = rng.sample(_OTHER_LANGUAGES, rng.randint(2, 3))
    if rng.random() < 0.3:
        words.append(rng.choice(("pl", "de", "es", "online", "24")))
    return _join(rng, words) + _digits(rng) + "." + rng.choice(_PHISH_TLDS)


def _ordinary_shop(rng: random.Random) -> str:
    """A shop named for what it sells and how: `oakwood-outlet`, `bakerdeals`, `cedar-books-sale`."""
    words = [rng.choice(_PLACES), rng.choice(("outlet", "deals", "sale", "offers", "discount", "wholesale", "store",
                                              "market", "shop", rng.choice(_TRADES)))]
    if rng.random() < 0.3:
        words.insert(1, rng.choice(_TRADES))
    return _join(rng, list(dict.fromkeys(words))) + "." + rng.choice(_ORDINARY_TLDS)


def _phish_held_out(rng: random.Random) -> str:
    """Two or three words the reader does not know, maybe with one it knows: `passkey-renew24`."""
    words = rng.sample(_HELD_OUT, rng.randint(2, 3))
    if rng.random() < 0.3:
        words.insert(rng.randint(0, len(words)), rng.choice(_ACCESS + _SERVICE + _MONEY))
    return _join(rng, words) + _digits(rng) + "." + rng.choice(_PHISH_TLDS)


def _letters(rng: random.Random, low: int, high: int) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(low, high)))


def _syllables(rng: random.Random) -> str:
    """A pronounceable invented word of two to four syllables: `lumorati`, `bravexo`."""
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(rng.randint(2, 4)))


def _throwaway_letters(rng: random.Random) -> str:
    """Letters drawn at random, as registration scripts name throwaway domains: `kqzvtmer`."""
    return _letters(rng, 5, 12) + "." + rng.choice(_PHISH_TLDS)


def _throwaway_digits(rng: random.Random) -> str:
    """Random letters with digits after them or a hyphen between two random runs: `hxwqo27`, `trvk-pqlm`."""
    if rng.random() < 0.5:
        return _letters(rng, 5, 9) + str(rng.randint(1, 9999)) + "." + rng.choice(_PHISH_TLDS)
    return _letters(rng, 4, 7) + "-" + _letters(rng, 4, 7) + "." + rng.choice(_PHISH_TLDS)


def _throwaway_pronounceable(rng: random.Random) -> str:
    """An invented pronounceable word, the way some kits name domains: the shape no spelling check can
    tell from an invented brand (`ordinary: invented brands` draws the same words)."""
    return _syllables(rng) + rng.choice(("", "", "", str(rng.randint(1, 99)))) + "." + rng.choice(_PHISH_TLDS)


def _ordinary_invented(rng: random.Random) -> str:
    """An invented brand name, alone or with a trade: `lumorati.com`, `bravexo-studio.de`."""
    words = [_syllables(rng)] + ([rng.choice(_TRADES)] if rng.random() < 0.3 else [])
    return _join(rng, words) + "." + rng.choice(_ORDINARY_TLDS)


def _ordinary_acronym(rng: random.Random) -> str:
    """Initials, alone or with a trade or place: `kpmt.org`, `rbcs-law.com`, `hmtc-oakwood.co.uk`."""
    initials = "".join(rng.choice(_INITIALS) for _ in range(rng.randint(3, 5)))
    words = [initials] + ([rng.choice(_TRADES + _PLACES)] if rng.random() < 0.5 else [])
    return _join(rng, words) + "." + rng.choice(_ORDINARY_TLDS)


def _ordinary_trade(rng: random.Random) -> str:
    words = [rng.choice(_PLACES), rng.choice(_TRADES)]
    if rng.random() < 0.2:
        words.append(rng.choice(("group", "and-sons", "co", "ltd", "uk", "online")))
    return _join(rng, words) + "." + rng.choice(_ORDINARY_TLDS)


def _ordinary_service(rng: random.Random) -> str:
    trade = rng.choice(_SERVICE_TRADES)
    words = [rng.choice(_PLACES), trade if rng.random() < 0.5 else trade.replace("-", "")]
    return _join(rng, words) + "." + rng.choice(_ORDINARY_TLDS)


def _ordinary_project(rng: random.Random) -> str:
    words = [rng.choice(_NOUNS), rng.choice(_NOUNS2)]
    return _join(rng, list(dict.fromkeys(words))) + "." + rng.choice(_ORDINARY_TLDS)


GENERATORS: dict[str, tuple[str, Maker]] = {
    "phishing: words of the trade": ("phishing", _phish_words),
    "phishing: account action": ("phishing", _phish_account),
    "phishing: invented stem": ("phishing", _phish_stem),
    "phishing: other languages": ("phishing", _phish_other_language),
    "phishing: held-out words": ("phishing", _phish_held_out),
    "throwaway: random letters": ("phishing", _throwaway_letters),
    "throwaway: letters and digits": ("phishing", _throwaway_digits),
    "throwaway: pronounceable": ("phishing", _throwaway_pronounceable),
    "ordinary: place and trade": ("ordinary", _ordinary_trade),
    "ordinary: service trades": ("ordinary", _ordinary_service),
    "ordinary: project names": ("ordinary", _ordinary_project),
    "ordinary: shops": ("ordinary", _ordinary_shop),
    "ordinary: invented brands": ("ordinary", _ordinary_invented),
    "ordinary: initials": ("ordinary", _ordinary_acronym),
}


def names(make: Maker, count: int, seed: int) -> list[str]:
    """`count` draws of one generator (distinct names or links, sorted)."""
    rng = random.Random(seed)
    return sorted({make(rng) for _ in range(count)})


def arguments(description: str) -> argparse.Namespace:
    """The generator benchmarks' command line: draws per generator, seed, misses and false alarms shown."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", type=int, default=0, help="print this many misses or false alarms per generator")
    return parser.parse_args()


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    threat = ThreatFilter(ThreatOptions(sink="bot"))
    print(f"  {'generator':32} {'names':>6} {'flagged':>8} {'with https://':>14}")
    for name, (kind, make) in GENERATORS.items():
        hosts = names(make, args.count, args.seed)
        shares, odd = [], []
        for texts in (hosts, [f"https://{host}/" for host in hosts]):
            flagged = [threat.decide(t).action is not Action.PASS or threat.decide(t).hints.alert for t in texts]
            shares.append(sum(flagged) / len(texts))
            odd = odd or [t for t, f in zip(texts, flagged, strict=True) if f != (kind == "phishing")]
        print(f"  {name:32} {len(hosts):6d} {shares[0]:8.1%} {shares[1]:14.1%}")
        for host in odd[:args.show]:
            print(f"      {'missed' if kind == 'phishing' else 'flagged'}: {host}")


if __name__ == "__main__":
    main()
