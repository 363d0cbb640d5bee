"""Turn a template into a sentence with exact entity offsets, then make it look typed by a person.

A sentence is built as a list of :class:`Piece` (text, is it the animal name?); offsets are only
computed at the end, so article fixes, case changes and typos never shift a span by accident.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from animal_verifier.ontology.lexicon import Lexicon, normalize
from animal_verifier_train.datagen.names import Name
from animal_verifier_train.datagen.proper_names import ProperNames
from animal_verifier_train.datagen.templates import ANIMAL_EMOJI_SLOT, SLOT, default_words

SINGULAR_SLOTS = frozenset({"a", "the", "n"})
#: Words a typo must not touch: they carry the negation the sentence is about.
KEEP_WORDS = frozenset({"never", "neither", "without", "none", "nothing", "nope"})
#: Fillers whose words may hold an animal word in another sense ("Charles Lamb", "dog show").
LOOKALIKE_FILLERS = frozenset(
    {"person_name", "place_name", "title", "org", "compound", "compound_food", "myth", "animal_like"}
)
#: Fillers that are proper names (the "proper_name" slice).
PROPER_FILLERS = frozenset({"person_name", "place_name", "title", "org", "byline"})
#: How a quotation is attributed (fortune files, books, posts), with weights.
BYLINES = {
    " -- {name}": 10,
    "\n\t\t-- {name}": 3,
    " — {name}": 3,
    " - {name}": 2,
    " ~{name}": 1,
    ' -- {name}, "{title}"': 3,
    " -- {name}, {title}": 2,
    " -- {title}": 1,
    " (attributed to {name})": 1,
    " ({name})": 1,
}
#: Chance that a scientific or long capitalised name ("Anas crecca") is written in lower case,
#: and that any other capitalised name ("Virginia deer") is: a capital must not mean "animal".
LOWER_SCIENTIFIC, LOWER_OTHER = 0.75, 0.4
#: Chance that a two-word name is written with a hyphen ("sheep-dog", "polar-bear"), as people do.
HYPHENATE = 0.12
#: Chance that a plain (not look-alike) thing is a common WordNet noun rather than one of
#: words.yaml's objects: "hiker", "moss", "trunk" where an animal could stand.
COMMON_NOUN_SHARE = 0.5
#: Case styles (see :func:`finish`) with weights, for sentences and for captions ("DUCK ON A POND").
CASE_STYLES = {"as is": 77, "lower": 13, "upper": 3, "title": 3, "cap name": 1}
CAPTION_CASE_STYLES = {"as is": 35, "lower": 15, "upper": 20, "title": 30, "cap name": 0}


def byline(rng: random.Random, proper: ProperNames) -> str:
    """An attribution to put after a quotation: " -- Mark Twain", ' -- Twain, "Walden"'."""
    forms, weights = zip(*BYLINES.items(), strict=True)
    form = rng.choices(forms, weights=weights)[0]
    return form.format(name=rng.choice(proper.person), title=rng.choice(default_words().fillers["title"]))


def article(word: str) -> str:
    """ "a" or "an" before ``word``, by its first sound (a unicorn, a European, an hour)."""
    w = word.lower()
    if re.match(r"(eu|ewe|uni|use|usu|uk|ur[aeiou]|one\b|once)", w):
        return "a"
    if re.match(r"(hour|honest|heir)", w):
        return "an"
    return "an" if w[:1] in ("a", "e", "i", "o", "u") else "a"


@dataclass
class Piece:
    text: str
    entity: bool = False
    lookalike: bool = False  # may contain an animal word in another sense (teddy bear, Jaguar)


@dataclass
class Rendered:
    pieces: list[Piece]
    names: list[Name] = field(default_factory=list)
    plural: bool = False  # some entity is plural
    typo_in_entity: bool = False
    proper: bool = False  # holds a proper name (person, place, work, organisation, byline)
    byline: str | None = None  # attribution to add after the final punctuation

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)

    def entities(self) -> list[tuple[int, int]]:
        out, pos = [], 0
        for p in self.pieces:
            if p.entity:
                out.append((pos, pos + len(p.text)))
            pos += len(p.text)
        return out


class Filler:
    """The words around a slot's noun: article or count, adjectives, collectives."""

    def __init__(self, lexicon: Lexicon, rng: random.Random, nouns: Sequence[tuple[str, str]] = ()):
        """``nouns``: (singular, plural) of common nouns without an animal sense, drawn as things
        as often as the hand list (see :mod:`.common_nouns`)."""
        self.lexicon = lexicon
        self.rng = rng
        self.nouns = nouns
        self.words = words = default_words()
        self.collective_ids = [
            (self.lexicon.terms[word].id, coll) for word, coll in words.collectives if word in self.lexicon.terms
        ]
        self.emoji_ids = [(self.lexicon.terms[w].id, e) for w, e in words.animal_emoji if w in self.lexicon.terms]

    # ---- words around a name -------------------------------------------------------------
    def adjectives(self, p_one: float, p_two: float) -> list[str]:
        w = self.words
        r = self.rng.random()
        if r < p_two:
            first = self.rng.choice(self.rng.choice([w.adj_size, w.adj_quality]))
            return [first, self.rng.choice(w.adj_color)]
        if r < p_two + p_one:
            return [self.rng.choice(self.rng.choice([w.adj_size, w.adj_quality, w.adj_color]))]
        return []

    def quantity(self, synset: str | None) -> str:
        if synset is not None and self.rng.random() < 0.25:
            for sid, coll in self.collective_ids:
                if self.lexicon.is_a(synset, sid):
                    return coll
        words, weights = zip(*self.words.quantity.items(), strict=True)
        return self.rng.choices(words, weights=weights)[0]

    def emoji(self, synset: str | None) -> str:
        """The emoji of the most specific class ``synset`` belongs to; a plain one without."""
        if synset is not None:
            for sid, emoji in self.emoji_ids:
                if self.lexicon.is_a(synset, sid):
                    return emoji
        return self.rng.choice(self.words.emoji)

    def written_form(self, form: str) -> str:
        """Now and then a two-word name with a hyphen, when the lexicon knows it that way too
        ("sheep-dog" is "sheep dog"); "German shepherd" and other capitalised names stay apart."""
        words = form.split(" ")
        if len(words) == 2 and form.islower() and self.rng.random() < HYPHENATE:
            hyphenated = "-".join(words)
            if self.lexicon.lookup(hyphenated) is not None:
                return hyphenated
        return form

    def makes_longer_name(self, adjs: list[str], noun: str) -> bool:
        """Do the adjectives hold an animal name ("large white", a pig) or make a longer one with
        the noun ("black" + "bear")? Then they would need a different span."""
        words = normalize(" ".join([*adjs, noun])).split()
        n_adj = len(words) - len(normalize(noun).split())
        return any(
            " ".join(words[i:j]) in self.lexicon.terms for i in range(n_adj) for j in range(i + 1, len(words) + 1)
        )

    def determiner(self) -> str:
        words, weights = zip(*self.words.definite.items(), strict=True)
        return self.rng.choices(words, weights=weights)[0]

    # ---- slots ---------------------------------------------------------------------------
    def noun_phrase(self, slot: str, noun: str, *, entity: bool, synset: str | None) -> list[Piece]:
        """Determiner/count and adjectives as plain text, then the noun (the entity, if an animal)."""
        if slot == "a":
            adjs = self.adjectives(0.3, 0.08)
        elif slot in ("the", "pl"):
            adjs = self.adjectives(0.2, 0.04)
        else:
            adjs = self.adjectives(0.12, 0.0)
        if not entity:
            adjs = [a for a in adjs if a in self.words.adj_size + self.words.adj_color]
        if self.makes_longer_name(adjs, noun):
            adjs = []  # "black" + "bear" is the name "black bear", "large white" is a pig
        words = list(adjs)
        if slot == "a":
            head = (words or [noun])[0]
            words.insert(0, article(head))
        elif slot == "the":
            words.insert(0, self.determiner())
        elif slot == "pl":
            words.insert(0, self.quantity(synset))
        prefix = " ".join(words) + (" " if words else "")
        return [Piece(prefix), Piece(noun, entity=entity)]


def fix_articles(pieces: list[Piece]) -> None:
    """ "a" written in a template before a filler that starts with a vowel sound becomes "an"."""
    for i in range(len(pieces) - 1):
        nxt = next((p.text for p in pieces[i + 1 :] if p.text.strip()), "")
        m = re.search(r"(^|\s)([Aa])n? $", pieces[i].text)
        if m and nxt and not pieces[i].entity:
            word = nxt.lstrip()
            art = article(word)
            new = m.group(2) + art[1:] if m.group(2) == "A" else art
            pieces[i].text = pieces[i].text[: m.start(2)] + new + " "


def render_template(
    pattern: str,
    filler: Filler,
    *,
    pick_name: Callable[[bool, set[str]], Name] | None,
    thing: bool = False,
    lookalike_text: bool = False,
    proper: ProperNames | None = None,
) -> Rendered:
    """Fill ``pattern``. Animal slots take names from ``pick_name(plural, exclude)``, or plain
    things when ``thing`` is set (then nothing is an entity). ``lookalike_text``: the template's
    own words use animal words in other senses (they are exempt from the unlabelled-animal check).
    ``proper`` gives the person and place names ({person_name}, {place_name}, {byline})."""
    rng = filler.rng
    pieces: list[Piece] = []
    out = Rendered(pieces)
    chosen: dict[str, tuple] = {}
    used: set[str] = set()
    emoji_pieces: list[Piece] = []  # filled once the first animal is known
    pos = 0
    for m in SLOT.finditer(pattern):
        pieces.append(Piece(pattern[pos : m.start()], lookalike=lookalike_text))
        pos = m.end()
        if m.group(3):  # a plain filler
            what = m.group(3)
            out.proper |= what in PROPER_FILLERS
            if what == ANIMAL_EMOJI_SLOT:
                emoji_pieces.append(Piece(""))
                pieces.append(emoji_pieces[-1])
            elif what == "byline":
                if proper is None:
                    raise ValueError("a {byline} template needs proper names")
                out.byline = byline(rng, proper)
            elif what in ("person_name", "place_name"):
                if proper is None:
                    raise ValueError(f"a {{{what}}} template needs proper names")
                pieces.append(Piece(rng.choice(getattr(proper, what.split("_")[0])), lookalike=True))
            else:
                pieces.append(Piece(rng.choice(filler.words.fillers[what]), lookalike=what in LOOKALIKE_FILLERS))
            continue
        slot, index = m.group(1), m.group(2) or "1"
        plural = slot not in SINGULAR_SLOTS
        if index not in chosen:
            if thing:
                look = rng.random() < 0.25
                things = filler.words.lookalike_things if look else filler.words.things
                if not look and filler.nouns and rng.random() < COMMON_NOUN_SHARE:
                    things = filler.nouns
                chosen[index] = (*rng.choice(things), look)
            else:
                name = pick_name(plural, used)
                used.add(name.synset)
                chosen[index] = name
        value = chosen[index]
        if thing:
            noun = value[1] if plural else value[0]
            phrase = filler.noun_phrase(slot, noun, entity=False, synset=None)
            phrase[-1].lookalike = value[2]
            pieces += phrase
        else:
            form = value.plural if plural else value.singular
            if form is None:  # the same animal again in the other number, which it lacks
                form = value.plural or value.singular
            if form != form.lower() and rng.random() < (LOWER_SCIENTIFIC if value.tier == 2 else LOWER_OTHER):
                form = form.lower()
            form = filler.written_form(form)
            pieces += filler.noun_phrase(slot, form, entity=True, synset=value.synset)
            out.names.append(value)
            out.plural |= plural
    pieces.append(Piece(pattern[pos:], lookalike=lookalike_text))
    first = chosen.get("1")
    for piece in emoji_pieces:
        piece.text = filler.emoji(first.synset if isinstance(first, Name) else None)
    fix_articles(pieces)
    return out


# ---- the way people type ------------------------------------------------------------------------
def finish(
    r: Rendered,
    rng: random.Random,
    *,
    question: bool,
    lexicon_terms: frozenset[str],
    as_written: bool = False,
    caption: bool = False,
) -> list[str]:
    """Capital, final punctuation, byline, case style and maybe a typo, in place. Returns noise
    tags. ``as_written``: a dictionary-style fragment, left lower case and unpunctuated.
    ``caption``: a photo caption, mostly unpunctuated and often in Title Case or ALL CAPS."""
    tags: list[str] = []
    r.pieces[:] = [p for p in r.pieces if p.text]
    pieces = r.pieces
    if as_written:
        pieces.append(Piece(""))
    else:
        first = pieces[0]
        first.text = first.text[:1].upper() + first.text[1:]
        # final punctuation
        if question:
            ends, weights = ["?", "??", "", " ?"], [75, 5, 17, 3]
        elif r.byline:
            ends, weights = [".", "!", ""], [85, 10, 5]
        elif caption:
            ends, weights = ["", ".", "!", "EMOJI"], [60, 25, 8, 7]
        else:
            ends, weights = [".", "", "!", "...", "!!", "EMOJI"], [48, 26, 12, 6, 3, 5]
        end = rng.choices(ends, weights=weights)[0]
        if end == "EMOJI":
            end = rng.choice(["", ".", "!"]) + " " + rng.choice(default_words().emoji)
            tags.append("emoji")
        pieces.append(Piece(end))
    if r.byline:
        pieces.append(Piece(r.byline, lookalike=True))
        tags.append("byline")
    # case style ("cap name" is rare: a capital must not mean "animal")
    styles = CAPTION_CASE_STYLES if caption else CASE_STYLES
    style = rng.choices(list(styles), weights=list(styles.values()))[0]
    if style != "as is":
        before = [len(p.text) for p in pieces]
        for p in pieces:
            if style == "lower":
                p.text = p.text.lower()
            elif style == "upper":
                p.text = p.text.upper()
            elif style == "title":
                p.text = re.sub(r"(?<![\w'])([a-z])", lambda m: m.group(1).upper(), p.text)
            elif p.entity:
                p.text = p.text[:1].upper() + p.text[1:]
        if [len(p.text) for p in pieces] != before:  # a letter whose case has another length
            raise AssertionError("case change altered the text length")
        tags.append(style.replace(" ", "_"))
    # a typo now and then
    if rng.random() < 0.07:
        in_entity = rng.random() < 0.2
        if add_typo(pieces, rng, in_entity=in_entity, lexicon_terms=lexicon_terms):
            tags.append("typo")
            r.typo_in_entity = in_entity
    return tags


def add_typo(pieces: list[Piece], rng: random.Random, *, in_entity: bool, lexicon_terms: frozenset[str]) -> bool:
    """Swap, drop or double a letter inside one word of four letters or more. A typo outside the
    animal name must not make another animal word ("coat" -> "cat")."""
    spots = [
        (i, m)
        for i, p in enumerate(pieces)
        if p.entity == in_entity
        for m in re.finditer(r"(?<![\w'])[A-Za-z]{4,}(?![\w'])", p.text)
        if m.group().lower() not in KEEP_WORDS
    ]
    if not spots:
        return False
    i, m = rng.choice(spots)
    word = m.group()
    k = rng.randrange(1, len(word) - 1)
    op = rng.choice(["swap", "drop", "double"])
    if op == "swap":
        new = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
    elif op == "drop":
        new = word[:k] + word[k + 1 :]
    else:
        new = word[:k] + word[k] + word[k:]
    if new == word or (not in_entity and new.lower() in lexicon_terms):
        return False
    p = pieces[i]
    p.text = p.text[: m.start()] + new + p.text[m.end() :]
    return True
