"""The notebooks in notebooks/: each runs from top to bottom, and its .ipynb is built from its .py.

The source of a notebook is its .py file (jupytext's percent format: plain text,
readable diffs); the .ipynb beside it is what Jupyter and Colab open, built with
``jupytext --to ipynb notebooks/NAME.py`` (no outputs kept). Executing them here
(with nbclient, in a fresh kernel) is what keeps them from rotting.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "notebooks").glob("*.py"))


def test_there_are_the_notebooks_the_docs_promise():
    promised = {"tour", "derivation", "player", "gradient_checks", "tracing", "lecture_companion"}
    assert {p.stem for p in SOURCES} >= promised


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_the_ipynb_is_built_from_the_py(source):
    built = jupytext.read(source)
    committed = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    cells = [(c.cell_type, c.source) for c in built.cells]
    assert [(c.cell_type, c.source) for c in committed.cells] == cells, (
        f"{source.with_suffix('.ipynb').name} is out of date: run jupytext --to ipynb notebooks/{source.name}"
    )
    assert not any(c.get("outputs") for c in committed.cells), "commit notebooks without outputs"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_the_notebook_runs_and_shows_its_pictures(source, tmp_path):
    nb = jupytext.read(source)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    if "draw_dot(" in source.read_text():  # a drawing displays itself as a picture, inline
        assert any("image/svg+xml" in o.get("data", {}) for o in outputs)
    if "play(" in source.read_text():  # so does a player, in an iframe of its own
        shown = [o.get("data", {}).get("text/html", "") for o in outputs]
        assert any(html.startswith('<iframe class="micrograd-player"') for html in shown)
