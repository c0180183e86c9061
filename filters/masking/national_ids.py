"""National identifiers: US social security numbers (SSA rules for valid numbers), and other countries' identity
numbers after a word that names one.

Dashed or spaced 3-2-4 numbers, and nine digits spaced one by one, are masked on
their own; nine bare digits only with a word such as "SSN" or "social" nearby,
because order and account numbers are often nine digits.

Well-known sample numbers (078-05-1120, printed on a wallet insert in 1938, and the
numbers used in advertising) are left alone by default: they appear in test data and
documentation, never on a person. `mask_samples=True` masks them too.

Other countries' identity numbers (a DNI, a CPF, a personnummer, a PESEL...) have as many layouts and check digits
as countries; what they share is the word before them: "identity number", "documento de identidad", "kimlik",
"身份证". After such a word (of some 25 languages), a number of 6 to 20 characters, mostly digits, is masked as a
`national_id`; without one, no guess is made.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from filters._patterns import byte_cased, each_spans, text_pattern
from filters._patterns import found as occurs
from filters.masking._context import LONE, before, enclosing_token, in_url, is_identifier, wordless
from filters.masking._model import Detection
from filters.masking._numbers import Run, in_date, runs
from filters.masking._quota import charge
from filters.masking.id_schemes import scheme_numbers

_SSN_WORDS = text_pattern(
    r"ssn|social|soc\.? ?sec|\bss ?(?:no|nr|num|#)|s\.s\.|tax ?id|\bitin\b|\btin\b|taxpayer|"
    r"seguro social|sécurité sociale|securite sociale|sozialversicherung|seguridade social|segurança social|"
    r"previdenza sociale|sociale zekerheid|socialförsäkring|an sinh xã hội|jaminan sosial|sosyal güvenlik|"
    r"ubezpieczeni[ae] społeczn|κοινωνικ[ήη]ς ασφάλισ|ביטוח לאומי|социальн[а-я]* страхован|"
    r"сошиал секьюрити|社会保障|社會安全|社会保険|사회보장|सामाजिक सुरक्षा")
# Numbers printed on sample cards in advertising; never issued, common in test data.
SAMPLES = frozenset({"078051120", "219099999", "457555462"})
# The usual separators of a 3-2-4 layout; any other mark (a punctuation mark or a symbol: ",", ":", "|",
# "·"...), one character throughout, is that layout still when an SSN word names it (see `_numbers.USUAL`).
_SEPARATORS = frozenset({"-", " ", "\t", "\u2010", "\u2011", "\u2013", "\u2014", "\u2212", "."})
_BREAKS = frozenset({"\n", "\r\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"})
_WINDOW = 40
_COUNTING = "0123456789 9876543210"  # "1 2 3 4 5 6 7 8 9" is counting, not a number


def valid_ssn(digits: str, *, samples: bool = False) -> bool:
    """Area not 000, 666 or 900-999; group not 00; serial not 0000; `samples`: accept the sample numbers."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    if digits in SAMPLES and not samples:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def _spaced(separator: str) -> str:
    """`separator` without the spaces around it (a space alone stays one)."""
    return separator.strip(" ") or " "


# Words that name a person's identity number or card (generic words of each language, not the names of one
# country's scheme), then up to 16 characters that are no digit (": ", " is ", "是", " numaram "), then the number.
_ID_WORDS = (r"national id|\bid (?:number|no\b|card)|identity (?:number|card|no\b|document)|identification number|"
             r"personal (?:id|number|identity|code)|citizen (?:id|number)|"
             r"documento de identidad|n[úu]mero de identidad|c[ée]dula|carteira de identidade|"
             r"n[úu]mero de identifica[çc][ãa]o|num[ée]ro d.identit[ée]|carte d.identit[ée]|num[ée]ro national|"
             r"ausweisnummer|personalausweis|identifikationsnummer|personennummer|carta d.identit[àa]|"
             r"numero di identit[àa]|identiteitsnummer|identiteitskaart|personnummer|personnumer|"
             r"henkil[öo]tunnus|numer dowodu|numer identyfikacyjny|kimlik|osobn[íi] [čc][íi]slo|"
             r"удостоверени[ея] личности|личный номер|идентификационный номер|паспорт|"
             r"身份证|身份證|個人番号|マイナンバー|주민등록번호|पहचान संख्या|पहचान पत्र|رقم الهوية|بطاقة الهوية|"
             r"nomor induk|c[ăa]n c[ưu][ớo]c|kad pengenalan")
_IDENTITY = text_pattern(r"(?i:" + _ID_WORDS + r")[^0-9\n]{0,16}?([0-9][0-9A-Za-z.\-/ ]{5,30})")
# A cheap first look for `_IDENTITY` (never stricter), in the lower-cased text: a part of each of its words. "id" only
# with the word after it or "national", "personal", "citizen" before it, since alone it stands inside most chat ("did",
# "provide", "valid") and would send most texts with a number to `_IDENTITY`.
_ID_STEMS = ("id number", "id no", "id card", "identi", "identy", "идент", "personal", "citizen", "cédula", "cedula",
             "ausweis", "personn", "personen", "henkil", "dowodu", "kimlik", "osobn", "личн", "паспорт", "national",
             "身份", "個人番号", "マイナンバー", "주민등록", "पहचान", "الهوية", "induk", "cước", "cuớc", "cươc", "cưoc", "cuoc",
             "pengenalan")
# The same as the engine's gate reads it, on the folded text's UTF-8 bytes: ASCII letters in either case, the others as
# written in lower case, capitalised or in capitals.
ID_GATE = "(?i:" + "|".join(re.escape(stem) for stem in _ID_STEMS if stem.isascii()).replace("\\ ", " ") + ")|" + "|".join(
    re.escape(form) for stem in _ID_STEMS if not stem.isascii() for form in byte_cased(stem))


def _identity_numbers(text: str) -> Iterator[Detection]:
    """Identity numbers after a word that names one (`_IDENTITY`): the groups of the number that hold a digit (a
    group of words after it is no part of it), 6 digits or more, at most 20 characters, most of them digits."""
    for groups in each_spans(_IDENTITY, text):
        start, end = groups[1]
        charge(start)
        kept = []
        for group in text[start:end].split(" "):
            if not group or not any(c.isdigit() for c in group):
                break
            kept.append(group)
        value = " ".join(kept).rstrip(".-/")
        alnum = [c for c in value if c.isalnum()]
        digits = sum(c.isdigit() for c in alnum)
        if digits < 6 or len(alnum) > 20 or digits * 10 < len(alnum) * 7:
            continue
        stop = start + len(value)
        if stop < len(text) and text[stop].isalnum():
            continue  # glued to a word
        yield Detection("national_id", start, stop, "identity_number", 0.9, value)


class SSNDetector:
    type = "ssn"

    def __init__(self, mask_samples: bool = False) -> None:
        self._samples = mask_samples

    def detect(self, text: str) -> Iterator[Detection]:
        ssns = [d for run in runs(text, 9) if len(run.digits) >= 9 for d in self._in_run(text, run)]
        yield from ssns
        found = ssns + [d for d in scheme_numbers(text) if not d.overlaps(ssns)]
        yield from found[len(ssns):]
        lower = text.lower()
        if any(stem in lower for stem in _ID_STEMS):  # an SSN is reported as one, whatever word stands before it
            yield from (d for d in _identity_numbers(text) if not d.overlaps(found))

    def _in_run(self, text: str, run: Run) -> Iterator[Detection]:
        sizes = run.sizes
        count = len(sizes)
        i = 0
        while i < count:
            if sizes[i] == 1:  # a stretch of single digits is one number: exactly nine, or none
                j = run.stretch_end(i)
                if j - i != 9:
                    i = j
                    continue
            lone = i == 0 and run.lead == LONE  # glued to one letter alone: judged as if apart from it
            led = i == 0 and bool(run.lead) and not lone  # glued to the word before it: an SSN word, or nothing
            found = None if led and run.lead != "ssn" else self._at(text, run, i)
            if found is None:
                i += 1
                continue
            charge(run.starts[i])  # a layout to validate
            last, score = found
            digits = run.digits_of(i, last)
            start, end = run.starts[i], run.end_of(last)
            trailed = run.trail and last == count - 1  # glued to a word after it
            token = enclosing_token(text, start, end, head=not (led or lone), tail=not trailed)
            if valid_ssn(digits, samples=self._samples) and not is_identifier(token):
                context = before(text, start, _WINDOW)
                worded = led or (not wordless(context) and occurs(_SSN_WORDS, context))
                if worded:
                    score = 0.99
                # "123-45-6789xy" alone is some part number, and a number in a link no SSN, unless an SSN
                # word names it ("?ssn=123-45-6789").
                # "314 46 2016" of "314 46 2016-01-07" runs into a date: a count, an id and a date side by side.
                if worded or not (trailed or in_url(token) or in_date(text, start, end)):
                    yield Detection("ssn", start, end, "us_ssn", score, digits)
            i = last + 1

    @staticmethod
    def _at(text: str, run: Run, i: int) -> tuple[int, float] | None:
        """The last group and score of an SSN layout starting at group `i`, or None.

        A layout must not be the middle of a longer sequence with the same separator
        ("12-123-45-6789" is some other number), but may touch one with another
        ("SSN 123-45-6789\\n2 forms")."""
        sizes = run.sizes
        if sizes[i] == 3 and i + 2 < len(sizes) and sizes[i + 1] == 2 and sizes[i + 2] == 4:
            last, score = i + 2, 0.9
        elif sizes[i] == 1:
            last = i + 8
            if last >= len(sizes) or any(size != 1 for size in sizes[i:last + 1]):
                return None
            if run.digits_of(i, last) in _COUNTING and not occurs(_SSN_WORDS, before(text, run.starts[i], _WINDOW)):
                return None
            score = 0.9
        elif sizes[i] == 9 and occurs(_SSN_WORDS, before(text, run.starts[i], _WINDOW)):
            return i, 0.8
        else:
            return None
        # What stands between groups k and k + 1 (`Run.separator`), read by slicing: this runs per candidate.
        # A line break may stand for any one of them: a number wrapped where the line ended ("123-45\n6789").
        # Spaces around a separator are the same layout ("123 - 45 - 6789").
        starts = run.starts
        inside = [_spaced(text[starts[k] + sizes[k]:starts[k + 1]]) for k in range(i, last)]
        kept = [sep for sep in inside if sep.strip(" ") not in _BREAKS]
        if len(kept) < len(inside) - 1 and not occurs(_SSN_WORDS, before(text, starts[i], _WINDOW)):
            return None  # a line break between every group: lines of numbers, unless an SSN word names them
        separator = kept[0] if kept else inside[0]
        odd = bool(kept) and separator not in _SEPARATORS
        if any(sep != separator for sep in kept) or (odd and (len(separator) != 1 or separator.isalnum())):
            return None  # more than one separator inside
        if odd and not occurs(_SSN_WORDS, before(text, starts[i], _WINDOW)):
            return None  # "123,45,6789" and "123:45:6789" are lists and times unless an SSN word names them
        if i > 0 and _spaced(text[starts[i - 1] + sizes[i - 1]:starts[i]]) == separator:
            return None
        if last + 1 < len(sizes) and _spaced(text[starts[last] + sizes[last]:starts[last + 1]]) == separator:
            return None
        return last, score
