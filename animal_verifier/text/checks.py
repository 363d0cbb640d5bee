"""What a sentence must look like before it reaches the pipeline."""

from __future__ import annotations

MAX_TEXT_CHARS = 10_000  # a sentence about a photo; longer input is refused, not silently cut


class TextError(ValueError):
    pass


def check_text(text: object, max_chars: int = MAX_TEXT_CHARS) -> str:
    if not isinstance(text, str):
        raise TextError("'text' must be a string")
    if not text.strip():
        raise TextError("the text is empty")
    if len(text) > max_chars:
        raise TextError(f"the text has {len(text):,} characters; the limit is {max_chars:,}")
    try:
        text.encode("utf8")
    except UnicodeEncodeError as err:  # a lone surrogate such as "\ud800" from a JSON escape
        raise TextError(f"the text is not valid Unicode (a lone surrogate at character {err.start + 1})") from None
    return text
