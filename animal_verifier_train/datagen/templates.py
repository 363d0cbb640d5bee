"""Sentence templates and fillers for the generated NER corpus, read from the YAML files in
``templates/`` and checked on load, so a mistake in the data stops generation with the file and
the template named instead of surfacing as an odd sentence (or a crash) halfway through a run.

A template is a sentence about a photo with slots. Animal slots become an entity each:

    {a}    singular with an indefinite article and maybe adjectives   "a fluffy white kitten"
    {the}  singular with a definite or possessive determiner          "my old dog"
    {n}    singular noun, maybe one adjective, no determiner           "no {n}" -> "no cow"
    {pl}   plural with a count or a collective                        "two puppies", "a herd of cows"
    {npl}  bare plural, maybe one adjective                           "any {npl}" -> "any geese"

A digit after the slot ({a2}, {npl3}) means a different animal from the unnumbered one. Other
``{fillers}`` are plain words from ``fillers.yaml``; ``{person_name}``, ``{place_name}`` and
``{byline}`` (an attribution, "-- Mark Twain", after the final punctuation) come from WordNet's
instances (see :mod:`.proper_names`); ``{animal_emoji}`` is the emoji of the template's first
animal ("🐄" next to "cow"), or a plain one when that animal has none or a thing takes its place.
Texts are written in sentence case without final punctuation (a final "?" marks a question); the
renderer adds case, punctuation, emoji and typos.

Files (the package ships them):

* ``animal_templates.yaml``: the kinds that name animals, ``kind: [template, ...]``;
* ``hard_templates.yaml``: the kinds without animals (hard negatives);
* ``fillers.yaml``: ``name: [words]`` for the plain slots;
* ``words.yaml``: adjectives, determiners, counts, collectives, the things that take an
  animal's place in a frame, and emoji (plain ones, and animal ones by class).

A template is ``{id: KIND.NN, text: "...", animal_only, as_written, caption, heldout}`` (flags
optional). ``caption``: a photo caption as people type them (a word, a title): mostly no final
punctuation, often Title Case or ALL CAPS, never an attribution.
The id is written in the data, never derived from the position in a list, because generated
records and the held-out test split refer to it: adding, moving or deleting a template leaves
every other id, and so every other template's hold-out, as it was.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import srsly

from animal_verifier_train.datagen.validate import DatagenError

TEMPLATE_DIR = Path(__file__).with_name("templates")
#: Kinds of templates that name animals, in the order generation draws from them.
ANIMAL_TEMPLATE_KINDS = ("claim", "hedge", "question", "negation", "contrast", "multi", "casual", "mixed", "saying")
#: Kinds of templates without animals.
HARD_TEMPLATE_KINDS = ("lookalike", "idiom", "proper", "plain")
#: Each template file and the kinds it holds (all of them, none other).
TEMPLATE_FILES: dict[str, tuple[str, ...]] = {
    "animal_templates.yaml": ANIMAL_TEMPLATE_KINDS,
    "hard_templates.yaml": HARD_TEMPLATE_KINDS,
}
FILLERS_FILE = "fillers.yaml"
WORDS_FILE = "words.yaml"

#: A slot: an animal slot (groups 1-2) or a plain filler (group 3).
SLOT = re.compile(r"\{(a|the|n|pl|npl)(\d?)\}|\{([a-z_]+)\}")
#: Filler slots filled from WordNet's instances, not from fillers.yaml.
PROPER_SLOTS = frozenset({"person_name", "place_name", "byline"})
#: The emoji of the template's first animal (words.yaml ``animal_emoji``), filled by the renderer.
ANIMAL_EMOJI_SLOT = "animal_emoji"
#: Filler slots not filled from fillers.yaml.
SPECIAL_SLOTS = PROPER_SLOTS | {ANIMAL_EMOJI_SLOT}
TEMPLATE_KEYS = frozenset({"id", "text", "animal_only", "as_written", "caption", "heldout"})
#: Flags that only make sense on a template that names animals.
ANIMAL_FLAGS = frozenset({"animal_only", "as_written"})


class TemplateError(DatagenError):
    """A template or word file that can't be used; the message names the file and the template."""


@dataclass(frozen=True)
class Template:
    id: str
    kind: str  # one of ANIMAL_TEMPLATE_KINDS or HARD_TEMPLATE_KINDS
    pattern: str  # without the final "?" of a question
    animal_only: bool  # never filled with a thing (always true without animals: nothing to replace)
    question: bool
    as_written: bool = False  # a dictionary-style fragment: lower case, no final punctuation
    caption: bool = False  # a photo caption: Title Case and ALL CAPS often, rarely punctuated
    heldout: bool = False  # only the test split uses it


@dataclass(frozen=True)
class Words:
    """Everything a sentence is filled with apart from the animal names."""

    fillers: Mapping[str, tuple[str, ...]]  # plain slots, by name
    adj_size: tuple[str, ...]
    adj_quality: tuple[str, ...]
    adj_color: tuple[str, ...]
    definite: Mapping[str, int]  # determiners of {the}, with weights
    quantity: Mapping[str, int]  # counts of {pl}, with weights
    collectives: tuple[tuple[str, str], ...]  # (class name in the lexicon, "a herd of")
    things: tuple[tuple[str, str], ...]  # (singular, plural) for the animal frames
    lookalike_things: tuple[tuple[str, str], ...]  # things named with an animal word ("teddy bear")
    emoji: tuple[str, ...]  # emoji that carry no animal
    animal_emoji: tuple[tuple[str, str], ...]  # (class name in the lexicon, its emoji), most specific first


# ---- checks -------------------------------------------------------------------------------------
def _fail(source: str | Path, where: str, problem: str) -> TemplateError:
    return TemplateError(f"{source}: {where}: {problem}")


def _strings(value: Any, source: str | Path, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _fail(source, where, "expected a non-empty list of strings")
    for item in value:
        if not isinstance(item, str) or not item.strip() or item != item.strip():
            raise _fail(source, where, f"{item!r} is not a non-empty string without outer spaces")
    return tuple(value)


def _weights(value: Any, source: str | Path, where: str) -> dict[str, int]:
    if not isinstance(value, dict) or not value:
        raise _fail(source, where, "expected a non-empty mapping of word: weight")
    for word, weight in value.items():
        if not isinstance(word, str) or type(weight) is not int or weight <= 0:
            raise _fail(source, where, f"{word!r}: {weight!r} is not a word with a positive whole weight")
    return dict(value)


def _pairs(value: Any, source: str | Path, where: str) -> tuple[tuple[str, str], ...]:
    out = []
    for item in _strings(value, source, where):
        parts = item.split("/")
        if len(parts) != 2 or not all(p.strip() == p and p for p in parts):
            raise _fail(source, where, f"{item!r} is not 'singular/plural'")
        out.append((parts[0], parts[1]))
    return tuple(out)


def _by_class(value: Any, source: str | Path, where: str, what: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not value:
        raise _fail(source, where, f"expected a non-empty mapping of class: {what}")
    for key, item in value.items():
        if not (isinstance(key, str) and key and isinstance(item, str) and item):
            raise _fail(source, where, f"{key!r}: {item!r} is not class: {what}")
    return tuple(value.items())


def _mapping(data: Any, source: str | Path, keys: Collection[str], what: str) -> dict[str, Any]:
    """``data`` is a mapping with exactly ``keys`` (order free)."""
    if not isinstance(data, dict):
        raise _fail(source, "top level", f"expected a mapping of {what}")
    unknown = [k for k in data if k not in keys]
    missing = [k for k in keys if k not in data]
    if unknown or missing:
        raise _fail(source, "top level", f"unknown {what} {unknown}, missing {what} {missing}")
    return data


def parse_words(fillers: Any, words: Any, *, fillers_source: str | Path, words_source: str | Path) -> Words:
    """Check the parsed ``fillers.yaml`` and ``words.yaml``."""
    if not isinstance(fillers, dict) or not fillers:
        raise _fail(fillers_source, "top level", "expected a mapping of filler name: [words]")
    for name in fillers:
        if not isinstance(name, str) or not re.fullmatch(r"[a-z_]+", name):
            raise _fail(fillers_source, f"filler {name!r}", "a filler name is lower-case letters and '_'")
        if SLOT.fullmatch(f"{{{name}}}").group(1) or name in SPECIAL_SLOTS:
            raise _fail(fillers_source, f"filler {name!r}", "the name of a slot filled elsewhere (animal or WordNet)")
    keys = ("adjectives", "definite", "quantity", "collectives", "things", "lookalike_things", "emoji", "animal_emoji")
    words = _mapping(words, words_source, keys, "sections")
    adjectives = _mapping(words["adjectives"], words_source, ("size", "quality", "color"), "adjective groups")
    return Words(
        fillers={name: _strings(value, fillers_source, f"filler {name!r}") for name, value in fillers.items()},
        adj_size=_strings(adjectives["size"], words_source, "adjectives.size"),
        adj_quality=_strings(adjectives["quality"], words_source, "adjectives.quality"),
        adj_color=_strings(adjectives["color"], words_source, "adjectives.color"),
        definite=_weights(words["definite"], words_source, "definite"),
        quantity=_weights(words["quantity"], words_source, "quantity"),
        collectives=_by_class(words["collectives"], words_source, "collectives", "collective"),
        things=_pairs(words["things"], words_source, "things"),
        lookalike_things=_pairs(words["lookalike_things"], words_source, "lookalike_things"),
        emoji=_strings(words["emoji"], words_source, "emoji"),
        animal_emoji=_by_class(words["animal_emoji"], words_source, "animal_emoji", "emoji"),
    )


def _flag(entry: dict, key: str, source: str | Path, where: str) -> bool:
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise _fail(source, where, f"{key} must be true or false, got {value!r}")
    return value


def parse_template(entry: Any, kind: str, fillers: Collection[str], source: str | Path, where: str) -> Template:
    """One template entry of ``kind``; ``where`` names it in errors until its id is known."""
    if not isinstance(entry, dict):
        raise _fail(source, where, f"expected {{id: ..., text: ...}}, got {entry!r}")
    tid = entry.get("id")
    if not isinstance(tid, str) or not re.fullmatch(rf"{re.escape(kind)}\.[a-z0-9_]+", tid):
        raise _fail(source, where, f"id {tid!r} is not '{kind}.' followed by lower-case letters, digits or '_'")
    where = f"template {tid!r}"
    unknown = sorted(set(entry) - TEMPLATE_KEYS)
    if unknown:
        raise _fail(source, where, f"unknown keys {unknown} (known: {sorted(TEMPLATE_KEYS)})")
    text = entry.get("text")
    if not isinstance(text, str) or not text.strip() or text != text.strip():
        raise _fail(source, where, f"text {text!r} is not a non-empty string without outer spaces")
    flags = {key: _flag(entry, key, source, where) for key in ("animal_only", "as_written", "caption", "heldout")}
    animals = kind in ANIMAL_TEMPLATE_KINDS
    if not animals and any(flags[k] for k in ANIMAL_FLAGS):
        raise _fail(source, where, f"{sorted(ANIMAL_FLAGS)} only apply to templates that name animals")
    n_animal_slots = 0
    for m in SLOT.finditer(text):
        if m.group(3):
            if m.group(3) not in fillers and m.group(3) not in SPECIAL_SLOTS:
                raise _fail(source, where, f"unknown placeholder {m.group()} in {text!r}")
        else:
            n_animal_slots += 1
    leftover = SLOT.sub("", text)
    if "{" in leftover or "}" in leftover:
        bad = re.search(r"\{[^{}]*\}?|\}", leftover).group()
        raise _fail(source, where, f"unknown placeholder {bad} in {text!r}")
    if animals and not n_animal_slots:
        raise _fail(source, where, f"a {kind!r} template needs an animal slot ({{a}}, {{the}}, {{n}}, {{pl}}, {{npl}})")
    if not animals and n_animal_slots:
        raise _fail(source, where, f"a {kind!r} template names no animal: no animal slot allowed in {text!r}")
    question = text.endswith("?")
    if kind == "question" and not question:
        raise _fail(source, where, "a 'question' template ends in '?'")
    return Template(
        id=tid,
        kind=kind,
        pattern=text.rstrip("?"),
        animal_only=flags["animal_only"] or not animals,
        question=question,
        as_written=flags["as_written"],
        caption=flags["caption"],
        heldout=flags["heldout"],
    )


def parse_templates(
    data: Any, kinds: Sequence[str], fillers: Collection[str], source: str | Path, *, seen: dict[str, str] | None = None
) -> list[Template]:
    """The templates of one parsed file, kind by kind in the order of ``kinds``. ``seen`` maps ids
    already taken (by other files) to where they were, to keep ids unique across files."""
    data = _mapping(data, source, kinds, "kinds")
    seen = {} if seen is None else seen
    out = []
    for kind in kinds:
        entries = data[kind]
        if not isinstance(entries, list) or not entries:
            raise _fail(source, f"kind {kind!r}", "expected a non-empty list of templates")
        for i, entry in enumerate(entries):
            template = parse_template(entry, kind, fillers, source, f"{kind} template #{i + 1}")
            if template.id in seen:
                raise _fail(source, f"template {template.id!r}", f"duplicate id (first in {seen[template.id]})")
            seen[template.id] = str(source)
            out.append(template)
    return out


# ---- loading ------------------------------------------------------------------------------------
def _read(path: Path) -> Any:
    try:
        return srsly.read_yaml(path)
    except (OSError, ValueError) as err:
        raise TemplateError(f"{path}: cannot read: {err}") from None


def load_words(folder: str | Path = TEMPLATE_DIR) -> Words:
    folder = Path(folder)
    fillers, words = folder / FILLERS_FILE, folder / WORDS_FILE
    return parse_words(_read(fillers), _read(words), fillers_source=fillers, words_source=words)


def load_templates(folder: str | Path = TEMPLATE_DIR, words: Words | None = None) -> list[Template]:
    """Every template: the files of :data:`TEMPLATE_FILES` in turn, their kinds in the declared order."""
    folder = Path(folder)
    fillers = (words or load_words(folder)).fillers
    seen: dict[str, str] = {}
    out: list[Template] = []
    for name, kinds in TEMPLATE_FILES.items():
        out += parse_templates(_read(folder / name), kinds, fillers, folder / name, seen=seen)
    return out


def heldout_ids(templates: Iterable[Template]) -> frozenset[str]:
    """The templates only the test split uses: the ones marked in the data, whatever their position."""
    return frozenset(t.id for t in templates if t.heldout)


@cache
def default_words() -> Words:
    """The packaged words (read once per process)."""
    return load_words()


@cache
def default_templates() -> tuple[Template, ...]:
    """The packaged templates (read once per process)."""
    return tuple(load_templates(words=default_words()))
