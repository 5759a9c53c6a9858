"""Every ```python block in README.md and docs/*.md runs, so the docs cannot rot.

Blocks of one file share a namespace and run in order, in a temporary folder.
A block with ``>>>`` prompts is a doctest (its printed output must match); any
other python block is executed and must not raise. Blocks fenced as ``bash``,
``text`` etc. are not run.
"""

from __future__ import annotations

import doctest
import importlib.util
import re
from pathlib import Path

import pytest
from support import require

from micrograd.export import TORCH_INSTALL_HINT

ROOT = Path(__file__).resolve().parent.parent
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.S | re.M)
TORCH_MISSING = importlib.util.find_spec("torch") is None


def python_blocks(path: Path) -> list[tuple[int, str]]:
    text = path.read_text()
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in FENCE.finditer(text)]


@pytest.mark.parametrize("path", [p for p in DOC_FILES if p.exists()], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_doc_code_runs(path, tmp_path, monkeypatch):
    if any("import torch" in block for _, block in python_blocks(path)):
        # as tests/test_export.py: skipped where PyTorch is missing, but CI installs it and runs this
        require(TORCH_MISSING, f"PyTorch, which {path.name} imports,", TORCH_INSTALL_HINT)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__doc__"}
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for line, block in python_blocks(path):
        where = f"{path.name}:{line}"
        if ">>>" in block:
            test = parser.get_doctest(block, namespace, where, str(path), line)
            result = runner.run(test, clear_globs=False)
            namespace.update(test.globs)  # DocTest works on a copy; carry names to the next block
            assert result.failed == 0, f"doctest failed in the block at {where} (see output above)"
        else:
            exec(compile(block, where, "exec"), namespace)


def test_every_doc_file_has_code_that_runs():
    """A doc without a runnable block would pass the test above trivially."""
    empty = [p.name for p in DOC_FILES if p.exists() and p.name != "index.md" and not python_blocks(p)]
    assert not empty, f"no ```python block in {empty}"
