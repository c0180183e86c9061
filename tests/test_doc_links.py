"""Relative links in README.md and docs/*.md point at files and headings that exist.

A reader who follows a link from the README should land somewhere: a renamed file or heading
breaks the link silently, so every relative target and `#anchor` is resolved here.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def _prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks: links and headings inside code are not Markdown."""
    lines: list[str] = []
    in_fence = False
    for line in text.splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            lines.append(line)
    return lines


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`|\*|_(?=\W)|(?<=\W)_", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    found: set[str] = set()
    for line in _prose_lines(path.read_text(encoding="utf-8")):
        match = HEADING.match(line)
        if match:
            slug = _slug(match.group(1))
            candidate, n = slug, 1
            while candidate in found:
                candidate, n = f"{slug}-{n}", n + 1
            found.add(candidate)
    return found


def _links(path: Path) -> list[str]:
    targets: list[str] = []
    for line in _prose_lines(path.read_text(encoding="utf-8")):
        # inline code may show link syntax without meaning a link
        targets.extend(LINK.findall(re.sub(r"`[^`]*`", "", line)))
    return targets


def _relative(target: str) -> bool:
    return not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE)


CASES = [(doc, target) for doc in DOCUMENTS for target in _links(doc) if _relative(target)]


def test_documents_have_links() -> None:
    assert CASES, "no relative links found: the link pattern no longer matches the documents"


@pytest.mark.parametrize(
    ("document", "target"), CASES, ids=[f"{d.relative_to(ROOT)}->{t}" for d, t in CASES]
)
def test_relative_link_resolves(document: Path, target: str) -> None:
    file_part, _, anchor = target.partition("#")
    destination = (document.parent / file_part).resolve() if file_part else document
    assert destination.exists(), f"{document.name}: {target} names a missing file"
    assert ROOT in destination.parents or destination == ROOT, f"{target} leaves the repository"
    if anchor and destination.suffix == ".md":
        assert anchor in _anchors(destination), f"{document.name}: {target} names a missing heading"
