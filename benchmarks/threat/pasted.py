"""Pasted code blocked and flagged: ordinary code people paste in chat, read from documentation on this machine.

    .venv/bin/python benchmarks/threat/pasted.py [--sink bot] [--per 400] [--show 0] [--part tuning|validation|both]
                                                  [--kind shell|python|sql|js|html]

The corpus's pasted code is narrow (a few templates); this set is built at each run from the examples of
documentation installed here, so nothing is shipped (the sources' licences differ) and nothing is copied into
rules. Sources (versions in `README.md`):

- shell: the command lines of the EXAMPLES sections of the English man pages (`/usr/share/man/man1`,
  `man8`: a line in a `.nf`/`.EX` block that starts with a prompt `$` or with the page's own name), and the
  `console`/`bash`/`sh` blocks of the Node.js API documentation (`/usr/share/doc/nodejs/api/*.md`, `$ ` lines);
- python: the doctest examples (`>>>` with its `...` lines) and whole top-level functions of up to 25 lines
  of the standard library of the Python the project runs on;
- sql: the statements of PostgreSQL's extension scripts (`/usr/share/postgresql/15/extension`) and of
  Synapse's schema files in the `.venv`;
- js: the `js`/`mjs`/`cjs` blocks of the Node.js API documentation (up to 40 lines each);
- html: the lines holding markup of the HTML manuals installed under `/usr/share/doc` and in the `.venv`;
- php: the Google App Engine SDK's PHP files (`/usr/lib/google-cloud-sdk`): each file's first 40 lines after its licence, and
  its one-line statements.

Every item is dealt to a part by the file it came from (a hash of its path): a man page, a module, a
document or a script lies wholly in one part, so a reading tuned on the tuning part meets other programs,
other authors and other manuals in validation. Prints blocked and flagged (blocked, modified, or an alert
suggested) per kind, source and part; `--show N` prints up to N blocked items of the tuning part per kind
(the validation part is measured, never shown).
"""

from __future__ import annotations

import argparse
import ast
import gzip
import hashlib
import random
import re
import sys
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT)]

from filters import Action  # noqa: E402
from filters.threat import ThreatFilter, ThreatOptions  # noqa: E402

TUNING, VALIDATION = "tuning", "validation"
MAN = (Path("/usr/share/man/man1"), Path("/usr/share/man/man8"))
NODE_DOCS = Path("/usr/share/doc/nodejs/api")
POSTGRES = Path("/usr/share/postgresql/15/extension")
DOCS = Path("/usr/share/doc")
SITE = Path(sysconfig.get_paths()["purelib"])
STDLIB = Path(sysconfig.get_paths()["stdlib"])
APPENGINE = Path("/usr/lib/google-cloud-sdk/platform/google_appengine")
KINDS = ("shell", "python", "sql", "js", "html", "php")


@dataclass(frozen=True, slots=True)
class Item:
    kind: str
    source: str  # the collection
    origin: str  # the file, which decides the part
    text: str

    @property
    def part(self) -> str:
        return TUNING if hashlib.sha1(_portable(self.origin).encode()).digest()[0] % 2 == 0 else VALIDATION


def _portable(origin: str) -> str:
    """A file's path as every checkout names it: the virtualenv's packages by their path inside it (the
    venv's own path differs from one checkout to the next, and the part must not)."""
    path = Path(origin)
    return path.relative_to(SITE).as_posix() if path.is_relative_to(SITE) else origin


_ROFF = [(r"\\f[BIRP]|\\f\(..|\\f\[[A-Z]*\]", ""), (r"\\&|\\:|\\c$", ""), (r"\\-", "-"), (r"\\\(aq|\\\[aq\]", "'"),
         (r"\\\(dq|\\\[dq\]", '"'), (r"\\\(ga|\\\[ga\]", "`"), (r"\\\(ti|\\\[ti\]|\\~", "~"),
         (r"\\\(ha|\\\[ha\]", "^"), (r"\\\(rs|\\\[rs\]|\\e", "\\"), (r"\\ ", " "), (r"\\\|", ""), (r"\\\^", "")]
_ROFF_RE = [(re.compile(pattern), repl) for pattern, repl in _ROFF]
_FONT_MACRO = re.compile(r"^\.(?:B|I|BI|IB|BR|RB|IR|RI)\s+")


def _unroff(line: str) -> str:
    line = _FONT_MACRO.sub("", line)
    if line.startswith("."):
        return ""
    for pattern, repl in _ROFF_RE:
        line = pattern.sub(lambda _match, repl=repl: repl, line)
    return line.strip()


def man_examples() -> Iterator[Item]:
    """Command lines of man pages' EXAMPLES sections."""
    for directory in MAN:
        for page in sorted(directory.glob("*.gz")):
            try:
                source = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
            except (OSError, EOFError):
                continue
            name = page.name.split(".", 1)[0]
            inside, block = False, False
            for raw in source.splitlines():
                if raw.startswith(".SH"):
                    inside = "EXAMPLE" in raw.upper()
                    continue
                if not inside:
                    continue
                if raw.startswith((".nf", ".EX")):
                    block = True
                    continue
                if raw.startswith((".fi", ".EE")):
                    block = False
                    continue
                line = _unroff(raw)
                if line.startswith("$ "):
                    line = line[2:].strip()
                elif not (block and line.split(" ", 1)[0] == name):
                    continue
                if 4 <= len(line) <= 300 and not line.endswith("\\"):
                    yield Item("shell", "man-pages", str(page), line)


def _fenced(path: Path, languages: tuple[str, ...]) -> Iterator[str]:
    """The fenced code blocks of a Markdown file written in one of `languages`."""
    block: list[str] | None = None
    for line in path.read_text("utf-8", "replace").splitlines():
        if line.startswith("```"):
            if block is None:
                block = [] if line[3:].strip().split(" ")[0] in languages else None
                if block is None:
                    block = ["\0skip"]
            else:
                if block[:1] != ["\0skip"]:
                    yield "\n".join(block)
                block = None
        elif block is not None:
            block.append(line)


def node_docs() -> Iterator[Item]:
    for doc in sorted(NODE_DOCS.glob("*.md")):
        for code in _fenced(doc, ("js", "mjs", "cjs", "javascript")):
            lines = code.strip("\n").splitlines()
            if lines and len(lines) <= 40:
                yield Item("js", "nodejs-docs", str(doc), "\n".join(lines))
        for code in _fenced(doc, ("console", "bash", "sh", "shell")):
            for line in code.splitlines():
                if line.startswith("$ ") and 4 <= len(line) <= 300:
                    yield Item("shell", "nodejs-docs", str(doc), line[2:].strip())


_DOCTEST = re.compile(r"^\s*>>> (.*)$")
_MORE = re.compile(r"^\s*\.\.\. (.*)$")


def python_stdlib() -> Iterator[Item]:
    for module in sorted(STDLIB.rglob("*.py")):
        relative = module.relative_to(STDLIB)
        if relative.parts[0] in ("test", "idlelib", "site-packages", "lib2to3") or "tests" in relative.parts:
            continue
        try:
            source = module.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        example: list[str] = []
        for line in [*source.splitlines(), ""]:
            more = _MORE.match(line) if example else None
            if more is not None:
                example.append(more[1])
                continue
            if example:
                text = "\n".join(example).strip()
                if 4 <= len(text) <= 600:
                    yield Item("python", "stdlib-doctest", str(relative), text)
                example = []
            start = _DOCTEST.match(line)
            if start is not None:
                example = [start[1]]
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
                if node.end_lineno - node.lineno < 25:
                    segment = ast.get_source_segment(source, node)
                    if segment:
                        yield Item("python", "stdlib-function", str(relative), segment)


def _statements(path: Path) -> Iterator[str]:
    statement: list[str] = []
    for line in path.read_text("utf-8", "replace").splitlines():
        if not statement and (not line.strip() or line.lstrip().startswith("--") or line.startswith("\\")):
            continue
        statement.append(line)
        if line.rstrip().endswith(";"):
            text = "\n".join(statement).strip()
            statement = []
            if 10 <= len(text) <= 1000 and "$$" not in text:
                yield text


def sql_scripts() -> Iterator[Item]:
    for script in sorted(POSTGRES.glob("*.sql")):
        for text in _statements(script):
            yield Item("sql", "postgresql-extensions", str(script), text)
    for script in sorted((SITE / "synapse" / "storage").rglob("*.sql")):
        for text in _statements(script):
            yield Item("sql", "synapse-schema", str(script), text)


_TAGGED = re.compile(r"<[a-zA-Z][^>]*>")


def html_pages() -> Iterator[Item]:
    pages = sorted(DOCS.rglob("*.html")) + sorted(SITE.rglob("*.html"))
    for page in pages:
        source = "docs" if page.is_relative_to(DOCS) else "venv"
        package = page.relative_to(DOCS if source == "docs" else SITE).parts[0]
        try:
            text = page.read_text("utf-8", "replace")
        except OSError:
            continue
        for line in text.splitlines():
            line = line.strip()
            if 10 <= len(line) <= 400 and _TAGGED.search(line) and "{{" not in line and "{%" not in line:
                yield Item("html", f"html-{source}:{package}", str(page), line)


_PHP_LINE = re.compile(r"^\s*(?:\$\w+|echo|return|if|foreach|require|include)\b.*[;{]\s*$")


def php_sdk() -> Iterator[Item]:
    """PHP from the App Engine SDK: a file's opening (up to 40 lines, from `<?php`) and its statements."""
    for script in sorted(APPENGINE.rglob("*.php")):
        try:
            lines = script.read_text("utf-8", "replace").splitlines()
        except OSError:
            continue
        source = "\n".join(lines)
        if source.startswith("<?php\n/*") and "*/" in source:  # the licence header: the code after it
            source = "<?php" + source[source.index("*/") + 2:]
        yield Item("php", "appengine-php", str(script), "\n".join(source.strip().splitlines()[:40]))
        for line in lines:
            if 20 <= len(line.strip()) <= 200 and _PHP_LINE.match(line) and "$" in line:
                yield Item("php", "appengine-php", str(script), line.strip())


def build(per: int, seed: int = 7) -> list[Item]:
    """Every kind's items, at most `per` per kind and part (a fixed sample), each distinct text once."""
    rng = random.Random(seed)
    out: list[Item] = []
    for kind, makers in (("shell", (man_examples, node_docs)), ("python", (python_stdlib,)),
                         ("sql", (sql_scripts,)), ("js", (node_docs,)), ("html", (html_pages,)),
                         ("php", (php_sdk,))):
        seen: set[str] = set()
        items = []
        for maker in makers:
            for item in maker():
                if item.kind == kind and item.text not in seen:
                    seen.add(item.text)
                    items.append(item)
        for part in (TUNING, VALIDATION):
            held = [item for item in items if item.part == part]
            out.extend(held if len(held) <= per else rng.sample(held, per))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--sink", default="bot", choices=("bot", "plain", "html"))
    parser.add_argument("--per", type=int, default=400, help="items per kind and part (a fixed sample)")
    parser.add_argument("--show", type=int, default=0, help="blocked tuning items to print per kind")
    parser.add_argument("--kind", choices=KINDS)
    parser.add_argument("--flagged", action="store_true", help="--show prints flagged items, not only blocked")
    args = parser.parse_args()
    items = [item for item in build(args.per) if args.kind in (None, item.kind)]
    threat = ThreatFilter(ThreatOptions(sink=args.sink))
    counts: dict[tuple[str, str, str], list[int]] = {}
    shown: dict[str, int] = {}
    for item in items:
        verdict = threat.decide(item.text)
        blocked = verdict.action is Action.BLOCK
        flagged = blocked or verdict.action is not Action.PASS or verdict.hints.alert
        for source in ("all", item.source.split(":", 1)[0]):
            row = counts.setdefault((item.kind, source, item.part), [0, 0, 0])
            row[0] += 1
            row[1] += blocked
            row[2] += flagged
        if (item.part == TUNING and (blocked or (args.flagged and flagged))
                and shown.get(item.kind, 0) < args.show):
            shown[item.kind] = shown.get(item.kind, 0) + 1
            print(f"  [{item.kind} {'BLOCK' if blocked else 'alert'}] {verdict.reason}: {item.text[:300]!r}")
    print(f"pasted code, sink={args.sink}: blocked (flagged), target <= 2.0% blocked")
    print(f"  {'kind':8} {'source':24} {'tuning':>22} {'validation':>22}")
    totals = {TUNING: [0, 0, 0], VALIDATION: [0, 0, 0]}
    for kind in KINDS:
        sources = sorted({source for (k, source, _) in counts if k == kind}, key=lambda s: (s != "all", s))
        for source in sources:
            cells = []
            for part in (TUNING, VALIDATION):
                n, b, f = counts.get((kind, source, part), [0, 0, 0])
                if source == "all":
                    for index, value in enumerate((n, b, f)):
                        totals[part][index] += value
                cells.append(f"{n:4} {b / max(n, 1):6.1%} ({f / max(n, 1):5.1%})")
            print(f"  {kind:8} {source:24} {cells[0]:>22} {cells[1]:>22}")
    cells = [f"{n:4} {b / max(n, 1):6.1%} ({f / max(n, 1):5.1%})" for n, b, f in totals.values()]
    print(f"  {'all':8} {'':24} {cells[0]:>22} {cells[1]:>22}")


if __name__ == "__main__":
    main()
