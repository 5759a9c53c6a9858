"""`python -m micrograd draw`: named examples, expressions, exit statuses."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from support import fake_renderer

from micrograd import viz
from micrograd.cli import main
from micrograd.cli.draw import EXAMPLES

ROOT = Path(__file__).resolve().parent.parent
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def svg(path: str | Path) -> ET.Element:
    return ET.parse(path).getroot()


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{SVG_NS}text") if t.text]


def test_network_with_grad_and_highlight_writes_a_correct_picture(pure, capsys):
    assert main(["draw", "network", "--grad", "--highlight", "w1", "-o", "net.svg"]) == 0
    assert "wrote net.svg (17 values, with gradients)" in capsys.readouterr().out
    root = svg("net.svg")
    words = texts(root)
    for label in ["x1", "x2", "w1", "w6", "b3", "sum_h1", "h1", "h2", "o1"]:
        assert label in words
    assert "data 0.7216" in words  # o1 = 0.7216325609518421, the tutorial's feedforward output
    assert "grad 1" in words  # backward ran: d o1 / d o1
    red = [p for p in root.iter() if p.get("stroke") == viz._RED]
    assert red, "the w1 path is drawn in red"


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_named_example_draws(pure, name):
    assert main(["draw", name, "--grad", "--edge-labels", "-o", f"{name}.svg"]) == 0
    assert texts(svg(f"{name}.svg"))


def test_gender_loss_shows_the_tutorials_gradient(pure):
    assert main(["draw", "gender-loss", "--grad", "--highlight", "w1", "-o", "loss.svg"]) == 0
    words = texts(svg("loss.svg"))
    assert "L" in words and "grad 0.02147" in words  # dL/dw1 = 0.02146953526581111


def test_expression_with_values_to_png(pure):
    assert main(["draw", "(a*b + c).tanh()", "a=2", "b=-3", "c=10", "--grad", "-o", "expr.png"]) == 0
    assert Path("expr.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_default_output_is_the_example_name(pure):
    assert main(["draw", "neuron"]) == 0
    assert Path("neuron.svg").exists()


def test_dash_prints_dot(capsys):
    assert main(["draw", "a*b", "a=2", "b=3", "--edge-labels", "-o", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("digraph {") and "v0 -> v2op [label=3]" in out


def test_dot_output_needs_no_renderer(no_renderer):
    assert main(["draw", "network", "-o", "net.dot"]) == 0
    assert Path("net.dot").read_text().startswith("digraph {")


@pytest.mark.parametrize(
    "args, message",
    [
        (["netwrok"], "unknown example 'netwrok'; choose one of neuron, network, gender-loss, moons-neuron"),
        (["network", "a=1"], "takes no VAR=VALUE arguments"),
        (["a.__class__", "a=1"], "attribute access '.__class__' is not allowed"),
        (["a*b", "a=1"], "no value for b"),
        (["a*b", "a=1", "b=x"], "'x' is not a number"),
        (["a/b", "a=1", "b=0"], "division by a Value that is 0"),
        (["network", "--highlight", "w9"], "no node labelled 'w9'"),
        (["network", "-o", "net.jpg"], "cannot tell the format of 'net.jpg'"),
        (["network", "--max-nodes", "-1"], "--max-nodes must be 0"),
    ],
)
def test_usage_errors_exit_2_with_a_message(args, message, capsys):
    assert main(["draw", *args]) == 2
    assert message in capsys.readouterr().err
    assert not list(Path().iterdir()), "nothing is written on a usage error"


def test_no_renderer_exits_2_naming_the_install_command(no_renderer, capsys):
    assert main(["draw", "network", "-o", "net.svg"]) == 2
    err = capsys.readouterr().err
    assert "-m pip install" in err and viz.RENDERER_REQUIREMENT in err
    assert not Path("net.svg").exists()


def test_unknown_option_is_an_argparse_usage_error():
    with pytest.raises(SystemExit) as e:
        main(["draw", "network", "--colour"])
    assert e.value.code == 2


def test_the_installed_command_runs(pure):
    """The real entry point, as README tells a newcomer to run it."""
    # the source tree first on the path, so this also runs from a clone that is not installed
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    r = subprocess.run(
        [sys.executable, "-m", "micrograd", "draw", "network", "--grad", "--highlight", "w1", "-o", "net.svg"],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert r.returncode == 0, r.stderr
    assert "o1" in texts(svg("net.svg"))


@pytest.mark.skipif(os.name == "nt", reason="uses a script with a shebang as the fake renderer")
def test_a_render_that_takes_too_long_is_stopped_with_the_ways_out(monkeypatch, tmp_path, capsys):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_renderer(bin_dir, "dot", "import time; time.sleep(60)")
    monkeypatch.setenv("PATH", str(bin_dir))
    assert main(["draw", "network", "--timeout", "0.3", "-o", "net.svg"]) == 2
    err = capsys.readouterr().err
    for words in ("rendering net.svg did not finish within 0.3 s and was stopped; nothing was written",
                  "23 boxes and op nodes, showing 17 Values", "--max-nodes N", "--collapse neurons",
                  "a smaller expression", "-o net.dot", "--timeout SECONDS (0: no limit)"):
        assert words in err
    assert not Path("net.svg").exists()
    assert main(["draw", "network", "--timeout", "-1"]) == 2
    assert "--timeout must be 0 (no limit) or a positive number of seconds, got -1" in capsys.readouterr().err


def test_a_drawing_too_big_to_render_is_refused_and_dot_still_works(monkeypatch, capsys):
    monkeypatch.setattr(viz, "MAX_RENDER_NODES", 20)
    assert main(["draw", "network", "--max-nodes", "0", "-o", "net.svg"]) == 2
    err = capsys.readouterr().err
    for words in ("cannot render net.svg: the drawing has 17 Values in 23 boxes and op nodes, more than the 20",
                  "--max-nodes N", "--collapse neurons", "-o net.dot"):
        assert words in err
    assert not Path("net.svg").exists()
    assert main(["draw", "network", "--max-nodes", "0", "-o", "net.dot"]) == 0
    assert Path("net.dot").read_text().startswith("digraph {")


def test_an_expression_starting_with_minus_goes_after_double_dash(capsys):
    assert main(["draw", "-o", "-", "--", "-a*2", "a=3"]) == 0
    assert "data -6" in capsys.readouterr().out


def test_a_cut_drawing_says_the_graph_has_more(no_renderer, capsys):
    assert main(["draw", "+".join(["a"] * 30), "a=1", "--max-nodes", "5", "-o", "sum.dot"]) == 0
    assert "wrote sum.dot (the 5 values nearest the output; the graph has more)" in capsys.readouterr().out
