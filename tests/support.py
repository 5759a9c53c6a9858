"""What several test modules share: the rule for optional tools under CI, fresh interpreters, a fake renderer,
the gradients backward() leaves.

Test modules import it as they import `op_registry` (``from support import
require``): pytest puts this folder on the path.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from micrograd import Value
from micrograd.graph import topological_order

ROOT = Path(__file__).resolve().parent.parent

#: CI is set to something other than empty, 0, false or no: optional tools must be there
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def require(missing: bool, what: str, how: str) -> None:
    """If ``missing``, skip the calling test, saying ``how`` to install ``what``; under CI, fail it instead.

    CI installs every optional tool the tests use (.ci/run), so there a missing
    one is an error in the set-up, not a reason to test less.
    """
    if not missing:
        return
    if IN_CI:
        pytest.fail(f"CI runs these tests, but {what} is missing: {how}", pytrace=False)
    pytest.skip(f"{what} is missing ({how}); CI installs it and runs these tests")


def run_python(code: str, cwd: Path = ROOT) -> str:
    """Run ``code`` in a fresh interpreter from ``cwd`` (the repository); its stdout (a failure shows its stderr)."""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run ``python -m micrograd ARGS...`` from ``cwd`` (the repository), whatever its exit status."""
    return subprocess.run([sys.executable, "-m", "micrograd", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def fake_renderer(folder: Path, name: str, script: str) -> Path:
    """An executable ``folder/name`` that runs the Python ``script``: a renderer for tests (not on Windows)."""
    path = folder / name
    path.write_text(f"#!{sys.executable}\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def backward_grads(root: Value) -> dict[Value, float]:
    """Every node's .grad after backward() from zeroed gradients, in topological order."""
    order = topological_order(root)
    for v in order:
        v.grad = 0.0
    root.backward()
    return {v: v.grad for v in order}
