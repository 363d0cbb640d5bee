"""``animal_linker``: ties every ANIMAL entity to its WordNet synset (``span.kb_id_``).

It fits each span to the longest lexicon term there (``linking.repair_span``), links it, and marks
the mention negated or not. A mention it cannot link whose words are all plain English words with
no animal sense ("hiker", "moss"; see :mod:`animal_verifier.text.plain_words`) is dropped
(``drop_plain_words``); one it does not know ("glorp") stays, unlinked. It owns the pipeline's
lexicon: ``initialize`` receives it, ``to_disk`` stores it, and the other components are built
from the same object at ``initialize``.
"""

from collections.abc import Callable, Iterable
from pathlib import Path

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span

from animal_verifier.components.extensions import register_extensions
from animal_verifier.components.serialization import FolderSerializable
from animal_verifier.constants import LABEL, LINKER
from animal_verifier.ontology.lexicon import LEXICON_FILE, Lexicon, load_lexicon
from animal_verifier.text.linking import Linker, repair_span
from animal_verifier.text.negation import is_negated
from animal_verifier.text.plain_words import is_plain_text, load_plain_words

register_extensions()


class AnimalLinker(FolderSerializable):
    def __init__(
        self, name: str = LINKER, lexicon: Lexicon | None = None, label: str = LABEL, drop_plain_words: bool = True
    ):
        self.name = name
        self.label = label
        self.plain_words = load_plain_words() if drop_plain_words else frozenset()
        self.set_lexicon(lexicon or load_lexicon())

    def set_lexicon(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.linker = Linker(lexicon)

    def initialize(
        self, get_examples: Callable[[], Iterable] | None = None, *, nlp: Language | None = None, lexicon=None
    ) -> None:
        """``lexicon``: a Lexicon (``[initialize.components.animal_linker.lexicon]`` in the config) or None
        for the one shipped in the package."""
        self.set_lexicon(lexicon or load_lexicon())

    def __call__(self, doc: Doc) -> Doc:
        ents: list[Span] = []
        old = list(doc.ents)
        for k, ent in enumerate(old):
            if ent.label_ == self.label:
                lo = ents[-1].end if ents else 0
                hi = old[k + 1].start if k + 1 < len(old) else len(doc)
                start, end = repair_span(doc, ent.start, ent.end, self.lexicon, lo, hi)
                term = self.linker.link(doc[start:end].text)
                if term is None and is_plain_text(doc[start:end].text, self.plain_words):
                    continue  # "the hiker": a plain word, no animal
                ent = Span(doc, start, end, ent.label, kb_id=term.id if term else 0)
                ent._.canonical = self.lexicon.name(term.id) if term else None
                ent._.negated = is_negated(ent)
            ents.append(ent)
        doc.ents = ents
        return doc

    # ---- serialisation: the lexicon travels with the pipeline --------------------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if "lexicon" not in exclude:
            srsly.write_json(path / LEXICON_FILE, self.lexicon.to_json())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "AnimalLinker":
        lexicon = Path(path) / LEXICON_FILE
        if "lexicon" not in exclude and lexicon.is_file():  # saved without it: keep the current one
            self.set_lexicon(Lexicon.from_path(lexicon))
        return self


@Language.factory(
    LINKER,
    default_config={"label": LABEL, "drop_plain_words": True},
    assigns=["doc.ents", "token.ent_kb_id", "span._.canonical", "span._.negated"],
    requires=["doc.ents"],
)
def make_animal_linker(nlp: Language, name: str, label: str, drop_plain_words: bool) -> "AnimalLinker":
    return AnimalLinker(name, label=label, drop_plain_words=drop_plain_words)
