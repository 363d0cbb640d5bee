"""What "true" means: each animal mention is a claim, judged against P(animal | image).

Pure logic, no spaCy and no image model, so the verdict table (docs/design.md) can be read and tested on
its own. One rule with an uncertain band decides everything: the photo shows no animal only when the total
animal probability is under the low ``no_animal`` threshold, and then every present-claim is contradicted;
from there up a claim is judged by its own probability alone: a present-claim holds when it is high, an
absent-claim when it is low; in between, or when the image model has no class at or below the animal, the
claim can't be checked ("not sure"). No claim is ever contradicted because of an animal probability at or
above ``no_animal``.
When the photo shows an animal the model cannot name (near-OOD, :mod:`animal_verifier.vision.ood`), only
claims as broad as what it is sure of ("an animal", "a mammal") can be supported: a species it would
otherwise confirm is unverifiable, so a giraffe read as a gecko never confirms "there is a gecko".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from animal_verifier.vision.calibration import Thresholds
from animal_verifier.vision.ood import KNOWN, NEAR_OOD

SUPPORTED, CONTRADICTED, UNVERIFIABLE = "supported", "contradicted", "unverifiable"


# Used when a model's labels.json has no calibrated thresholds of its own.
DEFAULT_THRESHOLDS = Thresholds(present=0.5, absent=0.1, animal=0.3, no_animal=0.3)


@dataclass(frozen=True)
class Mention:
    text: str
    canonical: str | None  # everyday singular noun, None when the mention isn't in the lexicon
    wordnet_id: str | None
    negated: bool


@dataclass(frozen=True)
class Claim:
    text: str
    animal: str
    wordnet_id: str | None
    negated: bool
    probability: float | None  # P(animal | image); None when it can't be computed
    verdict: str
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Verdict:
    claims: tuple[Claim, ...]
    match: bool | None  # None: not sure (no claim contradicted, some not supported), or no image
    reason: str


def _claim(m: Mention, p: float | None, verdict: str, reason: str) -> Claim:
    return Claim(m.text, m.canonical or m.text, m.wordnet_id, m.negated, p, verdict, reason)


def judge(
    mention: Mention,
    concept_probability: Callable[[str], float | None] | None,
    animal_probability: float | None,
    seen: str | None,
    t: Thresholds,
    outcome: str = KNOWN,
    seen_probability: float | None = None,
) -> Claim:
    """One claim's verdict. ``concept_probability`` is None when there is no image; ``outcome`` and
    ``seen_probability`` (P of the name the image was given) are the image side's OOD outcome."""
    name = mention.canonical or mention.text
    if concept_probability is None or animal_probability is None:
        return _claim(mention, None, UNVERIFIABLE, "no image to check against")
    if mention.wordnet_id is None:
        return _claim(mention, None, UNVERIFIABLE, f"'{mention.text}' is not an animal the lexicon knows")
    p = concept_probability(mention.wordnet_id)
    if animal_probability < t.no_animal:
        verdict = SUPPORTED if mention.negated else CONTRADICTED
        return _claim(mention, p, verdict, f"the photo shows no animal (P(animal) = {animal_probability:.2f})")
    if p is None:
        extra = f"; it sees a {seen}" if seen else ""
        return _claim(mention, None, UNVERIFIABLE, f"the image model has no class for {name}{extra}")
    high, low = p >= t.present, p < t.absent
    if mention.negated:
        if low:
            return _claim(mention, p, SUPPORTED, f"no {name} in the photo (P = {p:.2f})")
        if high:
            return _claim(mention, p, CONTRADICTED, f"the text says no {name}, but the photo shows one (P = {p:.2f})")
    else:
        if high and outcome == NEAR_OOD and (seen_probability is None or p < seen_probability):
            return _claim(
                mention, p, UNVERIFIABLE, f"the photo shows an animal the model cannot name, so not a {name} for sure"
            )
        if high:
            return _claim(mention, p, SUPPORTED, f"the photo shows a {name} (P = {p:.2f})")
        if low:
            seen_part = f"; it shows a {seen}" if seen else ""
            return _claim(mention, p, CONTRADICTED, f"no {name} in the photo (P = {p:.2f}){seen_part}")
    band = (
        f"; not sure there is an animal, P(animal) = {animal_probability:.2f}" if animal_probability < t.animal else ""
    )
    return _claim(mention, p, UNVERIFIABLE, f"not sure about {name} (P = {p:.2f}{band})")


def verify(
    mentions: Sequence[Mention],
    concept_probability: Callable[[str], float | None] | None,
    animal_probability: float | None,
    seen: str | None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    outcome: str = KNOWN,
    seen_probability: float | None = None,
) -> Verdict:
    """All claims of a statement: ``match`` is True when every claim is supported, False when one is
    contradicted (or the text makes no claim), None when none is contradicted but some can't be told."""
    claims = tuple(
        judge(m, concept_probability, animal_probability, seen, thresholds, outcome, seen_probability) for m in mentions
    )
    if concept_probability is None:
        return Verdict(claims, None, "no image given: the text was read but not checked")
    if not claims:
        return Verdict(claims, False, "the text names no animal, so it makes no claim to check")
    contradicted = [c for c in claims if c.verdict == CONTRADICTED]
    if contradicted:
        return Verdict(claims, False, f"{CONTRADICTED}: {contradicted[0].reason}")
    unsure = [c for c in claims if c.verdict != SUPPORTED]
    if unsure:
        return Verdict(claims, None, f"{UNVERIFIABLE}: {unsure[0].reason}")
    return Verdict(claims, True, "every claim is supported by the photo")
