"""The package itself: what importing it loads, and what its names are."""

from __future__ import annotations

import shutil
import subprocess
import sys
import types
from pathlib import Path

from support import run_python

import micrograd

ROOT = Path(__file__).resolve().parent.parent
LOADED = "import sys; print(sorted(m for m in ('numpy', 'graphviz') if m in sys.modules))"


def test_importing_the_engine_and_the_networks_loads_neither_numpy_nor_graphviz():
    for statement in ("import micrograd", "from micrograd.engine import Value", "from micrograd.nn import MLP",
                      "from micrograd import Value, MLP, SGD, mse_loss, check_gradients, no_grad"):
        assert run_python(f"{statement}; {LOADED}") == "[]", statement


def test_a_model_trains_without_numpy_or_graphviz_being_loaded():
    code = ("from micrograd import MLP, SGD, mse_loss\n"
            "model = MLP(2, [3, 1], rng=0); opt = SGD(model.parameters(), lr=0.1)\n"
            "loss = mse_loss([1.0], [model([0.5, -1.0])]); opt.zero_grad(); loss.backward(); opt.step()\n"
            + LOADED)
    assert run_python(code) == "[]"


def test_the_tracer_and_the_drawings_load_numpy_and_graphviz_on_first_use():
    assert run_python(f"import micrograd; micrograd.trace; {LOADED}") == "['numpy']"
    assert run_python(f"import micrograd; micrograd.draw_dot; {LOADED}") == "['graphviz']"


def test_the_engine_imports_and_runs_where_graphviz_is_missing():
    code = (
        "import sys, importlib.abc\n"
        "class NoGraphviz(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'graphviz' or name.startswith('graphviz.'):\n"
        "            raise ImportError('No module named graphviz')\n"
        "sys.meta_path.insert(0, NoGraphviz())\n"
        "from micrograd import Value, MLP\n"
        "x = Value(2.0); (x * x).backward(); print(x.grad)\n"
    )
    assert run_python(code) == "4.0"


def test_import_micrograd_trace_gives_the_module_and_the_module_traces():
    import micrograd.trace as t

    assert isinstance(t, types.ModuleType) and t.__name__ == "micrograd.trace"
    assert micrograd.trace is t
    from micrograd import trace

    program = trace(lambda x: x * 2 + 1, ())
    assert program([1.0, 2.0]).tolist() == [3.0, 5.0]
    assert t.trace(lambda x: x * 2, ())([1.0]).tolist() == [2.0]


def test_every_exported_name_resolves():
    for name in micrograd.__all__:
        assert getattr(micrograd, name) is not None, name
    assert set(micrograd.__all__) <= set(dir(micrograd))


def test_importing_warns_when_karpathys_package_is_installed_in_the_same_folder(tmp_path):
    # an environment where Karpathy's distribution was installed, then this one over it
    shutil.copytree(ROOT / "micrograd", tmp_path / "micrograd", ignore=shutil.ignore_patterns("__pycache__"))
    code = ("import sys, warnings; sys.path.insert(0, sys.argv[1]); warnings.simplefilter('always')\n"
            "import micrograd; print(micrograd.__file__)")
    quiet = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True)
    assert quiet.returncode == 0 and str(tmp_path) in quiet.stdout and "Karpathy" not in quiet.stderr
    (tmp_path / "micrograd-0.1.0.dist-info").mkdir()
    loud = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True)
    assert loud.returncode == 0, loud.stderr
    assert "Karpathy's micrograd" in loud.stderr and "pip uninstall -y micrograd micrograd-learn" in loud.stderr
