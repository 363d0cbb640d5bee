"""WordNet 3.0's ``data.*`` files: a licence header (lines that start with two spaces), then one synset
a line: offset, lexicographer file, part of speech, word count (hex), the words, pointers, ``|`` gloss."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


def synset_lines(path: str | Path) -> Iterator[tuple[list[str], str]]:
    """(the fields before ``|``, the gloss after it) of every synset line, in file order."""
    with open(path, encoding="utf8", errors="replace") as f:
        for line in f:
            if line.startswith("  "):  # licence header
                continue
            head, _, gloss = line.partition("|")
            yield head.split(), gloss


def synset_words(fields: list[str]) -> list[str]:
    """The synset's words as written in the file ("domestic_dog", "ape(a)")."""
    return fields[4 : 4 + 2 * int(fields[3], 16) : 2]
