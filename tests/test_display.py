"""displaCy rendering of verified Docs: ANIMAL mentions coloured and linked to their WordNet synset."""

import re

import pytest
import spacy

from animal_verifier.constants import LABEL
from animal_verifier.display import COLORS, displacy_data, render_entities, wordnet_url


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": LABEL, "pattern": w} for w in ("puppies", "cat", "blorp")])
    ruler.add_patterns([{"label": "PLACE", "pattern": "Paris"}])
    nlp.add_pipe("animal_linker")
    return nlp


def test_wordnet_url_is_made_from_the_offset():
    assert wordnet_url("n02121808") == "http://wordnet-rdf.princeton.edu/pwn30/02121808-n"
    for bad in ("02121808", "n0212180", "v02121808", ""):
        with pytest.raises(ValueError, match="WordNet noun synset id"):
            wordnet_url(bad)


def test_displacy_data_keeps_animal_mentions_with_their_links(nlp):
    doc = nlp("Two puppies in Paris and no cat, one blorp.")
    data = displacy_data(doc, title="t")
    assert data["text"] == doc.text and data["title"] == "t"
    assert [(doc.text[e["start"] : e["end"]], e["kb_id"], e["kb_url"]) for e in data["ents"]] == [
        ("puppies", "n02084071", wordnet_url("n02084071")),
        ("cat", "n02121808", wordnet_url("n02121808")),
        ("blorp", "", "#"),  # not in the lexicon: shown, not linked
    ]


def test_render_entities_html(nlp):
    docs = [nlp("Two puppies and no cat."), nlp("Nothing here.")]
    html = render_entities(docs, titles=["first", None])
    assert html.count("<mark") == 2 and len(re.findall(rf"{LABEL}\s*<a ", html)) == 2
    assert f'href="{wordnet_url("n02084071")}"' in html and COLORS[LABEL] in html
    assert "first" in html and "Nothing here." in html
    with pytest.raises(ValueError, match="2 docs but 1 titles"):
        render_entities(docs, titles=["x"])
