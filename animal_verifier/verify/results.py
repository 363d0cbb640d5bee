"""One JSON-ready shape for a verified Doc, shared by the CLI, batch files and the HTTP API."""

from __future__ import annotations

from spacy.tokens import Doc

from animal_verifier.constants import LABEL
from animal_verifier.ontology.hedging import UNSURE
from animal_verifier.vision.ood import FAR_OOD, KNOWN, NEAR_OOD

HEADLINES = ("Extracted entities: {entities}", "Predicted class: {predicted}", "Matching result: {match}")
#: how ``match`` reads on the third line: True and False as the original project printed them
MATCH_WORDS = {True: "True", False: "False", None: "not sure"}
#: the predicted class between the two animal thresholds (``predicted_level`` "unsure")
UNSURE_WORDS = "not sure there is an animal"
#: how each OOD outcome (animal_verifier.vision.ood) reads in the CLI
OOD_WORDS = {
    KNOWN: "an animal the model knows",
    NEAR_OOD: "an animal the model cannot name",
    FAR_OOD: "no animal, or not a photo",
}


def entities(doc: Doc) -> list[dict]:
    return [
        {
            "text": ent.text,
            "start": ent.start_char,
            "end": ent.end_char,
            "canonical": ent._.canonical,
            "wordnet_id": ent.kb_id_ or None,
            "negated": bool(ent._.negated),
        }
        for ent in doc.ents
        if ent.label_ == LABEL
    ]


def _round(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


def doc_to_result(doc: Doc) -> dict:
    top5 = doc._.image_top5 or []
    return {
        "text": doc.text,
        "entities": entities(doc),
        "predicted": doc._.image_label,
        "predicted_level": doc._.image_label_level,
        "fine_label": doc._.image_fine_label,
        "top5": [{"label": name, "wordnet_id": sid, "probability": _round(p)} for name, sid, p in top5],
        "animal_probability": _round(doc._.animal_probability),
        "ood": doc._.ood,
        "ood_score": _round(doc._.ood_score),
        "claims": [{**c, "probability": _round(c["probability"])} for c in doc._.claims],
        "match": doc._.match,
        "reason": doc._.match_reason,
    }


def headline_lines(result: dict) -> list[str]:
    """The original project's three lines, then one line per claim with its reason; ``match`` None (not
    sure, or no image) reads "not sure"."""
    predicted = result["predicted"] or ("no animal" if result["animal_probability"] is not None else "no image")
    if result["predicted_level"] == UNSURE:
        predicted = UNSURE_WORDS
    lines = [
        HEADLINES[0].format(entities=[e["text"] for e in result["entities"]]),
        HEADLINES[1].format(predicted=predicted),
        HEADLINES[2].format(match=MATCH_WORDS[result["match"]]),
    ]
    if result["fine_label"]:
        seen = UNSURE_WORDS if result["predicted_level"] == UNSURE else OOD_WORDS.get(result["ood"], result["ood"])
        lines.append(f"  image: {result['fine_label']} (P(animal) = {result['animal_probability']:.2f}; {seen})")
    for claim in result["claims"]:
        absent = "no " if claim["negated"] else ""
        lines.append(f"  - {absent}{claim['animal']}: {claim['verdict']} ({claim['reason']})")
    if not result["claims"]:
        lines.append(f"  - {result['reason']}")
    return lines
