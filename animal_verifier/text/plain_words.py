"""English words with no animal sense, for the linker to drop an ANIMAL mention it cannot link.

The NER sometimes tags a plain noun where an animal could stand ("the hiker", "moss", "talons").
When the linker finds no lexicon term for such a mention and every word of it is an ordinary
English word that never names an animal, the mention is no animal; a word nobody knows ("a
glorp", a made-up animal) stays a mention, so a claim about it stays "unverifiable".

The list (``data/plain_words.txt``, one lower-case word a line) is built from WordNet 3.0 on the
training side (``spacy project run plain-words``); this module only reads it.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path

PLAIN_WORDS_FILE = "plain_words.txt"
_WORD = re.compile(r"[a-z][a-z-]*[a-z]|[a-z]")


def default_plain_words_path() -> Path:
    return Path(str(resources.files("animal_verifier") / "data" / PLAIN_WORDS_FILE))


@cache
def load_plain_words(path: str | None = None) -> frozenset[str]:
    """The shipped word list, or the one at ``path``; read once per process and file."""
    text = Path(path or default_plain_words_path()).read_text(encoding="utf8")
    return frozenset(line for line in text.splitlines() if line)


def _base_forms(word: str) -> list[str]:
    """The word and what it may be the plural of ("talons" -> "talon", "flies" -> "fly")."""
    forms = [word]
    if word.endswith("ies") and len(word) > 4:
        forms.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 3:
        forms.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss") and len(word) > 2:
        forms.append(word[:-1])
    return forms


def is_plain_text(text: str, words: frozenset[str]) -> bool:
    """Every word of ``text`` (case, possessive "'s" and punctuation aside) is in ``words``, a
    plural included; False for text without words."""
    tokens = [t for t in re.split(r"[^a-z-]+", text.lower().replace("'s", " ")) if t.strip("-")]
    if not tokens or not all(_WORD.fullmatch(t) for t in tokens):
        return False
    return all(any(f in words for f in _base_forms(t)) for t in tokens)
