"""The guided tour, `python -m micrograd demo`: the seed figures, the nine-partials table, training, drawing."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import micrograd.cli.tour as tour
from micrograd import viz
from micrograd.cli import main as cli_main
from micrograd.cli.demo import DEMOS
from micrograd.tutorials import PARAMETER_NAMES

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """One full tour (1000 epochs, with the drawing): its exit status, output, folder and run time."""
    out = tmp_path_factory.mktemp("tour")
    buf = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(buf):
        status = tour.tour(out)
    return status, buf.getvalue(), out, time.perf_counter() - start


def test_tour_succeeds(report):
    status, text, _, _ = report
    assert status == 0 and "All figures agree with the tutorial; all nine partials check." in text


def test_tour_prints_the_seed_figures_as_agreeing(report):
    text = report[1]
    for figure in ("0.9990889488055994", "0.7216325609518421", "0.5236951740839997", "0.02146953526581111"):
        assert re.search(rf"(tutorial|expected): {figure} +ok( \(relative difference \S+\))?$", text, re.M), figure
    assert "DIFFERENT" not in text


def test_tour_prints_the_nine_partials_table_with_hand_autograd_and_numeric(report):
    text = report[1]
    assert re.search(r"^ +name +hand +autograd +numeric +abs err", text, re.M)
    for name in PARAMETER_NAMES:
        row = re.search(rf"^ +{name} +(\S+) +(\S+) +(\S+) +\S+ +\S+ +ok$", text, re.M)
        assert row, name
        hand, autograd, numeric = map(float, row.groups())
        assert hand == autograd and numeric == pytest.approx(autograd, abs=1e-9)  # printed to 10 digits
    assert "check_gradients: all 9 passed" in text


def test_tour_trains_and_predicts_emily_female_and_frank_male(report):
    text = report[1]
    end, start = (float(v) for v in re.search(r"final loss (\S+) \(from (\S+) before training\)", text).groups())
    assert end < start / 10
    assert re.search(r"Emily +\[-7.0, -3.0\] +0\.9\d\d +F", text)
    assert re.search(r"Frank +\[20.0, 2.0\] +0\.0\d\d +M", text)


def test_tour_draws_the_graph_of_alices_loss(report):
    text, out = report[1], report[2]
    if viz.find_renderer() is None:
        assert (out / "tour_alice_loss.dot").read_text().startswith("digraph")
        pytest.skip("no Graphviz renderer here: only the DOT fallback was checked")
    svg = ET.parse(out / "tour_alice_loss.svg").getroot()
    labels = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {"w1", "h1", "o1", "L"} <= labels
    assert "tour_alice_loss.svg" in text


def test_tour_ends_by_writing_the_player_of_alices_loss_and_says_to_open_it(report):
    text, out = report[1], report[2]
    page = (out / "tour_player.html").read_text(encoding="utf-8")
    assert 'id="micrograd-player-data"' in page and 'data-label="w1"' in page
    section = text.split("7. Step through backprop on it", 1)[1]
    assert f"{out / 'tour_player.html'}: open it in a browser" in section


def test_tour_finishes_well_under_a_minute(report):
    # A loose bound (it takes about a second here) so a slow CI machine does not fail it.
    assert report[3] < 30


def test_tour_lists_the_demos_at_the_end(report):
    for name in DEMOS:
        assert re.search(rf"^  {name} +\S", report[1], re.M), name


def test_tour_without_a_renderer_saves_the_dot_text_and_says_how_to_get_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(viz, "find_renderer", lambda: None)
    assert tour.tour(tmp_path) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "tour_alice_loss.dot").exists() and viz.RENDERER_REQUIREMENT in out


def test_tour_fails_with_status_1_when_a_figure_disagrees(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tour, "SEED_NETWORK", 0.7216325609518421 * (1 + 1e-15))  # beyond the 4e-16 tolerance
    assert tour.tour(tmp_path, draw=False) == 1
    out = capsys.readouterr().out
    assert re.search(r"tutorial: 0.72163256095\d+ +DIFFERENT", out)
    assert re.search(r"^FAILED: o1 = sigmoid\(0\*h1 \+ 1\*h2 \+ 0\) \(", out, re.M)


def test_demo_command_options_reach_the_tour(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli_main(["demo", "--epochs", "20", "--seed", "3", "--no-draw"]) == 0
    out = capsys.readouterr().out
    assert "20 epochs" in out and "(seed 3)" in out and out.count("skipped (--no-draw)") == 2
    assert not (tmp_path / "out").exists()


def test_python_m_micrograd_demo_runs_the_tour_into_out(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    r = subprocess.run([sys.executable, "-m", "micrograd", "demo"], capture_output=True, text=True, env=env,
                       cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "check_gradients: all 9 passed" in r.stdout
    assert list((tmp_path / "out").glob("tour_alice_loss.*"))
    assert (tmp_path / "out" / "tour_player.html").exists() and "out/tour_player.html: open it" in r.stdout


@pytest.mark.parametrize("under_a_file", ["sub", ""])
def test_an_out_folder_that_cannot_be_made_is_a_one_line_usage_error_before_the_tour(tmp_path, capsys, under_a_file):
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    assert cli_main(["demo", "--out", str(afile / under_a_file)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err == f"micrograd demo: error: --out {afile / under_a_file}: {afile} is a file, not a folder\n"


def test_without_drawing_the_out_folder_is_not_needed(tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("")
    assert tour.tour(afile / "sub", draw=False) == 0
