"""Executing the project's notebooks (notebooks/*.ipynb) with papermill, for the workflow and the tests.

The kernel runs in the notebook's own folder, as Jupyter runs it when a person opens the file, so the
parameters (the cell tagged ``parameters``) are paths relative to that folder; paths given here are made
relative to it too, so no absolute path of this machine lands in a committed notebook.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import nbformat

#: Seconds one cell may run before the execution fails.
CELL_TIMEOUT = 600


class NotebookError(RuntimeError):
    """A notebook that could not be executed; the message names the notebook and the failing cell."""


@dataclass(frozen=True)
class ErrorCell:
    index: int
    ename: str
    evalue: str
    source: str


def declared_parameters(path: str | Path) -> set[str]:
    """The names the notebook's ``parameters`` cell declares."""
    import papermill

    return set(papermill.inspect_notebook(str(path)))


def relative_parameters(path: str | Path, values: Mapping[str, str | Path | None]) -> dict[str, str | None]:
    """Path values made relative to the notebook's folder (None stays None)."""
    folder = Path(path).resolve().parent
    return {k: None if v is None else os.path.relpath(Path(v).resolve(), folder) for k, v in values.items()}


def execute(
    path: str | Path,
    paths: Mapping[str, str | Path | None] | None = None,
    timeout: int = CELL_TIMEOUT,
    progress: bool = True,
) -> nbformat.NotebookNode:
    """Run the notebook in its folder with the given path parameters (only those it declares; an unknown one
    is an error) and return it with its outputs; nothing is written. Raises :class:`NotebookError`."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    path = Path(path)
    if not path.is_file():
        raise NotebookError(f"{path}: no such notebook")
    declared = declared_parameters(path)
    unknown = set(paths or {}) - declared
    if unknown:
        raise NotebookError(f"{path}: no parameters {sorted(unknown)} (it declares {sorted(declared)})")
    try:
        nb = papermill.execute_notebook(
            str(path),
            None,
            parameters=relative_parameters(path, paths or {}),
            cwd=str(path.resolve().parent),
            execution_timeout=timeout,
            progress_bar=progress,
        )
    except PapermillExecutionError as err:
        raise NotebookError(f"{path}: cell {err.exec_count} raised {err.ename}: {err.evalue}") from None
    except TimeoutError as err:
        raise NotebookError(f"{path}: a cell ran longer than {timeout} s ({err})") from None
    nb.metadata.papermill["input_path"] = nb.metadata.papermill["output_path"] = path.name
    return nb


def error_cells(nb: nbformat.NotebookNode) -> list[ErrorCell]:
    return [
        ErrorCell(i, out.get("ename", ""), out.get("evalue", ""), cell.source)
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]


def html_outputs(nb: nbformat.NotebookNode, tag: str) -> list[str]:
    """The text/html outputs of the cells tagged ``tag``."""
    return [
        "".join(out["data"]["text/html"])
        for cell in nb.cells
        if tag in cell.get("metadata", {}).get("tags", [])
        for out in cell.get("outputs", [])
        if "text/html" in out.get("data", {})
    ]
