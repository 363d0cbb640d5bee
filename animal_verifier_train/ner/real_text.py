"""Real sentences nobody on the team wrote: Debian ``fortunes`` and WordNet 3.0 example sentences.

Two jobs. ``extract_candidates`` reads the installed Debian files and keeps the short sentences that
contain an animal word or a look-alike of one (``bull market``, ``Jaguar``, ``mouse``), each with its
provenance, so a person can hand-label a held-out NER set from them. ``load_real_text_set`` reads that
hand-labelled set back and checks it, for the evaluation and the tests.

Every sentence keeps a source id that finds it again in the Debian files:

- ``fortunes:<file>#<n>``: the n-th (0-based) ``%``-separated entry of ``/usr/share/games/fortunes/<file>``;
- ``wordnet:<pos><offset>#<k>``: the k-th (0-based) double-quoted example in the gloss of a WordNet 3.0
  synset (``pos`` is WordNet's ss_type letter, n v a s r; offset is 8 digits, as in ImageNet ids).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from animal_verifier.constants import LABEL
from animal_verifier_train.wordnet import WORDNET_DIR

FORTUNES_DIR = Path("/usr/share/games/fortunes")
WORDNET_DATA_FILES = ("data.noun", "data.verb", "data.adj", "data.adv")
MAX_CHARS = 300  # a sentence or a short fortune; longer fortunes are stories, not claims
DEFAULT_SET_PATH = Path("assets/real_text/real_text_ner.json")

SOURCE_RE = re.compile(
    r"^(?:fortunes:(?P<file>[a-z][a-z0-9-]*)#(?P<n>\d+)"
    r"|wordnet:(?P<pos>[nvasr])(?P<offset>\d{8})#(?P<k>\d+))$"
)

_OVERSTRIKE = re.compile(r".\x08")  # "_\bx" (underline) and "x\bx" (bold) in old fortune files
_SPACE = re.compile(r"\s+")
_QUOTED = re.compile(r'"([^"]+)"')


class RealTextError(ValueError):
    """A real-text file or source id that cannot be read; the message names the file and entry."""


@dataclass(frozen=True)
class RealSentence:
    text: str
    source: str


@dataclass(frozen=True)
class Candidate:
    text: str
    source: str
    hits: tuple[str, ...] = field(default=())  # the candidate words found, lower case, in text order


def clean_text(raw: str) -> str:
    """One line, single spaces, no terminal overstrike codes."""
    return _SPACE.sub(" ", _OVERSTRIKE.sub("", raw)).strip()


# ---- reading the Debian files ---------------------------------------------------------------
def fortune_files(directory: Path = FORTUNES_DIR) -> list[Path]:
    """The fortune databases: plain files that have a ``.dat`` index (not the ``.u8`` links)."""
    return sorted(
        p for p in directory.iterdir() if p.is_file() and not p.is_symlink() and p.with_suffix(".dat").exists()
    )


def iter_fortunes(directory: Path = FORTUNES_DIR) -> Iterator[RealSentence]:
    for path in fortune_files(directory):
        entries = path.read_text(encoding="utf8", errors="replace").split("\n%\n")
        for n, entry in enumerate(entries):
            yield RealSentence(clean_text(entry.removesuffix("\n%")), f"fortunes:{path.name}#{n}")


def iter_wordnet_examples(directory: Path = WORDNET_DIR) -> Iterator[RealSentence]:
    """The quoted example sentences of every synset gloss, in file and offset order."""
    for name in WORDNET_DATA_FILES:
        with open(directory / name, encoding="utf8") as f:
            for line in f:
                if line.startswith("  ") or " | " not in line:  # licence header
                    continue
                head, gloss = line.split(" | ", 1)
                offset, _lexfile, pos = head.split(" ", 3)[:3]
                for k, example in enumerate(_QUOTED.findall(gloss)):
                    yield RealSentence(clean_text(example), f"wordnet:{pos}{offset}#{k}")


def iter_real_sentences(fortunes_dir: Path = FORTUNES_DIR, wordnet_dir: Path = WORDNET_DIR) -> Iterator[RealSentence]:
    yield from iter_fortunes(fortunes_dir)
    yield from iter_wordnet_examples(wordnet_dir)


def resolve_source(source: str, fortunes_dir: Path = FORTUNES_DIR, wordnet_dir: Path = WORDNET_DIR) -> str:
    """The cleaned text a source id points at, read again from the Debian files."""
    m = SOURCE_RE.match(source)
    if m is None:
        raise RealTextError(f"malformed source id {source!r}")
    if m["file"]:
        path = fortunes_dir / m["file"]
        entries = path.read_text(encoding="utf8", errors="replace").split("\n%\n")
        n = int(m["n"])
        if n >= len(entries):
            raise RealTextError(f"{path} has {len(entries)} entries, no #{n}")
        return clean_text(entries[n].removesuffix("\n%"))
    name = {"n": "data.noun", "v": "data.verb", "a": "data.adj", "s": "data.adj", "r": "data.adv"}[m["pos"]]
    with open(wordnet_dir / name, encoding="utf8") as f:
        f.seek(int(m["offset"]))  # WordNet offsets are byte offsets into the data file
        line = f.readline()
    if not line.startswith(m["offset"] + " ") or " | " not in line:
        raise RealTextError(f"no synset at offset {m['offset']} in {wordnet_dir / name}")
    examples = _QUOTED.findall(line.split(" | ", 1)[1])
    k = int(m["k"])
    if k >= len(examples):
        raise RealTextError(f"synset {m['pos']}{m['offset']} has {len(examples)} examples, no #{k}")
    return clean_text(examples[k])


# ---- finding candidates ---------------------------------------------------------------------
# Our own word list (the lexicon is not needed): everyday animal names, and words or phrases whose usual
# sense in running text is not an animal. Both only choose sentences for a person to read and label.
ANIMAL_WORDS = """
animal beast creature pet critter wildlife livestock cattle poultry vermin fauna mammal reptile amphibian
bird fish insect spider worm snail slug
dog puppy pup hound cat kitten kitty horse pony foal colt mare stallion donkey mule cow bull calf ox steer
heifer sheep lamb ram ewe goat kid pig hog piglet boar sow chicken hen rooster chick duck duckling drake
goose gosling turkey rabbit bunny hare mouse rat hamster guinea-pig gerbil squirrel chipmunk beaver
otter weasel ferret mink skunk raccoon badger hedgehog mole bat deer fawn doe buck stag elk moose reindeer
caribou antelope gazelle giraffe zebra camel llama elephant rhinoceros rhino hippopotamus hippo lion
lioness tiger leopard jaguar cheetah panther cougar puma lynx bobcat wolf fox coyote jackal hyena bear
panda koala kangaroo wallaby monkey ape gorilla chimpanzee chimp orangutan baboon lemur sloth armadillo
whale dolphin porpoise seal walrus shark salmon trout cod tuna herring sardine eel carp pike bass perch
goldfish minnow octopus squid crab lobster shrimp oyster clam mussel jellyfish starfish frog toad newt
lizard snake serpent python cobra viper rattlesnake turtle tortoise alligator crocodile dinosaur
eagle hawk falcon owl vulture crow raven sparrow robin pigeon dove parrot penguin ostrich swan pelican
stork crane heron flamingo seagull gull canary finch lark nightingale woodpecker swallow peacock
bee wasp hornet ant termite fly mosquito flea louse lice tick butterfly moth beetle bug cockroach roach
grasshopper cricket caterpillar ladybug dragonfly firefly scorpion lemming gnu yak bison buffalo
""".split()

IRREGULAR_PLURALS = {
    "mouse": "mice", "goose": "geese", "ox": "oxen", "louse": "lice", "wolf": "wolves", "calf": "calves",
    "fish": "fish", "sheep": "sheep", "deer": "deer", "moose": "moose", "bison": "bison",
    "octopus": "octopuses", "cattle": "cattle", "vermin": "vermin", "wildlife": "wildlife",
    "livestock": "livestock", "poultry": "poultry", "fauna": "fauna", "lice": "lice",
}  # fmt: skip

LOOKALIKE_PHRASES = """
hot-dog hotdog bull-market bear-market bullshit bull-session cock-and-bull pig-iron horsepower horse-power
red-herring copycat catwalk cat's-eye catnap dog-eared dogfight dog-tired dogma underdog top-dog
teddy-bear teddy rubber-duck lame-duck sitting-duck dead-duck cold-turkey white-elephant dark-horse
trojan-horse hobby-horse high-horse clotheshorse sawhorse rocking-horse charley-horse
wild-goose-chase goose-egg goosebumps goose-pimples scapegoat eager-beaver rat-race pack-rat mall-rat
road-hog hogwash mousetrap mousetraps guinea-pig bookworm earworm worm-hole wormhole computer-mouse mouse-pad mousepad
monkey-wrench monkey-business grease-monkey butterflies frog-in-throat crocodile-tears loan-shark
card-shark pool-shark bull's-eye bullseye bulldozer bullfrog cowboy cowgirl cowlick horseradish
jaguar mustang beetle bronco puma firefox thunderbird penguin python camel gnu tux apache
spelling-bee queen-bee drone flea-market ponytail pigtail pigtails piggyback piggy-bank
cat-and-mouse raining-cats-and-dogs let-the-cat-out dog-days dog-eat-dog hair-of-the-dog
the-birds-and-the-bees early-bird bird-brain jailbird night-owl night-hawk lone-wolf wolf-whistle
sheepish black-sheep lion's-share paper-tiger fat-cat cool-cat scaredy-cat hellcat polecat
chicken-out chickened chickens-out chicken-feed spring-chicken ducking ducked
""".split()


def _forms(word: str) -> set[str]:
    if word in IRREGULAR_PLURALS:
        return {word, IRREGULAR_PLURALS[word]}
    if word.endswith(("s", "x", "ch", "sh")):
        return {word, word + "es"}
    if word.endswith("y") and word[-2] not in "aeiou":
        return {word, word[:-1] + "ies"}
    return {word, word + "s"}


def _pattern() -> re.Pattern[str]:
    forms: set[str] = set()
    for word in ANIMAL_WORDS:
        forms |= _forms(word.replace("-", " "))
    forms |= {phrase.replace("-", " ") for phrase in LOOKALIKE_PHRASES}
    forms -= {"does"}  # the verb outnumbers female deer a hundred to one
    # a space in a form matches a space, a hyphen or nothing: "hot dog", "hot-dog", "hotdog"
    alternation = "|".join(re.escape(f).replace(r"\ ", r"[\s-]?") for f in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)


CANDIDATE_RE = _pattern()


def find_hits(text: str) -> tuple[str, ...]:
    return tuple(m.group(0).lower() for m in CANDIDATE_RE.finditer(text))


def extract_candidates(sentences: Iterator[RealSentence], max_chars: int = MAX_CHARS) -> list[Candidate]:
    """Short sentences with at least one candidate word, first occurrence of each text only."""
    seen: set[str] = set()
    found = []
    for s in sentences:
        if not s.text or len(s.text) >= max_chars or s.text in seen:
            continue
        hits = find_hits(s.text)
        if hits:
            seen.add(s.text)
            found.append(Candidate(s.text, s.source, hits))
    return found


# ---- the hand-labelled set ------------------------------------------------------------------
def validate_example(example: object, where: str) -> None:
    """Raise RealTextError naming ``where`` unless the example is a well-formed labelled sentence."""
    if not isinstance(example, dict):
        raise RealTextError(f"{where}: expected an object, got {type(example).__name__}")
    missing = {"text", "entities", "source", "lookalike"} - example.keys()
    if missing:
        raise RealTextError(f"{where}: missing keys {sorted(missing)}")
    text, entities = example["text"], example["entities"]
    if not isinstance(text, str) or not text.strip():
        raise RealTextError(f"{where}: empty text")
    if not isinstance(example["lookalike"], bool):
        raise RealTextError(f"{where}: 'lookalike' must be true or false")
    if not isinstance(example["source"], str) or not SOURCE_RE.match(example["source"]):
        raise RealTextError(f"{where}: malformed source id {example['source']!r}")
    previous_end = 0
    for span in sorted(entities, key=lambda e: (e[0], e[1]) if isinstance(e, list) and len(e) == 3 else (0, 0)):
        if not (isinstance(span, list) and len(span) == 3 and all(isinstance(i, int) for i in span[:2])):
            raise RealTextError(f"{where}: entity {span!r} is not [start, end, label]")
        start, end, label = span
        if label != LABEL:
            raise RealTextError(f"{where}: unknown label {label!r} (only {LABEL})")
        if not 0 <= start < end <= len(text):
            raise RealTextError(f"{where}: span {span!r} out of range for a text of {len(text)} characters")
        if start < previous_end:
            raise RealTextError(f"{where}: span {span!r} overlaps the one before it")
        if text[start:end] != text[start:end].strip():
            raise RealTextError(f"{where}: span {span!r} starts or ends with whitespace")
        previous_end = end


def load_real_text_set(path: str | Path = DEFAULT_SET_PATH) -> list[dict]:
    """The hand-labelled real-text NER set, checked entry by entry; held out from training."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf8"))
    except (OSError, json.JSONDecodeError) as err:
        raise RealTextError(f"{path}: cannot read the real-text set: {err}") from err
    if not isinstance(data, list):
        raise RealTextError(f"{path}: expected a JSON list of examples")
    seen: dict[str, int] = {}
    for i, example in enumerate(data):
        validate_example(example, f"{path} entry {i}")
        if example["text"] in seen:
            raise RealTextError(f"{path} entry {i}: duplicate of entry {seen[example['text']]}")
        seen[example["text"]] = i
    return data


def held_out_texts(path: str | Path = DEFAULT_SET_PATH) -> frozenset[str]:
    """Texts a training-data generator must not use (it may read the same WordNet examples)."""
    return frozenset(e["text"] for e in load_real_text_set(path))
