"""The committed copy of an executed notebook: what a rerun on unchanged inputs reproduces byte for byte."""

from __future__ import annotations

import json
import re

import nbformat

from animal_verifier_train.reports.provenance import strip_local_paths

#: An object's address in a repr ("<Styler at 0x7fa8…>"): new every run.
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")
#: pandas Styler's random table id ("T_780ed_row0_col0"), in its <style> and its cells.
_STYLER_ID = re.compile(r"\bT_([0-9a-f]{5})(?=_|\b)")
#: Cell metadata a run writes (timestamps, durations); tags stay.
_RUN_METADATA = ("execution", "papermill", "ExecuteTime", "collapsed", "scrolled")


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """An executed notebook as it is committed: outputs and execution counts kept; run metadata, timings, object
    addresses, random table ids, machine paths and the Python patch version dropped; cell ids numbered. The same
    notebook executed twice normalises to the same bytes (nbstripout's metadata cleaning, outputs kept)."""
    data = json.loads(nbformat.writes(nb))
    data["metadata"].pop("papermill", None)
    data["metadata"].get("language_info", {}).pop("version", None)
    for index, cell in enumerate(data["cells"]):
        cell["id"] = f"cell-{index}"
        for key in _RUN_METADATA:
            cell.get("metadata", {}).pop(key, None)
    text = strip_local_paths(_ADDRESS.sub("", json.dumps(data, ensure_ascii=False)))
    ids: dict[str, str] = {}
    text = _STYLER_ID.sub(lambda m: "T_" + ids.setdefault(m.group(1), f"t{len(ids)}"), text)
    return nbformat.reads(text, as_version=4)
