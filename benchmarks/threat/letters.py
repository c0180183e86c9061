"""Build `filters/threat/letterdata.py`: the letter triples that the words of eight languages hold.

    .venv/bin/python benchmarks/threat/letters.py [--check]

Reads the spelling dictionaries Debian ships as word lists (`apt-get install wamerican wbritish
wngerman wpolish wfrench wspanish witalian wportuguese wdutch`: English, German, Polish, French,
Spanish, Italian, Portuguese, Dutch, the languages the host-name word reader knows and Dutch),
folds each word to ASCII letters the way a host name spells it (`ü` -> `u`, `ß` -> `ss`,
`ł` -> `l`), and keeps every three-letter sequence, with `^` and `$` for the word's edges, that at
least `MIN_WORDS` distinct words of one language hold. Acronyms (words in capitals) are left out.
The table is a fact about how these languages spell, not a copy of any list: it says which letter
triples occur, nothing about which words. `--check` exits 1 when the file on disk differs from what
the dictionaries give.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "filters" / "threat" / "letterdata.py"
DICTIONARIES = ("american-english", "british-english", "ngerman", "polish", "french", "spanish", "italian",
                "portuguese", "dutch")
LANGUAGES = {"american-english": "english", "british-english": "english"}
MIN_WORDS = 3  # a triple that only one or two words hold is the spelling of those words, not the language's
_FOLD = str.maketrans({"ß": "ss", "ł": "l", "ø": "o", "æ": "ae", "å": "a", "œ": "oe", "đ": "d"})


def fold(word: str) -> str:
    """`word` in lower case with its accents taken off, as a host name spells it."""
    decomposed = unicodedata.normalize("NFKD", word.lower().translate(_FOLD))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(path: Path) -> set[str]:
    found: set[str] = set()
    for line in path.read_text(encoding="utf-8", errors="ignore").splitlines():
        raw = line.strip().split("/", 1)[0]
        if len(raw) > 1 and raw.isupper():
            continue
        word = fold(raw)
        if len(word) >= 2 and word.isascii() and word.isalpha():
            found.add(word)
    return found


def triples_of(word: str) -> set[str]:
    """The letter triples of `word`, its edges written `^` and `$`."""
    edged = f"^{word}$"
    return {edged[i:i + 3] for i in range(len(edged) - 2)}


def triples(root: Path) -> set[str]:
    """The triples that `MIN_WORDS` words of one language hold."""
    by_language: dict[str, set[str]] = defaultdict(set)
    for name in DICTIONARIES:
        path = root / name
        if not path.is_file():
            sys.exit(f"missing {path}: install the word lists named in this script's docstring")
        by_language[LANGUAGES.get(name, name)] |= words(path)
    kept: set[str] = set()
    for vocabulary in by_language.values():
        counts: Counter[str] = Counter()
        for word in vocabulary:
            counts.update(triples_of(word))
        kept |= {triple for triple, n in counts.items() if n >= MIN_WORDS}
    return kept


def render(kept: set[str]) -> str:
    heads: dict[str, list[str]] = defaultdict(list)
    for triple in sorted(kept):
        heads[triple[:2]].append(triple[2])
    rows = [f"{head}:{''.join(tails)}" for head, tails in sorted(heads.items())]
    lines, line = [], ""
    for row in rows:
        if len(line) + len(row) + 1 > 100:
            lines.append(line)
            line = ""
        line = f"{line} {row}" if line else row
    lines.append(line)
    body = "\n".join(lines)
    return (f'"""Letter triples that words of English, German, Polish, French, Spanish, Italian, Portuguese and\n'
            f'Dutch hold ({len(kept)}; `^` and `$` are a word\'s edges). Each row is two letters and the letters\n'
            f'that follow them. Written by `benchmarks/threat/letters.py` from Debian\'s word lists; do not edit.\n'
            f'"""\n\nTRIPLES = """\n{body}\n"""\n')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--dictionaries", type=Path, default=Path("/usr/share/dict"))
    args = parser.parse_args()
    text = render(triples(args.dictionaries))
    if args.check:
        sys.exit(0 if TARGET.read_text(encoding="utf-8") == text else 1)
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
