"""The notebooks run: executed with papermill on what the tests build (the rules-NER pipeline, the small
generated corpus), each cell under a time limit, with no error cell; and the committed copies are executed
ones, with their figures, small enough to read on GitHub."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from animal_verifier.constants import LABEL
from animal_verifier.display import wordnet_url
from animal_verifier.ontology.lexicon import load_lexicon
from animal_verifier_train.notebooks import NotebookError, declared_parameters, error_cells, execute, html_outputs
from animal_verifier_train.reports.notebooks import normalise

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DEMO, EDA = NOTEBOOKS / "demo.ipynb", NOTEBOOKS / "EDA.ipynb"
CELL_TIMEOUT = 300  # seconds per cell; the slowest (the batch CLI, loading the pipeline) take a few
MAX_BYTES = 2_000_000


def figures(nb: nbformat.NotebookNode) -> int:
    return sum("image/png" in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))


@pytest.fixture(scope="module")
def demo(full_pipeline) -> nbformat.NotebookNode:
    return execute(DEMO, {"pipeline": full_pipeline}, timeout=CELL_TIMEOUT, progress=False)


@pytest.fixture(scope="module")
def eda(full_pipeline, generated_corpus) -> nbformat.NotebookNode:
    return execute(EDA, {"pipeline": full_pipeline, "corpus": generated_corpus}, timeout=CELL_TIMEOUT, progress=False)


def test_demo_runs_with_no_error_cell(demo):
    assert error_cells(demo) == []
    assert figures(demo) >= 3  # the original example, the levels, the harder sentences


def test_demo_displacy_html_shows_the_animal_mentions_linked_to_wordnet(demo):
    html = "".join(html_outputs(demo, "displacy"))
    assert html, "the cell tagged `displacy` has no HTML output"
    lexicon = load_lexicon()
    # the rules NER reads every lexicon term: these mentions of the cell's sentences are certain
    for mention in ("cat", "puppies", "golden retriever", "geese", "cow", "bull"):
        url = wordnet_url(lexicon.lookup(mention).id)
        pattern = rf"<mark[^>]*>\s*{re.escape(mention)}\s*<span[^>]*>{LABEL}\s*<a [^>]*href=\"{re.escape(url)}\""
        assert re.search(pattern, html), f"{mention!r} is not rendered as an {LABEL} linked to {url}"


def test_eda_runs_with_no_error_cell(eda):
    assert error_cells(eda) == []
    assert figures(eda) >= 6


def test_an_unknown_parameter_is_refused(tmp_path):
    with pytest.raises(NotebookError, match=r"no parameters \['nothing'\]"):
        execute(DEMO, {"nothing": tmp_path}, progress=False)


def test_a_failing_cell_names_the_notebook_and_the_error(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("raise ValueError('broken here')")]
    nb.cells[0].metadata["tags"] = ["parameters"]
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(NotebookError, match=r"broken.ipynb: cell 2 raised ValueError: broken here"):
        execute(path, progress=False)


@pytest.mark.parametrize("path", [DEMO, EDA], ids=lambda p: p.name)
def test_committed_notebook_is_an_executed_one(path):
    """`spacy project run report` publishes the executed ones with their outputs; an edit that was not re-executed,
    an error cell, a missing figure, an absolute path of the machine that ran it, or a bloated file fails."""
    text = path.read_text(encoding="utf8")
    nb = nbformat.reads(text, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code), f"{path.name}: not executed; run `notebooks`, `report`"
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), f"{path.name}: executed out of order"
    assert error_cells(nb) == []
    assert figures(nb) >= 3
    assert str(ROOT) not in text and "/tmp/" not in text
    assert len(text.encode("utf8")) < MAX_BYTES, f"{path.name}: {len(text) / 1e6:.1f} MB; scale its images down"
    assert "parameters" in nb.cells[1].metadata.get("tags", [])


@pytest.mark.parametrize("path", [DEMO, EDA], ids=lambda p: p.name)
def test_committed_notebook_is_a_normalised_one(path):
    """No run metadata, timing, object address or random id, so an unchanged rerun leaves `git status` clean."""
    text = path.read_text(encoding="utf8")
    assert nbformat.writes(normalise(nbformat.reads(text, as_version=4))) == text, (
        f"{path.name}: not normalised; publish it with `spacy project run report`"
    )
    assert not re.search(r" at 0x[0-9a-f]+|\"(?:start|end)_time\"|iopub", text)


def test_two_runs_that_differ_only_in_what_changes_every_run_normalise_to_the_same_bytes(demo):
    """The demo as the tests executed it, and the same with another run's timings, addresses and Styler ids."""
    other = nbformat.reads(nbformat.writes(demo), as_version=4)
    other.metadata.papermill["duration"] = 99.0
    for index, cell in enumerate(other.cells):
        cell.metadata["execution"] = {"iopub.execute_input": "2031-01-01T00:00:00Z"}
        cell.metadata.setdefault("papermill", {})["duration"] = 1.5
        cell["id"] = f"ffff{index:04d}"
    text = nbformat.writes(other)
    text = re.sub(r" at 0x[0-9a-f]+", " at 0xdeadbeef", text)
    text = re.sub(r"\bT_([0-9a-f]{5})(?=_)", lambda m: "T_" + m.group(1)[::-1], text)
    first, second = normalise(demo), normalise(nbformat.reads(text, as_version=4))
    assert nbformat.writes(first) == nbformat.writes(second)
    assert nbformat.writes(normalise(first)) == nbformat.writes(first)
    assert [c.get("execution_count") for c in first.cells] == [c.get("execution_count") for c in demo.cells]


def test_the_workflow_gives_each_notebook_only_parameters_it_declares():
    assert declared_parameters(DEMO) == {"pipeline", "photos", "pairs"}
    assert declared_parameters(EDA) == {"pipeline", "corpus", "real_text", "photos"}
