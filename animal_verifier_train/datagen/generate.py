"""Build the train/val/test NER corpus: generated sentences about photos plus real WordNet text.

Mix per split (defaults): 60% sentences naming animals (claims, hedges, questions, negations,
contrasts, several animals, chatty ones, ones next to a look-alike, longer real-text shapes),
28% hard negatives with no animal (look-alike senses, animal words as verbs, idioms and
modifiers, mythical creatures, people's and places' names, bylines and titles, animal frames
filled with things, plain photo captions, and the animal captions ("Dog", "MY CAT") filled with
things, about as many as the animal ones, so a lone noun does not mean "animal"), 12% real
WordNet sentences (train and val only).
A few sentences of any kind end in an attribution ("-- Mark Twain").

The test split measures generalisation: whole templates and whole name families are held out of
train and val, and every generated test sentence uses a held-out template, held-out names, or
both. The held-out templates are marked in the template files (``heldout: true``), so adding or
moving a template never changes which of the others the test split gets; the held-out name
families are drawn with the configured random seed.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import cache, cached_property
from pathlib import Path

import spacy

from animal_verifier.constants import LABEL
from animal_verifier.ontology.lexicon import Lexicon
from animal_verifier.text.negation import is_negated
from animal_verifier_train.datagen.common_nouns import common_nouns
from animal_verifier_train.datagen.match import TermMatcher
from animal_verifier_train.datagen.names import NamePool, NameSampler
from animal_verifier_train.datagen.proper_names import ProperNames, read_instance_names
from animal_verifier_train.datagen.render import Filler, Rendered, byline, finish, render_template
from animal_verifier_train.datagen.templates import Template, default_templates, heldout_ids
from animal_verifier_train.datagen.validate import DatagenError, validate_records
from animal_verifier_train.datagen.wordnet_text import (
    RealSentence,
    SenseStats,
    WordNetText,
    load_tagger,
    text_key,
)
from animal_verifier_train.wordnet import WORDNET_DIR

SPLITS = ("train", "val", "test")
FILE_NAMES = {split: f"{split}_ner_dataset.json" for split in SPLITS}
MANIFEST = "split_manifest.json"

#: Share of each kind among the sentences that name animals.
ANIMAL_KINDS = {
    "claim": 20,
    "hedge": 10,
    "question": 12,
    "negation": 22,
    "contrast": 9,
    "multi": 13,
    "casual": 8,
    "mixed": 9,
    "saying": 12,
}
#: Share of each kind among the hard negatives.
HARD_KINDS = {"lookalike": 25, "thing": 20, "plain": 10, "idiom": 27, "proper": 18, "caption": 18}
#: Hard-negative kinds whose template words use animal words in another sense.
LOOKALIKE_KINDS = ("lookalike", "idiom", "proper")
#: Chance that any other sentence gets an attribution after it.
BYLINE_SHARE = 0.03
#: The share of each kind's templates marked ``heldout: true`` in the template files. Marks in the
#: data, not a draw over list positions, keep the test split's templates fixed when templates are
#: added or moved; so ``heldout_templates`` only switches them on (this value) or off (0).
MARKED_HELDOUT_SHARE = 0.15


@dataclass
class DatagenConfig:
    seed: int = 0
    n_train: int = 6000
    n_val: int = 800
    n_test: int = 800
    heldout_names: float = 0.15  # share of name families only the test split sees
    heldout_templates: float = MARKED_HELDOUT_SHARE  # 0: no template is kept for the test split
    real_share: float = 0.12  # WordNet sentences in train and val
    hard_negative_share: float = 0.28
    heldout_proper_names: float = 0.2  # share of people's and places' names only the test split sees
    wordnet_dir: str = str(WORDNET_DIR)
    exclude_texts: frozenset[str] = field(default_factory=frozenset)  # never emit these (e.g. eval sets)

    def sizes(self) -> dict[str, int]:
        return {"train": self.n_train, "val": self.n_val, "test": self.n_test}


@dataclass
class Corpus:
    splits: dict[str, list[dict]]
    manifest: dict

    def slice_counts(self) -> dict[str, dict[str, int]]:
        out = {}
        for split, records in self.splits.items():
            c = Counter(s for r in records for s in r.get("slices", ()))
            out[split] = {"all": len(records), **dict(sorted(c.items()))}
        return out


@dataclass
class Resources:
    """What every corpus needs whatever the random seed; built once per lexicon and WordNet folder."""

    lexicon: Lexicon
    wordnet_dir: str

    def __post_init__(self):
        self.nlp = spacy.blank("en")
        self.senses = SenseStats(self.lexicon, self.wordnet_dir)
        self.pool = NamePool(self.lexicon, keep=self.senses.usually_animal)
        self.matcher = TermMatcher(self.lexicon, self.nlp)

    @cached_property
    def wordnet_text(self) -> WordNetText:
        return WordNetText(self.lexicon, self.matcher, self.pool.singular_of, self.senses, self.wordnet_dir)

    @cached_property
    def proper_names(self) -> ProperNames:
        return read_instance_names(self.wordnet_dir)

    @cached_property
    def common_nouns(self) -> tuple[tuple[str, str], ...]:
        return common_nouns(self.lexicon, self.matcher, self.wordnet_dir)

    @cached_property
    def tagger(self):
        return load_tagger()


@cache
def shared_resources(lexicon: Lexicon, wordnet_dir: str) -> Resources:
    return Resources(lexicon, wordnet_dir)


class Generator:
    """Holds what every split needs: names, templates, hold-outs, the matcher, WordNet text."""

    def __init__(self, config: DatagenConfig, lexicon: Lexicon, *, progress: bool = False):
        """Raises :class:`DatagenError` for bad settings, :class:`WordNetTextError` without WordNet."""
        for split, n in config.sizes().items():
            if n < 0:
                raise DatagenError(f"--n-{split} must be >= 0, got {n}")
        for what in ("heldout_names", "heldout_templates", "real_share", "hard_negative_share", "heldout_proper_names"):
            if not 0 <= getattr(config, what) < 1:
                raise DatagenError(f"{what} must be in [0, 1), got {getattr(config, what)}")
        if config.heldout_templates not in (0, MARKED_HELDOUT_SHARE):
            raise DatagenError(
                f"heldout_templates must be {MARKED_HELDOUT_SHARE} (the templates marked heldout in "
                f"animal_verifier_train/datagen/templates/) or 0 (none), got {config.heldout_templates}"
            )
        self.config = config
        self.lexicon = lexicon
        self.progress = progress
        self.resources = shared_resources(lexicon, str(config.wordnet_dir))
        self.nlp = self.resources.nlp
        self.pool = self.resources.pool
        self.matcher = self.resources.matcher
        self.terms = frozenset(lexicon.terms)
        seed = config.seed
        self.heldout_heads = self.pool.choose_heldout(config.heldout_names, random.Random(f"{seed}/names"))
        self.seen_names, self.held_names = self.pool.split(self.heldout_heads)
        self.templates = list(default_templates())
        self.heldout_template_ids = heldout_ids(self.templates) if config.heldout_templates else frozenset()
        self.seen_proper, self.held_proper = self.resources.proper_names.split(
            config.heldout_proper_names, random.Random(f"{seed}/proper")
        )

    # ---- hold-out ------------------------------------------------------------------------
    def is_heldout_term(self, term: str) -> bool:
        return bool(self.pool.term_tokens(term) & self.heldout_heads)

    def _pick_template(
        self, rng: random.Random, kinds: list[str], held: bool, *, things: bool = False, caption: bool = False
    ):
        pool = [
            t
            for t in self.templates
            if t.kind in kinds
            and (t.id in self.heldout_template_ids) == held
            and not (things and (t.animal_only or t.kind == "mixed"))
            and (t.caption or not caption)
        ]
        return rng.choice(pool) if pool else None

    # ---- one sentence --------------------------------------------------------------------
    def animal_record(self, split: str, rng: random.Random) -> dict:
        kind = rng.choices(list(ANIMAL_KINDS), weights=list(ANIMAL_KINDS.values()))[0]
        held_template = held_names = False
        if split == "test":
            r = rng.random()
            held_template, held_names = (True, True) if r < 0.35 else (True, False) if r < 0.65 else (False, True)
        template = self._pick_template(rng, [kind], held_template)
        if template is None:  # no held-out template of this kind: hold out the names instead
            template, held_names = self._pick_template(rng, [kind], False), split == "test"
        names: NameSampler = self.held_names if held_names and self.held_names.names else self.seen_names
        filler = Filler(self.lexicon, rng)
        proper = self.held_proper if split == "test" else self.seen_proper
        rendered = render_template(
            template.pattern,
            filler,
            pick_name=lambda plural, exclude: names.sample(rng, plural=plural, exclude=exclude),
            lookalike_text=kind == "mixed",
            proper=proper,
        )
        tags = self._finish(rendered, template, rng, proper)
        slices = {"question": template.question, "hedge": kind == "hedge", "lookalike": kind == "mixed"}
        slices["heldout_name"] = any(self.is_heldout_term(n.key) for n in rendered.names)
        return self._record(rendered, template, tags, slices)

    def _finish(self, rendered: Rendered, template: Template, rng: random.Random, proper: ProperNames) -> list[str]:
        """Case, punctuation, typos; now and then an attribution after a statement."""
        if rendered.byline is None and not (template.question or template.as_written or template.caption):
            if rng.random() < BYLINE_SHARE:
                rendered.byline = byline(rng, proper)
                rendered.proper = True
        return finish(
            rendered,
            rng,
            question=template.question,
            lexicon_terms=self.terms,
            as_written=template.as_written,
            caption=template.caption,
        )

    def hard_record(self, split: str, rng: random.Random) -> dict:
        kind = rng.choices(list(HARD_KINDS), weights=list(HARD_KINDS.values()))[0]
        held = split == "test" and rng.random() < 0.6
        things = kind in ("thing", "caption")  # an animal frame, or an animal caption, with a thing
        kinds = list(ANIMAL_KINDS) if things else [kind]
        pick = dict(things=things, caption=kind == "caption")
        template = self._pick_template(rng, kinds, held, **pick) or self._pick_template(rng, kinds, False, **pick)
        filler = Filler(self.lexicon, rng, nouns=self.resources.common_nouns)
        proper = self.held_proper if split == "test" else self.seen_proper
        rendered = render_template(
            template.pattern,
            filler,
            pick_name=None,
            thing=things,
            lookalike_text=kind in LOOKALIKE_KINDS,
            proper=proper,
        )
        tags = self._finish(rendered, template, rng, proper)
        look = kind in LOOKALIKE_KINDS or any(p.lookalike for p in rendered.pieces)
        flags = {"question": template.question, "lookalike": look, "idiom": kind == "idiom"}
        return self._record(rendered, template, tags, flags)

    def _record(self, rendered: Rendered, template: Template, tags: list[str], flags: dict) -> dict:
        text = rendered.text
        entities = rendered.entities()
        self._check_generated(rendered, template)
        mentions = [text[s:e] for s, e in entities]
        slices = {
            "negation": self._negated(text, entities),
            "plural": rendered.plural,
            "multiword": any(" " in m or "-" in m for m in mentions),
            "hard_negative": not entities,
            "question": flags.get("question", False),
            "hedge": flags.get("hedge", False),
            "multi_animal": len(entities) > 1,
            "lookalike": flags.get("lookalike", False),
            "typo": "typo" in tags,
            "idiom": flags.get("idiom", False),
            "proper_name": rendered.proper,
            "byline": "byline" in tags,
            "heldout_name": flags.get("heldout_name", False),
            "heldout_template": template.id in self.heldout_template_ids,
        }
        return {
            "text": text,
            "entities": [[s, e, LABEL] for s, e in entities],
            "slices": [k for k, v in slices.items() if v],
            "template": template.id,
        }

    def _check_generated(self, rendered: Rendered, template: Template) -> None:
        """Every entity is an animal term (unless typo'd) and no animal word is left unlabelled
        outside the look-alike parts: a template or filler that breaks this is a bug."""
        text = rendered.text
        entities = rendered.entities()
        exempt, pos = [], 0
        for p in rendered.pieces:
            if p.lookalike:
                exempt.append((pos, pos + len(p.text)))
            pos += len(p.text)
        for m in self.matcher(text):
            inside = any(s <= m.start_char and m.end_char <= e for s, e in entities + exempt)
            stop_word = text[m.start_char : m.end_char].lower() in self.nlp.Defaults.stop_words  # "does"
            if not inside and not m.term.ambiguous and not stop_word and not m.glued:
                raise DatagenError(
                    f"template {template.id}: unlabelled animal word {text[m.start_char : m.end_char]!r} in {text!r}"
                )
        if not rendered.typo_in_entity:
            for s, e in entities:
                if self.lexicon.lookup(text[s:e]) is None:
                    raise DatagenError(f"template {template.id}: entity {text[s:e]!r} is not a lexicon term")

    def _negated(self, text: str, entities: list[tuple[int, int]]) -> bool:
        """Some mention is negated, by the project's own mention-scoped negation rules."""
        doc = self.nlp.make_doc(text)
        return any((span := doc.char_span(s, e)) is not None and is_negated(span) for s, e in entities)

    def real_record(self, sentence: RealSentence) -> dict:
        mentions = [sentence.text[s:e] for s, e in sentence.entities]
        slices = {
            "negation": self._negated(sentence.text, list(sentence.entities)),
            "plural": any(self.lexicon.terms[t].plural for t in sentence.terms),
            "multiword": any(" " in m or "-" in m for m in mentions),
            "hard_negative": not sentence.entities,
            "real": True,
            "multi_animal": len(mentions) > 1,
        }
        _, sid, kind = sentence.source.split(":")
        return {
            "text": sentence.text,
            "entities": [[s, e, LABEL] for s, e in sentence.entities],
            "slices": [k for k, v in slices.items() if v],
            "template": f"wordnet.{kind}",
            "source": f"wordnet:{sid}",
        }

    # ---- whole corpus --------------------------------------------------------------------
    def real_sentences(self) -> dict[str, list[RealSentence]]:
        """WordNet sentences for train and val (disjoint), none with a held-out name."""
        cfg = self.config
        wanted = {s: round(cfg.real_share * cfg.sizes()[s]) for s in ("train", "val")}
        n_pos = {s: round(0.75 * n) for s, n in wanted.items()}
        n_neg = {s: wanted[s] - n_pos[s] for s in wanted}
        if not any(wanted.values()):
            return {"train": [], "val": []}
        pos, neg = self.resources.wordnet_text.sample(
            random.Random(f"{cfg.seed}/real"),
            sum(n_pos.values()),
            sum(n_neg.values()),
            self.resources.tagger,
            allowed=lambda term: not self.is_heldout_term(term),
            exclude=frozenset(map(text_key, cfg.exclude_texts)),
            progress=self.progress,
        )
        return {
            "train": pos[: n_pos["train"]] + neg[: n_neg["train"]],
            "val": pos[n_pos["train"] :] + neg[n_neg["train"] :],
        }

    def generate(self) -> Corpus:
        from tqdm import tqdm

        cfg = self.config
        real = self.real_sentences()
        seen_texts: set[str] = {text_key(t) for t in cfg.exclude_texts}
        splits: dict[str, list[dict]] = {}
        for split in SPLITS:
            n = cfg.sizes()[split]
            rng = random.Random(f"{cfg.seed}/{split}")
            reals = [self.real_record(s) for s in real.get(split, []) if text_key(s.text) not in seen_texts]
            n_real = min(len(reals), n)
            n_hard = round(cfg.hard_negative_share * n)
            plan = ["real"] * n_real + ["hard"] * min(n_hard, n - n_real)
            plan += ["animal"] * (n - len(plan))
            rng.shuffle(plan)
            real_iter = iter(reals)
            records = []
            for item in tqdm(plan, desc=f"{split} sentences", disable=not self.progress):
                if item == "real":
                    record = next(real_iter)
                else:
                    make = self.animal_record if item == "animal" else self.hard_record
                    for _ in range(50):
                        record = make(split, rng)
                        if text_key(record["text"]) not in seen_texts:
                            break
                    else:
                        raise DatagenError(f"{split}: could not make a new sentence in 50 tries (too many asked?)")
                seen_texts.add(text_key(record["text"]))
                records.append(record)
            validate_records(records, self.nlp, split)
            splits[split] = records
        self._check_holdout(splits)
        return Corpus(splits, self.manifest())

    def _check_holdout(self, splits: dict[str, list[dict]]) -> None:
        for split in ("train", "val"):
            for r in splits[split]:
                if r["template"] in self.heldout_template_ids:
                    raise DatagenError(f"{split} uses held-out template {r['template']}")
                for s, e, _ in r["entities"]:
                    term = self.lexicon.lookup(r["text"][s:e])
                    if term is not None and self.is_heldout_term(term.text):
                        raise DatagenError(f"{split} names held-out animal {r['text'][s:e]!r}: {r['text']!r}")

    def manifest(self) -> dict:
        cfg = asdict(self.config)
        cfg["exclude_texts"] = len(self.config.exclude_texts)
        return {
            "config": cfg,
            "heldout_templates": sorted(self.heldout_template_ids),
            "heldout_name_words": sorted(self.heldout_heads),
            "heldout_names": sorted(n.key for n in self.held_names.names),
            "templates": {t.id: t.pattern for t in self.templates},
            "lexicon": {k: self.lexicon.meta.get(k) for k in ("source", "synsets", "terms")},
        }


def generate_corpus(config: DatagenConfig, lexicon: Lexicon, *, progress: bool = False) -> Corpus:
    """All three splits and the manifest, validated, in memory."""
    return Generator(config, lexicon, progress=progress).generate()


def _dump_records(records: list[dict]) -> str:
    """The original project's JSON list, one record per line (so a line number finds a record)."""
    return "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n]\n"


def write_corpus(corpus: Corpus, output_dir: str | Path) -> dict[str, Path]:
    """Write the three splits and the manifest, all or none: everything goes to temporary files
    first; then the old files are moved aside, the new ones renamed into place, and on any
    failure the old ones come back. A reader never sees half a file."""
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    contents = {FILE_NAMES[s]: _dump_records(corpus.splits[s]) for s in SPLITS}
    contents[MANIFEST] = json.dumps(corpus.manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    temps: dict[str, Path] = {}
    backups: dict[str, Path] = {}
    placed: list[str] = []
    try:
        for name, data in contents.items():
            fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{name}.", suffix=".tmp")
            temps[name] = Path(tmp)
            with os.fdopen(fd, "w", encoding="utf8") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
        for name in contents:
            if (out / name).is_file():
                backups[name] = Path(tempfile.mkstemp(dir=out, prefix=f".{name}.", suffix=".old")[1])
                os.replace(out / name, backups[name])
        for name, tmp in temps.items():
            os.replace(tmp, out / name)
            placed.append(name)
    except BaseException:
        for name in placed:
            (out / name).unlink(missing_ok=True)
        for name, old in backups.items():
            if old.exists():
                os.replace(old, out / name)
        raise
    finally:
        for path in [*temps.values(), *backups.values()]:
            path.unlink(missing_ok=True)
    return {name: out / name for name in contents}
