"""Animal names to put in sentences: everyday ones often, the lexicon's long tail sometimes.

The model should learn the *category* (any animal word in an animal-ish context), not a list,
so names come from the whole lexicon; but people mostly say "dog", not "Canis familiaris", so
sampling is weighted by tier: a curated list of everyday animals (all Animals-10 classes among
them), then ordinary lexicon names, then scientific and long names.

Held-out names are chosen by *head word family*: holding out "retriever" holds out every name
containing the word "retriever" (golden retriever, Labrador retriever...), so no test name is
seen in training, not even inside a longer name.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from animal_verifier.ontology.lexicon import Lexicon, normalize
from animal_verifier_train.wordnet.lexicon_builder import INVARIANT_PLURALS

#: The ten Animals-10 classes (the original project's image data set): never held out.
ANIMALS_10 = ("dog", "horse", "elephant", "butterfly", "chicken", "cat", "cow", "sheep", "spider", "squirrel")
#: Category words a person uses for any animal: never held out.
GENERIC = ("animal", "pet", "bird", "fish", "insect", "mammal", "reptile", "creature", "beast", "critter")

#: Everyday animals, as people name them in photos (lexicon terms, singular). Ambiguous words
#: (jaguar, mouse, turkey) are in: in a sentence about an animal photo they mean the animal.
EVERYDAY: tuple[str, ...] = tuple(
    " ".join(w.split())
    for w in """
dog, puppy, cat, kitten, kitty, horse, foal, pony, elephant, butterfly, chicken, hen, rooster, chick,
cow, calf, bull, cattle, sheep, lamb, ram, spider, squirrel, goat, pig, piglet, donkey, mule, rabbit,
bunny, hamster, guinea pig, mouse, rat, ferret, hedgehog, fox, wolf, bear, polar bear, brown bear,
grizzly, panda, giant panda, koala, kangaroo, lion, tiger, leopard, cheetah, jaguar, lynx, cougar,
puma, zebra, giraffe, hippopotamus, hippo, rhinoceros, rhino, camel, llama, alpaca, deer, moose, elk,
reindeer, bison, buffalo, gorilla, chimpanzee, monkey, orangutan, baboon, lemur, sloth, otter, beaver,
raccoon, skunk, badger, bat, mole, seal, sea lion, walrus, dolphin, whale, killer whale, shark,
octopus, squid, jellyfish, crab, lobster, shrimp, starfish, goldfish, salmon, trout, tuna, eel, frog,
toad, turtle, tortoise, snake, python, cobra, lizard, iguana, gecko, crocodile, alligator, chameleon,
sparrow, robin, pigeon, dove, crow, raven, magpie, owl, eagle, bald eagle, hawk, falcon, vulture,
parrot, penguin, flamingo, swan, goose, duck, duckling, turkey, peacock, ostrich, heron, stork,
pelican, seagull, gull, hummingbird, woodpecker, kingfisher, crane, bee, honeybee, bumblebee, wasp,
ant, beetle, ladybug, ladybird, moth, dragonfly, grasshopper, cricket, mosquito, fly, caterpillar,
worm, earthworm, snail, slug, scorpion, tarantula, golden retriever, labrador retriever, german
shepherd, poodle, beagle, bulldog, chihuahua, dachshund, husky, siamese cat, persian cat, tabby,
animal, pet, bird, fish, insect, mammal, reptile, creature, beast, critter, dinosaur
""".split(",")
)
#: Plural-only or mass nouns: no "a cattle".
PLURAL_ONLY = frozenset({"cattle", "kine", "livestock", "poultry", "vermin", "fauna", "plankton", "zooplankton"})

#: Everyday, ordinary lexicon names, scientific or long names. Few scientific ones: their capitals
#: taught "capitalised unknown word = animal", and real text calls people and places that way.
TIER_SHARE = (0.68, 0.30, 0.02)


@dataclass(frozen=True)
class Name:
    """One animal name with the forms a sentence needs."""

    key: str  # normalised lexicon term (singular unless plural-only)
    singular: str | None  # as written in a sentence ("German shepherd"); None: plural-only
    plural: str | None  # None: no plural we trust (scientific names)
    synset: str
    tokens: frozenset[str]  # words of the name, for holding out families
    tier: int  # 0 everyday, 1 ordinary, 2 scientific or long
    weight: float


def _plural_rank(word: str, plural: str) -> int | None:
    """How standard ``plural`` is as the plural of ``word`` (0 best), None if not a regular one.
    The lexicon lists alternates (aardwolfs/aardwolves, agoutis/agouties): keep the usual one."""
    preferred = []
    if word.endswith("fe"):
        preferred.append(word[:-2] + "ves")
    if word.endswith("f"):
        preferred.append(word[:-1] + "ves")
    if re.search(r"[^aeiou]y$", word):
        preferred.append(word[:-1] + "ies")
    if re.search(r"(s|x|z|ch|sh)$", word):
        preferred.append(word + "es")
    preferred += [word + "s", word + "es"]
    return preferred.index(plural) if plural in preferred else None


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _with_last_word(cased: str, last: str) -> str:
    """``cased`` with its last word (after a space or hyphen) replaced by ``last``, keeping its
    capital: ("German shepherd", "shepherds") -> "German shepherds"."""
    m = re.fullmatch(r"(.*[ \-])?([^ \-]+)", cased)
    head, tail = (m.group(1) or "", m.group(2)) if m else ("", cased)
    if tail[:1].isupper():
        last = last[:1].upper() + last[1:]
    return head + last


class NamePool:
    """Every usable name in the lexicon, with sampling weights and hold-out families."""

    def __init__(self, lexicon: Lexicon, keep: Callable[[str], bool] = lambda key: True):
        """``keep(key)`` filters the names outside the everyday list ("sleeper", "wheeler" and
        other words whose usual sense is not the animal)."""
        self.lexicon = lexicon
        self.keep = keep
        self.cased = self._cased_forms(lexicon)
        self.plural_of, self.singular_of = self._pair_plurals(lexicon)
        self.names: list[Name] = self._build()
        self.by_key = {n.key: n for n in self.names}
        missing = [w for w in ANIMALS_10 if w not in self.by_key]
        if missing:
            raise ValueError(f"the lexicon lacks Animals-10 names: {missing}")

    # ---- building ------------------------------------------------------------------------
    @staticmethod
    def _cased_forms(lexicon: Lexicon) -> dict[str, str]:
        cased: dict[str, str] = {}
        for sid in sorted(lexicon.synsets):
            for lemma in lexicon.synsets[sid].lemmas:
                cased.setdefault(normalize(lemma), lemma.replace("_", " "))
        return cased

    @staticmethod
    def _pair_plurals(lexicon: Lexicon) -> tuple[dict[str, str], dict[str, str]]:
        """(singular -> its usual plural, every plural -> its singular), within a synset and with
        the same leading words: regular plurals first (cats, puppies, calves), then the closest
        spelling (geese, mice, oxen). Alternates still map to their singular, for hold-out."""
        terms = sorted(lexicon.terms.values(), key=lambda t: t.text)
        plurals: dict[str, list[str]] = defaultdict(list)
        singles: dict[str, list[str]] = defaultdict(list)
        for t in terms:
            (plurals if t.plural else singles)[t.id].append(t.text)

        def same_lead(a: str, b: str) -> bool:
            aw, bw = a.split(), b.split()
            return len(aw) == len(bw) and aw[:-1] == bw[:-1]

        plural_of: dict[str, str] = {}
        singular_of: dict[str, str] = {}
        for sid, words in singles.items():
            for s in words:
                ranked = [
                    (r, p)
                    for p in plurals[sid]
                    if same_lead(s, p) and (r := _plural_rank(s.split()[-1], p.split()[-1])) is not None
                ]
                if ranked:
                    plural_of[s] = min(ranked)[1]
                    singular_of[plural_of[s]] = s

        def closeness(s: str, p: str) -> int:
            a, b = s.split()[-1], p.split()[-1]
            return _common_prefix(a, b) + _common_prefix(a[::-1], b[::-1])

        for sid, words in plurals.items():
            for p in words:
                if p in singular_of:
                    continue
                cands = [s for s in singles[sid] if same_lead(s, p) and closeness(s, p) > 0]
                if cands:
                    s = max(cands, key=lambda s: (s not in plural_of, closeness(s, p)))
                    singular_of[p] = s
                    plural_of.setdefault(s, p)
        return plural_of, singular_of

    def _surface(self, key: str) -> str:
        return self.cased.get(key, key)

    def _build(self) -> list[Name]:
        everyday = set(EVERYDAY)
        names: list[Name] = []
        for t in sorted(self.lexicon.terms.values(), key=lambda t: t.text):
            if t.plural and t.text in self.singular_of:
                continue  # part of its singular's Name
            if not re.fullmatch(r"[a-z][a-z .'\-]*[a-z.]", t.text):
                continue  # digits, odd characters: not worth a template slot
            if t.text not in everyday and (t.ambiguous or not self.keep(t.text)):
                continue  # "head", "game", "sleeper": not what people call an animal in a photo
            key = t.text
            cased = self._surface(key)
            if t.plural or key in PLURAL_ONLY:
                singular, plural = None, cased
            else:
                singular = cased
                p = self.plural_of.get(key)
                if key.split()[-1] in INVARIANT_PLURALS or key.endswith("fish"):
                    plural = cased  # "two sheep", "a school of fish"
                elif p is not None:
                    plural = _with_last_word(cased, p.split()[-1])
                else:
                    plural = None
            n_words = len(key.split())
            scientific = n_words > 1 and cased[:1].isupper() and plural is None
            if key in everyday:
                tier, weight = 0, 3.0 if key in ANIMALS_10 else 1.0
            elif scientific or n_words > 3:
                tier, weight = 2, 1.0
            else:
                tier, weight = 1, 1.0 / n_words
            tokens = frozenset(key.split()) | frozenset((plural or "").lower().replace("-", " ").split())
            if plural:  # "dogies" reads back as the plural of "dogy": hold "dogie" out with it
                tokens |= self.term_tokens(plural)
            names.append(Name(key, singular, plural, t.id, tokens, tier, weight))
        return names

    # ---- families and hold-out -----------------------------------------------------------
    def term_tokens(self, text: str) -> frozenset[str]:
        """Words of a lexicon term and of its singular (for plurals), for hold-out checks."""
        text = normalize(text)
        return frozenset(text.split()) | frozenset(self.singular_of.get(text, "").split())

    @cached_property
    def protected_tokens(self) -> frozenset[str]:
        """Words of the Animals-10 and generic names (and every name of those synsets)."""
        ids = {self.lexicon.terms[w].id for w in ANIMALS_10 + GENERIC if w in self.lexicon.terms}
        words: set[str] = set(ANIMALS_10) | set(GENERIC)
        for t in self.lexicon.terms.values():
            if t.id in ids:
                words |= self.term_tokens(t.text)
        return frozenset(words)

    def choose_heldout(self, fraction: float, rng: random.Random) -> frozenset[str]:
        """Head words to hold out: ``fraction`` of the everyday heads and of the other heads."""
        if fraction <= 0:
            return frozenset()
        heads_everyday = sorted({n.key.split()[-1] for n in self.names if n.tier == 0} - self.protected_tokens)
        heads_other = sorted(
            {n.key.split()[-1] for n in self.names if n.tier == 1} - self.protected_tokens - set(heads_everyday)
        )
        held: set[str] = set()
        for heads in (heads_everyday, heads_other):
            k = max(1, round(fraction * len(heads)))
            held |= set(rng.sample(heads, k))
        return frozenset(held)

    # ---- sampling ------------------------------------------------------------------------
    def split(self, heldout_heads: frozenset[str]) -> tuple[NameSampler, NameSampler]:
        """(sampler over names without any held-out word, sampler over the held-out names)."""
        seen = [n for n in self.names if not (n.tokens & heldout_heads)]
        held = [n for n in self.names if n.tokens & heldout_heads]
        return NameSampler(seen), NameSampler(held)


class NameSampler:
    """Weighted choice of names: first a tier by :data:`TIER_SHARE`, then a name in it."""

    def __init__(self, names: Sequence[Name]):
        self.names = list(names)
        self.tiers = [[n for n in self.names if n.tier == t] for t in range(3)]
        self.cum = [self._cumulative(t) for t in self.tiers]

    @staticmethod
    def _cumulative(names: list[Name]) -> list[float]:
        out, total = [], 0.0
        for n in names:
            total += n.weight
            out.append(total)
        return out

    def __len__(self) -> int:
        return len(self.names)

    def sample(self, rng: random.Random, *, plural: bool, exclude: set[str] = frozenset()) -> Name:
        """A name with the form needed (``plural`` or singular), not of a synset in ``exclude``."""
        shares = [s if self.tiers[t] else 0.0 for t, s in enumerate(TIER_SHARE)]
        for _ in range(200):
            tier = rng.choices(range(3), weights=shares)[0]
            name = rng.choices(self.tiers[tier], cum_weights=self.cum[tier])[0]
            form = name.plural if plural else name.singular
            if form is not None and name.synset not in exclude:
                return name
        raise ValueError("no name fits (empty name pool?)")
