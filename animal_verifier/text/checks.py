"""What a sentence must look like before it reaches the pipeline."""

from __future__ import annotations

import unicodedata

MAX_TEXT_CHARS = 10_000  # a sentence about a photo; longer input is refused, not silently cut

# Unicode categories that print nothing: controls, format characters (zero-width space and joiners, bidi
# marks, the byte-order mark), separators; and the letters and symbols that render blank.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}
_BLANK_CHARS = set("\u115f\u1160\u3164\uffa0\u2800")  # Hangul fillers, braille blank


class TextError(ValueError):
    pass


def is_invisible(text: str) -> bool:
    """True when no character of ``text`` would show: spaces, controls, zero-width and format characters."""
    return all(ch.isspace() or ch in _BLANK_CHARS or unicodedata.category(ch) in _INVISIBLE_CATEGORIES
               for ch in text)  # fmt: skip


def check_text(text: object, max_chars: int = MAX_TEXT_CHARS) -> str:
    if not isinstance(text, str):
        raise TextError("'text' must be a string")
    if len(text) > max_chars:
        raise TextError(f"the text has {len(text):,} characters; the limit is {max_chars:,}")
    if not text.strip():
        raise TextError("the text is empty")
    if is_invisible(text):
        raise TextError("the text is empty (only invisible characters: zero-width, control or format)")
    try:
        text.encode("utf8")
    except UnicodeEncodeError as err:  # a lone surrogate such as "\ud800" from a JSON escape
        raise TextError(f"the text is not valid Unicode (a lone surrogate at character {err.start + 1})") from None
    return text
