"""Build the animal lexicon from WordNet 3.0 (build time only; the runtime reads the JSON).

Every synset under animal.n.01 (hyponyms and instance hyponyms, transitively) becomes a
:class:`~animal_verifier.ontology.lexicon.Synset`; every lemma, its plural forms and a few everyday words
become :class:`~animal_verifier.ontology.lexicon.Term` entries. The hand-made knowledge is kept in the
small tables below, each saying why it exists; everything else comes from WordNet.

Reading WordNet here has two traps, both handled by :func:`open_wordnet`:

* Debian's ``wordnet-base`` ships no ``lexnames`` file, which nltk's reader requires. Its
  contents are fixed for WordNet 3.0 (``man 5 lexnames``), so we write it ourselves.
* nltk 3.10 only opens files inside its own data folders (``nltk.pathsec``) and refuses
  symlinks that point out of the reader's root. We copy the needed files into a private
  temporary folder, register it with ``nltk.data.path`` and read from there. The reader also
  tries to map "its" WordNet onto nltk's downloadable ``wordnet`` corpus (absent here), which
  we switch off: the Debian files *are* WordNet 3.0.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from animal_verifier.ontology.lexicon import ANIMAL_ROOT, Lexicon, Synset, Term, normalize
from animal_verifier_train.wordnet import INSTALL_HINT, WORDNET_DIR

# The 45 lexicographer files of WordNet 3.0, in file-number order (``man 5 lexnames``).
LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body "
    "noun.cognition noun.communication noun.event noun.feeling noun.food noun.group noun.location "
    "noun.motive noun.object noun.person noun.phenomenon noun.plant noun.possession noun.process "
    "noun.quantity noun.relation noun.shape noun.state noun.substance noun.time verb.body verb.change "
    "verb.cognition verb.communication verb.competition verb.consumption verb.contact verb.creation "
    "verb.emotion verb.motion verb.perception verb.possession verb.social verb.stative verb.weather "
    "adj.ppl"
).split()
_SYNTACTIC_CATEGORY = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}

# ---- hand-made tables (keep them small) ------------------------------------------------------
# Keys are nltk synset names; the builder fails if one is missing from the animal tree, so a
# typo cannot silently drop an entry.

#: Subtrees left out of the lexicon. People are animals in WordNet (hominid.n.01: Homo sapiens,
#: "man", "world", "humanity"), but not for a verifier of animal claims: "a man" is no ANIMAL.
EXCLUDED_SUBTREES: tuple[str, ...] = ("hominid.n.01",)

#: The everyday singular noun for synsets whose first WordNet lemma is not what a person says.
#: Each of these names also becomes a term for its synset ("cow" -> cattle).
NAME_OVERRIDES: dict[str, str] = {
    "domestic_cat.n.01": "cat",
    "cat.n.01": "true cat",  # the genus-level "cat" (domestic cat + wildcats); "cat" means the pet
    "cattle.n.01": "cow",  # "cattle" is a plural noun
    "hog.n.03": "pig",  # first lemma "hog"
    "domestic_ass.n.01": "donkey",
    "ice_bear.n.01": "polar bear",
    "lesser_panda.n.01": "red panda",
    "madagascar_cat.n.01": "ring-tailed lemur",
    "cockateel.n.01": "cockatiel",  # sic in WordNet
    "elk.n.01": "moose",  # Alces alces; "elk" is also the American wapiti
}

#: Surface form -> the synset a person means by it. First the young and sex forms, which WordNet
#: files under young_mammal, bird, etc., linked to their species (kitten -> cat); then everyday
#: words WordNet lacks, or whose most frequent WordNet sense is not the animal people mean.
#: Deliberately absent: cub (bear, lion, fox...), bitch, boar (usually the wild boar), buck/doe.
EVERYDAY_TERMS: dict[str, str] = {
    # young and sex forms
    **dict.fromkeys(
        ["cat", "kitten", "kitty", "kitty cat", "pussycat", "puss", "tomcat", "moggy"], "domestic_cat.n.01"
    ),
    **dict.fromkeys(["puppy", "pup", "doggy", "doggie", "doggo", "pupper"], "dog.n.01"),
    **dict.fromkeys(["foal", "colt", "filly", "mare", "stallion", "gelding", "horsey", "horsie"], "horse.n.01"),
    **dict.fromkeys(["lamb", "lambkin", "ewe", "ram", "tup"], "sheep.n.01"),
    **dict.fromkeys(["cow", "calf", "bull", "heifer", "steer", "bullock", "moo cow"], "cattle.n.01"),
    **dict.fromkeys(
        ["hen", "rooster", "cock", "cockerel", "chick", "chicky", "pullet", "biddy", "capon"], "chicken.n.02"
    ),
    **dict.fromkeys(["duckling", "drake", "ducky"], "duck.n.01"),
    **dict.fromkeys(["gosling", "gander"], "goose.n.01"),
    **dict.fromkeys(["hog", "piglet", "piggy", "piggie", "sow", "shoat", "porker"], "hog.n.03"),
    **dict.fromkeys(["kid", "billy goat", "nanny goat", "billy", "nanny", "he-goat", "she-goat"], "goat.n.01"),
    **dict.fromkeys(["bunny", "bunny rabbit"], "rabbit.n.01"),
    "fawn": "deer.n.01",
    "cygnet": "swan.n.01",
    "owlet": "owl.n.01",
    # everyday words
    **dict.fromkeys(["birdie", "birdy"], "bird.n.01"),
    "dolphin": "dolphin.n.02",  # not dolphinfish (mahimahi), WordNet's first sense
    "toad": "true_toad.n.01",  # not frog.n.01 (all anurans)
    "hedgehog": "hedgehog.n.02",  # not the porcupine
    "opossum": "opossum.n.02",  # the American one; not the Australian phalanger
    "ferret": "ferret.n.02",  # the pet; not the black-footed ferret
    "bluebird": "bluebird.n.02",  # not the fairy bluebird of the East Indies
    "jellyfish": "jellyfish.n.02",  # not the Portuguese man-of-war
    "labrador": "labrador_retriever.n.01",
    "croc": "crocodile.n.01",
}

# The hierarchy is WordNet's own. Where ImageNet's classes mean a narrower animal than their synset
# (its "hen" and "cock" are chickens), the image side adds the parent: concepts.CORRECTIONS.

#: Names whose usual sense is not an animal (or that a modern reader takes for something else:
#: Jaguar the car, Python the language). WordNet's sense counts find many more by themselves
#: (see :func:`_usually_not_an_animal`); this table adds what the counts miss.
AMBIGUOUS: frozenset[str] = frozenset(
    """
    bug crane bass jaguar mouse seal bat kid turkey cardinal drake ram kite python mustang puma
    cock ass pussy bitch cougar impala bronco viper cobra stingray
    young male female adult giant queen drone hack mount captive sire racer pacer stepper tom billy nanny
    """.split()
)
#: Animals first in a sentence about a photo, though WordNet's 1990s sense counts favour another
#: sense (those counts flag many names by themselves, see :func:`_usually_not_an_animal`).
NOT_AMBIGUOUS: frozenset[str] = frozenset(["guinea pig", "hog", "primate"])

#: Last words whose plural is the word itself (two sheep, a herd of deer); some also take -s.
INVARIANT_PLURALS: frozenset[str] = frozenset(
    "sheep deer moose fish bison buffalo salmon trout cod swine elk reindeer caribou shrimp squid grouse "
    "quail antelope bass carp pike perch halibut tuna mackerel herring haddock plaice sole char "
    "wildebeest kudu eland gazelle impala yak cattle offspring".split()
)
#: Invariant plurals that are *only* invariant (no "sheeps", "deers", "fishs").
_ONLY_INVARIANT = frozenset("sheep deer moose swine reindeer cattle offspring fish".split())
#: Last words whose noun.exc plural replaces the regular one (no "mouses", "gooses", "oxes").
_IRREGULAR_ONLY = frozenset("mouse louse goose ox wolf calf foot tooth man woman child".split())
#: -o words that take -es (the rest take -s: hippos, rhinos, flamingos).
_O_ES = frozenset("buffalo dingo mosquito flamingo".split())

#: Common non-animal uses of animal words: hard negatives for data generation. Each row is
#: (phrase, the animal word in it as it is written there, what the phrase really names); the
#: word is None for a name with no animal word that still sits where animals do ("Apple").
LOOKALIKES: tuple[tuple[str, str | None, str], ...] = (
    # food
    ("hot dog", "dog", "food"),
    ("corn dog", "dog", "food"),
    ("gummy bears", "bears", "food"),
    ("fried chicken", "chicken", "food"),
    ("chicken nuggets", "chicken", "food"),
    ("chicken soup", "chicken", "food"),
    ("roast turkey", "turkey", "food"),
    ("turkey sandwich", "turkey", "food"),
    ("fish and chips", "fish", "food"),
    ("fish sticks", "fish", "food"),
    ("lamb chops", "lamb", "food"),
    ("crab cakes", "crab", "food"),
    ("lobster roll", "lobster", "food"),
    ("shrimp cocktail", "shrimp", "food"),
    ("grilled salmon", "salmon", "food"),
    ("duck confit", "duck", "food"),
    ("toad in the hole", "toad", "food"),
    ("Red Bull", "Bull", "drink"),
    # toys, pictures, statues
    ("teddy bear", "bear", "toy"),
    ("rubber duck", "duck", "toy"),
    ("rocking horse", "horse", "toy"),
    ("hobby horse", "horse", "toy"),
    ("stuffed animal", "animal", "toy"),
    ("paper kite", "kite", "toy"),
    ("flying a kite", "kite", "toy"),
    ("lion statue", "lion", "statue"),
    ("horse sculpture", "horse", "statue"),
    # machines, tools, devices
    ("computer mouse", "mouse", "device"),
    ("wireless mouse", "mouse", "device"),
    ("mouse pad", "mouse", "device"),
    ("crane operator", "crane", "machine"),
    ("construction crane", "crane", "machine"),
    ("tower crane", "crane", "machine"),
    ("Caterpillar excavator", "Caterpillar", "machine"),
    ("monkey wrench", "monkey", "tool"),
    ("butterfly knife", "butterfly", "tool"),
    ("baseball bat", "bat", "sports equipment"),
    ("cricket bat", "bat", "sports equipment"),
    ("cricket match", "cricket", "sport"),
    ("butterfly stroke", "butterfly", "swimming"),
    ("bass guitar", "bass", "instrument"),
    ("bass player", "bass", "musician"),
    ("wax seal", "seal", "stamp"),
    ("seal of approval", "seal", "stamp"),
    ("RAM", "RAM", "computer memory"),
    ("Python script", "Python", "programming language"),
    ("Python code", "Python", "programming language"),
    ("software bug", "bug", "defect"),
    ("bug report", "bug", "defect"),
    ("stomach bug", "bug", "illness"),
    # cars and brands
    ("Jaguar", "Jaguar", "car"),
    ("Jaguar XF", "Jaguar", "car"),
    ("Ford Mustang", "Mustang", "car"),
    ("VW Beetle", "Beetle", "car"),
    ("VW Rabbit", "Rabbit", "car"),
    ("Dodge Ram", "Ram", "truck"),
    ("Dodge Viper", "Viper", "car"),
    ("Shelby Cobra", "Cobra", "car"),
    ("Chevy Impala", "Impala", "car"),
    ("Ford Bronco", "Bronco", "car"),
    ("Corvette Stingray", "Stingray", "car"),
    ("Puma sneakers", "Puma", "brand"),
    ("Crocs", "Crocs", "shoes"),
    ("Apple", None, "company"),
    ("Fox News", "Fox", "broadcaster"),
    ("Greyhound bus", "Greyhound", "bus company"),
    ("Penguin Books", "Penguin", "publisher"),
    ("Red Lobster", "Lobster", "restaurant"),
    ("Panda Express", "Panda", "restaurant"),
    # finance, sport, music, places
    ("bull market", "bull", "finance"),
    ("bear market", "bear", "finance"),
    ("Chicago Bears", "Bears", "sports team"),
    ("Chicago Bulls", "Bulls", "sports team"),
    ("Detroit Lions", "Lions", "sports team"),
    ("Miami Dolphins", "Dolphins", "sports team"),
    ("Philadelphia Eagles", "Eagles", "sports team"),
    ("Atlanta Falcons", "Falcons", "sports team"),
    ("Denver Broncos", "Broncos", "sports team"),
    ("Baltimore Ravens", "Ravens", "sports team"),
    ("Jacksonville Jaguars", "Jaguars", "sports team"),
    ("Toronto Raptors", "Raptors", "sports team"),
    ("St. Louis Cardinals", "Cardinals", "sports team"),
    ("the Eagles", "Eagles", "band"),
    ("Arctic Monkeys", "Monkeys", "band"),
    ("Turkey", "Turkey", "country"),
    # people and characters
    ("the kids", "kids", "children"),
    ("my kid", "kid", "child"),
    ("a cardinal", "cardinal", "clergy"),
    ("Drake", "Drake", "musician"),
    ("Navy SEAL", "SEAL", "soldier"),
    ("loan shark", "shark", "person"),
    ("card shark", "shark", "person"),
    ("night owl", "owl", "person"),
    ("social butterfly", "butterfly", "person"),
    ("party animal", "animal", "person"),
    ("early bird", "bird", "person"),
    ("top dog", "dog", "person"),
    ("lone wolf", "wolf", "person"),
    ("a guinea pig for the trial", "guinea pig", "test subject"),
    ("Spider-Man", "Spider", "fictional character"),
    ("Hello Kitty", "Kitty", "fictional character"),
    ("Mickey Mouse", "Mouse", "cartoon character"),
    ("Donald Duck", "Duck", "cartoon character"),
    ("Peppa Pig", "Pig", "cartoon character"),
    ("Bugs Bunny", "Bunny", "cartoon character"),
    ("Easter Bunny", "Bunny", "fictional character"),
    ("Big Bird", "Bird", "puppet"),
    ("Tony the Tiger", "Tiger", "mascot"),
    ("The Lion King", "Lion", "film"),
    ("The Wolf of Wall Street", "Wolf", "film"),
    ("Shark Tank", "Shark", "TV show"),
    # idioms
    ("dark horse", "horse", "idiom"),
    ("the elephant in the room", "elephant", "idiom"),
    ("white elephant", "elephant", "idiom"),
    ("raining cats and dogs", "cats", "idiom"),
    ("rat race", "rat", "idiom"),
    ("eagle eye", "eagle", "idiom"),
    ("bird's eye view", "bird", "idiom"),
    ("Trojan horse", "horse", "malware"),
    ("kangaroo court", "kangaroo", "idiom"),
    ("catfish scam", "catfish", "fraud"),
    ("pig iron", "pig", "metal"),
    ("piggy bank", "piggy", "object"),
    ("duck tape", "duck", "tape"),
    ("crow's feet", "crow", "wrinkles"),
    ("snake plant", "snake", "plant"),
    ("tiger lily", "tiger", "plant"),
)


# ---- reading WordNet ------------------------------------------------------------------------
class WordNetNotFound(RuntimeError):
    """The WordNet 3.0 database files are not where we were told to look."""


def _wordnet_files() -> tuple[str, ...]:
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    return tuple(f for f in WordNetCorpusReader._FILES if f != "lexnames")


@contextmanager
def open_wordnet(wordnet_dir: str | Path = WORDNET_DIR) -> Iterator:
    """An nltk WordNet reader over a WordNet 3.0 database folder (Debian's layout works).

    Yields the reader while a private copy of the files exists; see the module docstring for
    why a copy. Raises :class:`WordNetNotFound` naming the missing files.
    """
    try:
        import nltk
        from nltk.corpus.reader.wordnet import WordNetCorpusReader
    except ImportError as e:  # pragma: no cover - nltk is a build-time dependency only
        raise WordNetNotFound("nltk is needed to build the lexicon: pip install 'nltk>=3.9'") from e

    src = Path(wordnet_dir)
    files = check_wordnet_dir(src)

    class _WordNet30Reader(WordNetCorpusReader):
        def map_wn(self, version="wordnet"):  # these files are WordNet 3.0 itself: nothing to map
            return None

    with tempfile.TemporaryDirectory(prefix="wordnet30-") as tmp:
        for f in files:
            shutil.copyfile(src / f, Path(tmp, f))
        lines = [f"{i:02d}\t{n}\t{_SYNTACTIC_CATEGORY[n.split('.')[0]]}\n" for i, n in enumerate(LEXNAMES)]
        Path(tmp, "lexnames").write_text("".join(lines), encoding="ascii")
        nltk.data.path.append(tmp)  # nltk.pathsec only opens files under its data paths
        try:
            with warnings.catch_warnings():  # "multilingual functions are not available": expected
                warnings.simplefilter("ignore")
                reader = _WordNet30Reader(tmp, None)
            try:
                yield reader
            finally:
                for handle in reader._data_file_map.values():
                    handle.close()
        finally:
            nltk.data.path.remove(tmp)


def check_wordnet_dir(wordnet_dir: str | Path) -> tuple[str, ...]:
    """The database files nltk needs, after checking they are all in ``wordnet_dir``."""
    files = _wordnet_files()
    missing = [f for f in files if not Path(wordnet_dir, f).is_file()]
    if missing:
        raise WordNetNotFound(
            f"WordNet 3.0 not found in {wordnet_dir} (missing {', '.join(missing)}); "
            f"install it with `{INSTALL_HINT}` or pass --wordnet-dir"
        )
    return files


def synset_id(synset) -> str:
    """ImageNet-style id of an nltk noun synset: ``n`` + 8-digit offset."""
    return f"{synset.pos()}{synset.offset():08d}"


# ---- plurals --------------------------------------------------------------------------------
def read_noun_exceptions(wordnet_dir: str | Path) -> dict[str, list[str]]:
    """WordNet's noun.exc inverted: base form -> irregular plurals (``mouse -> [mice]``)."""
    plurals: dict[str, list[str]] = defaultdict(list)
    for line in Path(wordnet_dir, "noun.exc").read_text(encoding="latin-1").splitlines():
        inflected, *bases = line.split()
        for base in bases:
            plurals[base.replace("_", " ")].append(inflected.replace("_", " "))
    return dict(plurals)


def plural_forms(word: str, exceptions: dict[str, list[str]]) -> list[str]:
    """Plural forms of a (normalised) noun phrase; multi-word names pluralise the last word."""
    if " of " in word:  # "man of war" -> "men of war"
        first, _, rest = word.partition(" of ")
        return [f"{f} of {rest}" for f in plural_forms(first, exceptions)]
    head, _, last = word.rpartition(" ")
    prefix = f"{head} " if head else ""
    if word in exceptions:  # a multi-word exception, or a whole single word
        forms = list(exceptions[word])
        if word in _IRREGULAR_ONLY:
            return forms
        return forms + [f for f in _regular_plural(last) if prefix + f not in forms]
    forms: list[str] = []
    if last in exceptions:
        forms += exceptions[last]
        if last in _IRREGULAR_ONLY:
            return [prefix + f for f in forms]
    if last in INVARIANT_PLURALS or last.endswith(("fish", "sheep", "deer")):
        forms.append(last)
        if last in _ONLY_INVARIANT or last.endswith(("fish", "sheep", "deer")):
            return [prefix + f for f in dict.fromkeys(forms)]
    forms += _regular_plural(last)
    return [prefix + f for f in dict.fromkeys(forms)]


def _regular_plural(word: str) -> list[str]:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return [word + "es"]
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return [word[:-1] + "ies"]
    if word in _O_ES:
        return [word + "es", word + "s"]
    return [word + "s"]


# ---- the build ------------------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class _Candidate:
    """A claim that surface form -> synset; the smallest wins (deterministically)."""

    rank: int  # 0 hand table, 1 singular lemma, 2 plural of a lemma, 3 lemma that is itself a plural
    minus_count: int  # - WordNet sense frequency (cntlist) of the lemma in that synset
    sense_number: int  # 1-based position of the synset among the lemma's noun senses
    id: str
    plural: bool


def animal_synsets(wn) -> list:
    """animal.n.01 and everything under it (hyponyms and instance hyponyms), sorted by id, less
    :data:`EXCLUDED_SUBTREES`."""

    def below(synset) -> set:
        return set(synset.closure(lambda s: s.hyponyms() + s.instance_hyponyms()))

    root = wn.synset("animal.n.01")
    keep = below(root) | {root}
    for name in EXCLUDED_SUBTREES:
        keep -= below(wn.synset(name)) | {wn.synset(name)}
    return sorted(keep, key=synset_id)


def build_lexicon(wordnet_dir: str | Path = WORDNET_DIR, *, progress: bool = False) -> Lexicon:
    """The animal lexicon from the WordNet 3.0 files in ``wordnet_dir``."""
    check_wordnet_dir(wordnet_dir)
    exceptions = read_noun_exceptions(wordnet_dir)
    with open_wordnet(wordnet_dir) as wn:
        return _build(wn, exceptions, progress=progress)


def _build(wn, exceptions: dict[str, list[str]], *, progress: bool) -> Lexicon:
    from tqdm import tqdm

    animals = animal_synsets(wn)
    if synset_id(wn.synset("animal.n.01")) != ANIMAL_ROOT:
        raise WordNetNotFound(f"animal.n.01 is not {ANIMAL_ROOT}: these files are not WordNet 3.0")
    by_name = {s.name(): s for s in animals}
    ids = {synset_id(s) for s in animals}
    tables = {"NAME_OVERRIDES": NAME_OVERRIDES, "EVERYDAY_TERMS": EVERYDAY_TERMS.values()}
    for table, keys in tables.items():
        unknown = sorted(set(keys) - set(by_name))
        if unknown:
            raise ValueError(f"{table} names synsets outside the animal tree: {unknown}")

    synsets: dict[str, Synset] = {}
    candidates: dict[str, list[_Candidate]] = defaultdict(list)
    # Lemmas that are themselves plurals of another animal lemma ("cows", "oxen" in cattle.n.01)
    # lose to the singular's own plural: "oxen" -> ox, not cattle.
    lemma_plurals = {
        form
        for s in animals
        for lemma in s.lemma_names()
        for form in plural_forms(normalize(lemma), exceptions)
        if form != normalize(lemma)
    }

    for s in tqdm(animals, desc="animal synsets", disable=not progress):
        sid = synset_id(s)
        parents = {synset_id(p) for p in s.hypernyms() + s.instance_hypernyms()} & ids
        lemmas = tuple(s.lemma_names())
        name = NAME_OVERRIDES.get(s.name(), lemmas[0].replace("_", " "))
        synsets[sid] = Synset(sid, name, lemmas, tuple(sorted(parents)))
        for lemma in s.lemmas():
            text = normalize(lemma.name())
            count, sense = lemma.count(), _sense_number(wn, lemma.name(), s)
            is_plural = text in lemma_plurals
            candidates[text].append(_Candidate(3 if is_plural else 1, -count, sense, sid, is_plural))
            # no plurals for Latin binomials or individuals (Secretariat the racehorse)
            if not is_plural and not s.instance_hypernyms() and not _is_scientific(wn, lemma.name()):
                for form in plural_forms(text, exceptions):
                    if form != text:
                        candidates[form].append(_Candidate(2, -count, sense, sid, True))

    hand: dict[str, str] = {text: synset_id(by_name[n]) for text, n in EVERYDAY_TERMS.items()}
    for n, name in NAME_OVERRIDES.items():
        hand.setdefault(name, synset_id(by_name[n]))
    for text, sid in hand.items():
        text = normalize(text)
        candidates[text].append(_Candidate(0, 0, 0, sid, False))
        for form in plural_forms(text, exceptions):
            if form != text:
                candidates[form].append(_Candidate(0, 0, 0, sid, True))

    # "st bernard" (WordNet) is also written "st. bernard", and "st. x" also "st x"
    for text in list(candidates):
        for variant in (" ".join(text.replace(".", " ").split()), _dotted_saint(text)):
            if variant not in candidates:
                candidates[variant] = list(candidates[text])

    terms: dict[str, Term] = {}
    for text in sorted(candidates):
        best = min(candidates[text])
        terms[text] = Term(text, best.id, best.plural, _is_ambiguous(wn, text, ids, exceptions))

    meta = {
        "source": "WordNet 3.0, Princeton University (Debian packages wordnet-base, wordnet-sense-index)",
        "wordnet_version": "3.0",
        "license": "WordNet 3.0 license, see WORDNET_LICENSE next to this file",
        "root": ANIMAL_ROOT,
        "build_command": "python scripts/build_lexicon.py --wordnet-dir /usr/share/wordnet "
        "--output animal_verifier/data/animal_lexicon.json",
        "excluded_subtrees": [synset_id(wn.synset(n)) for n in EXCLUDED_SUBTREES],
        "synsets": len(synsets),
        "terms": len(terms),
    }
    return Lexicon(synsets, terms, meta)


def _dotted_saint(text: str) -> str:
    return "st. " + text[3:] if text.startswith("st ") else text


def _sense_number(wn, lemma_name: str, synset) -> int:
    return [s for s in wn.synsets(lemma_name, "n")].index(synset) + 1


def _is_scientific(wn, lemma_name: str) -> bool:
    """A Latin binomial ("Felis_domesticus"): its first word is a WordNet genus ("genus_Felis")."""
    first, sep, _ = lemma_name.partition("_")
    if not sep or not first[:1].isupper():
        return False
    return bool(wn.synsets(f"genus_{first}", "n")) or any(
        "genus" in h.name() for s in wn.synsets(first, "n") for h in s.hypernyms() + s.instance_hypernyms()
    )


def _is_ambiguous(wn, text: str, animal_ids: set[str], exceptions: dict[str, list[str]]) -> bool:
    """Does this surface form need context to be an animal?"""
    words = text.split()
    if text in NOT_AMBIGUOUS:
        return False
    if text in AMBIGUOUS or (len(words) == 1 and _singular(text, exceptions) in AMBIGUOUS):
        return True
    return _usually_not_an_animal(wn, text, animal_ids) or (
        (single := _singular(text, exceptions)) != text
        and single not in NOT_AMBIGUOUS
        and _usually_not_an_animal(wn, single, animal_ids)
    )


def _singular(text: str, exceptions: dict[str, list[str]]) -> str:
    for base, forms in exceptions.items():
        if text in forms:
            return base
    for suffix, repl in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("xes", "x"), ("ses", "s"), ("s", "")):
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            return text[: -len(suffix)] + repl
    return text


def _usually_not_an_animal(wn, text: str, animal_ids: set[str]) -> bool:
    """WordNet's most frequent noun sense of ``text`` is not an animal and outweighs every animal
    sense in the sense-tagged corpus counts (SemCor): "game", "worker", "crane"."""
    senses = wn.synsets(text.replace(" ", "_"), "n")
    if not senses or synset_id(senses[0]) in animal_ids:
        return False

    def count(s) -> int:
        return max((lemma.count() for lemma in s.lemmas() if normalize(lemma.name()) == text), default=0)

    other = max(count(s) for s in senses if synset_id(s) not in animal_ids)
    animal = max((count(s) for s in senses if synset_id(s) in animal_ids), default=0)
    return other >= 2 and other > animal  # a count of 1 is one tagged sentence: no evidence


# ---- look-alikes ----------------------------------------------------------------------------
def lookalikes_json() -> dict:
    """The curated non-animal look-alike phrases, in the form of ``data/lookalikes.json``."""
    return {
        "meta": {
            "about": "Common non-animal phrases containing an animal word (hard negatives); hand-curated, "
            "see animal_verifier_train/wordnet/lexicon_builder.py LOOKALIKES.",
        },
        "phrases": [{"text": text, "word": word, "is": what} for text, word, what in LOOKALIKES],
    }
