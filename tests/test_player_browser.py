"""The backprop player in a real browser: Debian's chromium, driven by Playwright, with the network blocked.

Each page is opened from disk (or, for the notebook, from the iframe a notebook
shows) with every request but the file itself refused, and each test asserts
that nothing else was even attempted. CI installs chromium (.ci/run) and runs
these tests; elsewhere they are skipped, saying why, only when chromium or
Playwright is missing and CI is not set (tests/support.py's `require`).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from support import backward_grads, require

from micrograd import MLP, Value
from micrograd.cli.play import reuse_graph
from micrograd.player import play
from micrograd.player.text import num
from micrograd.tutorials import alice_loss

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "tests" / "notebooks" / "player.ipynb"
# the flags keep a headless chromium from reaching out to anything (updates, sync, first-run pages)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-default-apps", "--disable-extensions"]


def chromium_path() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One headless chromium with a fresh profile for the module's tests."""
    missing: list[tuple[str, str]] = []  # (what, how to install it)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing.append(("the playwright package", "pip install -e '.[dev]'"))
    exe = chromium_path()
    if exe is None:
        missing.append(("chromium", "apt-get install chromium"))
    require(bool(missing), " and ".join(what for what, _ in missing), "; ".join(how for _, how in missing))
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")), executable_path=exe, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 860}, service_workers="block")
        yield context
        context.close()


class Opened:
    """A page with the network blocked: every request is recorded, and only ``allowed`` gets through."""

    def __init__(self, context, allowed: str | None) -> None:
        self.page = context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

        def gate(route) -> None:
            self.requests.append(route.request.url)
            if route.request.url == allowed:
                route.continue_()
            else:
                route.abort()

        self.page.route("**/*", gate)

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def open_file(browser, tmp_path):
    """Save a player to disk and open it as a double click would: a file:// URL."""
    opened: list[tuple[Opened, str]] = []

    def go(player, name: str = "player.html") -> Opened:
        url = player.save(tmp_path / name).resolve().as_uri()
        o = Opened(browser, url)
        o.page.goto(url)
        o.page.wait_for_selector(".mg-ready")
        opened.append((o, url))
        return o

    yield go
    for o, url in opened:
        try:
            assert o.requests == [url], f"requests besides the file itself: {o.requests}"
            assert not o.errors, o.errors
        finally:
            o.close()


def autograd(root: Value) -> dict[str, float]:
    """Every node's .grad after backward() from zero, by the player's node id (its topological index)."""
    return {str(i): grad for i, grad in enumerate(backward_grads(root).values())}


def grads_shown(target) -> dict[str, str]:
    """Every node's data-grad attribute, by data-node-id."""
    return target.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('[data-node-id]')]"
        ".map(e => [e.dataset.nodeId, e.getAttribute('data-grad')]))")


def assert_all_equal_autograd(shown: dict[str, str], expected: dict[str, float]) -> None:
    assert shown.keys() == expected.keys()
    for i, g in expected.items():
        assert shown[i] == repr(g) and float(shown[i]) == g, (i, shown[i], g)


def steps_of(page) -> int:
    return int(page.get_attribute('[data-action="seek"]', "max"))


# ---------------------------------------------------------------------------- stepping


def test_clicking_through_alices_loss_completes_each_gradient_when_the_steps_say_and_ends_at_autograd(open_file):
    model, loss = alice_loss()
    player = play(loss)
    expected = autograd(loss)
    o = open_file(player)
    page = o.page
    assert set(grads_shown(page).values()) == {""}
    n = steps_of(page)
    assert n == len(player.steps)
    ids = player.graph.index
    complete: set[str] = set()
    for step in player.steps:
        page.click('[data-action="next"]')
        complete.update(str(ids[v]) for v in step.complete)
        shown = grads_shown(page)
        assert {i for i, g in shown.items() if g} == complete, step.index
        assert all(shown[i] == repr(expected[i]) for i in complete)
        assert page.get_attribute(".mg-player", "data-step") == str(step.index)
        assert page.inner_text(".mg-explain .mg-title") == step.title
    assert page.is_disabled('[data-action="next"]') and page.is_disabled('[data-action="end"]')
    assert_all_equal_autograd(grads_shown(page), expected)
    # the boxes round as Python does: 4 significant digits, a real minus sign
    texts = page.evaluate("() => [...document.querySelectorAll('g.mg-node')].map(g => "
                          "[g.dataset.nodeId, g.querySelector('.mg-grad').textContent])")
    for i, text in texts:
        assert text == f"grad {num(expected[i])}"


def test_the_keyboard_steps_forward_and_back_and_jumps_to_either_end(open_file):
    model, loss = alice_loss()
    player = play(loss)
    o = open_file(player)
    page = o.page
    page.keyboard.press("End")
    assert_all_equal_autograd(grads_shown(page), autograd(loss))
    page.keyboard.press("Home")
    assert set(grads_shown(page).values()) == {""}
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    assert page.get_attribute(".mg-player", "data-step") == "9"
    assert page.inner_text(".mg-explain .mg-title") == player.steps[8].title == "dL/dL = 1"
    for _ in range(len(player.steps)):
        page.keyboard.press("ArrowRight")
    assert_all_equal_autograd(grads_shown(page), autograd(loss))


def test_the_scrubber_and_play_reach_the_same_states(open_file):
    model, loss = alice_loss()
    o = open_file(play(loss))
    page = o.page
    page.evaluate("s => { const r = document.querySelector('[data-action=\"seek\"]'); r.value = s; "
                  "r.dispatchEvent(new Event('input')); }", 20)
    assert page.get_attribute(".mg-player", "data-step") == "20"
    assert page.inner_text(".mg-counter") == "step 20 of 33"
    page.click('[data-action="start"]')
    page.select_option('[data-action="speed"]', "60")
    page.click('[data-action="play"]')
    page.wait_for_function("document.querySelector('.mg-player').dataset.step === '33'", timeout=10_000)
    assert_all_equal_autograd(grads_shown(page), autograd(loss))
    assert "play" in page.inner_text('[data-action="play"]')  # it stopped by itself at the end


# ---------------------------------------------------------------------------- the mistakes and your derivation


def test_naive_mode_stops_at_the_first_wrong_gradient_beside_the_correct_one(open_file):
    root = reuse_graph()
    o = open_file(play(root, mode="naive"))
    page = o.page
    page.click('[data-action="first-wrong"]')
    assert page.get_attribute(".mg-player", "data-step") == "11"
    assert "mg-wrong" in page.get_attribute(".mg-side", "class")
    assert "passes its gradient on a second time" in page.inner_text(".mg-side .mg-note")
    box_a = 'g.mg-node[data-label="a"]'
    assert page.text_content(f"{box_a} .mg-extra") == "naive 6  ✗"
    assert page.get_attribute(box_a, "data-grad") == "4.0"  # backward()'s own walk, side by side
    assert "mg-wrong" in page.get_attribute(".mg-callout", "class")
    assert_all_equal_autograd(grads_shown(page), autograd(root))


def test_assign_mode_shows_the_overwritten_gradient(open_file):
    o = open_file(play(reuse_graph(), mode="assign"))
    page = o.page
    page.click('[data-action="first-wrong"]')
    assert page.text_content('g.mg-node[data-label="b"] .mg-extra') == "with = 1  ✗"
    assert "= replaced the 1 that b already had" in page.inner_text(".mg-side .mg-note")


def test_a_hand_derivation_is_coloured_and_the_first_wrong_node_shown(open_file):
    model, loss = alice_loss()
    player = play(loss, hand={"w1": 0.0107, "w5": -0.011269220243, "b3": -0.2376175595})
    o = open_file(player)
    page = o.page
    assert "First wrong: w1" in page.inner_text(".mg-summary")
    page.click('[data-action="first-wrong"]')
    assert page.get_attribute(".mg-player", "data-step") == str(player.first_wrong.step)
    assert "where your chain rule went astray" in page.inner_text(".mg-explain .mg-note")
    page.keyboard.press("End")
    assert "mg-hand-bad" in page.get_attribute('g.mg-node[data-label="w1"]', "class")
    assert "mg-hand-ok" in page.get_attribute('g.mg-node[data-label="w5"]', "class")


# ---------------------------------------------------------------------------- sizes


def test_karpathys_mlp_collapsed_to_neurons_plays_to_autograd_quickly(open_file):
    model = MLP(2, [16, 16, 1], rng=1337)
    out = model([Value(1.0, label="x1"), Value(-0.5, label="x2")])
    player = play(out)
    start = time.perf_counter()
    o = open_file(player)
    loaded = time.perf_counter() - start
    page = o.page
    per_step = page.evaluate("() => { const b = document.querySelector('[data-action=\"next\"]'); "
                             "const t = performance.now(); for (let i = 0; i < 200; i++) b.click(); "
                             "return (performance.now() - t) / 200; }")
    page.keyboard.press("End")
    assert_all_equal_autograd(grads_shown(page), autograd(out))
    # generous bounds (a slow CI machine); it loads in about 0.3 s and steps in a few ms here
    assert loaded < 10 and per_step < 100, (loaded, per_step)


# ---------------------------------------------------------------------------- below a local derivative of 0


def test_the_nodes_backward_never_reaches_get_gradient_0_at_the_rest_step(open_file):
    x, w, b = Value(2.0, label="x"), Value(-1.5, label="w"), Value(0.5, label="b")
    xw = x * w
    out = (xw + b).relu() + x * x  # the ReLU is off (x·w + b = −2.5); x is also used where the gradient flows
    player = play(out)
    expected = autograd(out)
    ids = player.graph.index
    never = [str(ids[v]) for v in (w, xw, b)]
    o = open_file(player)
    page = o.page
    for _ in range(len(player.steps) - 2):
        page.keyboard.press("ArrowRight")
    # x has heard from 1 of the 2 uses that pass a gradient on (x·x); x·w passes nothing
    assert page.text_content('g.mg-node[data-label="x"] .mg-grad') == "grad 2 (1/2)"
    page.keyboard.press("ArrowRight")
    assert page.text_content('g.mg-node[data-label="x"] .mg-grad') == "grad 4"
    assert [grads_shown(page)[i] for i in never] == ["", "", ""]
    page.keyboard.press("ArrowRight")
    rest = player.steps[-1]
    assert rest.kind == "rest" and page.inner_text(".mg-explain .mg-title") == rest.title
    assert [grads_shown(page)[i] for i in never] == ["0.0", "0.0", "0.0"]
    assert page.text_content('g.mg-node[data-label="w"] .mg-grad') == "grad 0"
    assert "mg-receiving" in page.get_attribute('g.mg-node[data-label="w"]', "class")
    assert page.text_content(f'tr[data-row="{ids[w]}"] .mg-t-grad') == "0.0"
    assert page.is_visible(".mg-callout") and rest.title in page.inner_text(".mg-callout")
    assert_all_equal_autograd(grads_shown(page), expected)



# ---------------------------------------------------------------------------- numbers


def test_a_box_rounds_a_tie_as_the_panel_does(open_file):
    """1.0625 to 4 digits is 1.062 in Python (half to even): the box says so too, not 1.063."""
    a, b = Value(1.0625, label="a"), Value(2.0, label="b")
    out = a * b
    out.label = "out"
    for mode, extra in (("correct", None), ("naive", "naive 1.062")):
        player = play(out, mode=mode)
        page = open_file(player, f"{mode}.html").page
        page.keyboard.press("End")
        assert page.text_content('g.mg-node[data-label="b"] .mg-grad') == "grad 1.062"
        if extra:
            assert page.text_content('g.mg-node[data-label="b"] .mg-extra') == extra
        step = next(s for s in player.steps if s.kind == "edge" and s.child is b)
        page.fill('[data-action="seek"]', str(step.index))
        assert page.inner_text(".mg-explain .mg-lines") == "= 1 · 1.062 = 1.062"
        assert page.text_content('g.mg-node[data-label="b"] .mg-grad') == "grad 1.062"



def test_step_0_says_what_the_page_says_before_its_script_runs(open_file):
    import html as markup
    import re

    player = play(alice_loss()[1])
    block = re.search(r'<div class="mg-explain">(.*?)</p></div>', player.html()).group(1)
    written = markup.unescape(re.sub(r"<[^>]+>", "", block))
    assert written.startswith("start") and "Press next" in written
    page = open_file(player).page
    assert page.text_content(".mg-explain") == written
    for key in ("ArrowRight", "ArrowRight", "End", "Home"):
        page.keyboard.press(key)
    assert page.text_content(".mg-explain") == written


# ---------------------------------------------------------------------------- Jupyter


def test_a_notebook_shows_the_player_inline_and_it_steps_there(browser, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    [output] = nb.cells[-1].outputs
    assert output.output_type == "execute_result"
    shown = output.data["text/html"]
    assert shown.startswith('<iframe class="micrograd-player" srcdoc="')
    assert "<script" not in shown.split('srcdoc="', 1)[0] and shown.count("<script") == 0  # nothing to strip
    assert "<Player 'L': 17 values, 33 steps>" == output.data["text/plain"]
    # the output as a notebook front end shows it: the iframe runs the player's own script
    o = Opened(browser, None)
    try:
        page = o.page
        page.set_content(f"<!DOCTYPE html><html><body>{shown}</body></html>")
        frame = page.frame_locator("iframe.micrograd-player")
        frame.locator(".mg-ready").wait_for()
        for _ in range(33):
            frame.locator('[data-action="next"]').click()
        shown_grads = frame.locator("[data-node-id]").evaluate_all(
            "els => Object.fromEntries(els.map(e => [e.dataset.nodeId, e.getAttribute('data-grad')]))")
        model, loss = alice_loss()
        assert_all_equal_autograd(shown_grads, autograd(loss))
        assert o.requests == [] and not o.errors, (o.requests, o.errors)
    finally:
        o.close()


def test_numbers_are_finite_everywhere_in_the_page(open_file):
    """A page that reads a number it was not given shows NaN or undefined: none anywhere, at any step."""
    model, loss = alice_loss()
    o = open_file(play(loss))
    page = o.page
    for _ in range(len(play(loss).steps) + 1):
        text = page.inner_text(".mg-player")
        assert "NaN" not in text and "undefined" not in text and "null" not in text
        page.keyboard.press("ArrowRight")
