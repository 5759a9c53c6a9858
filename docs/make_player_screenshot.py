"""Make the backprop player's pictures for the docs, in a real browser, and the player of Alice's loss.

    python docs/make_player_screenshot.py

writes docs/player_alice.html (the player that docs/derivation.md links to) and
takes two screenshots with Debian's chromium, driven by Playwright, with every
network request refused:

* docs/images/player.png: Alice's loss at step 23, where dL/dsum_h1 receives
  dL/dh1 · h1·(1 − h1), the example of the player's issue;
* docs/images/player-naive.png: karpathy/micrograd PR #64's graph
  (b = a + a; c = b + b) in mode 'naive', at its first wrong gradient.

Needs the dev extra (playwright) and chromium (apt-get install chromium).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from micrograd.cli.play import reuse_graph
from micrograd.player import Player, play
from micrograd.tutorials import alice_loss

DOCS = Path(__file__).resolve().parent
IMAGES = DOCS / "images"
ALICE_PLAYER = DOCS / "player_alice.html"
SIZE = {"width": 1400, "height": 820}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def alice_player() -> Player:
    """The player of L = (1 - ypred)² for Alice (all weights 1, biases 0): the loss docs/derivation.md derives."""
    return play(alice_loss()[1])


def reuse_player() -> Player:
    """PR #64's graph, a = 1; b = a + a; c = b + b, with the naive recursion beside backward()."""
    return play(reuse_graph(), mode="naive")


def screenshot(context, page_file: Path, out: Path, *, step: int) -> None:
    """Open ``page_file`` from disk with the network blocked, step to ``step``, and save a PNG."""
    url = page_file.resolve().as_uri()
    page = context.new_page()
    asked: list[str] = []  # every request the page makes; only the file itself is let through
    page.route("**/*", lambda route: (asked.append(route.request.url),
                                      route.continue_() if route.request.url == url else route.abort()))
    page.goto(url)
    page.wait_for_selector(".mg-ready")
    for _ in range(step):
        page.keyboard.press("ArrowRight")
    page.screenshot(path=str(out))
    page.close()
    if asked != [url]:
        raise SystemExit(f"the page asked for more than itself: {asked}")
    print(f"wrote {out.relative_to(DOCS.parent)}")


def main() -> int:
    alice_player().save(ALICE_PLAYER)
    print(f"wrote {ALICE_PLAYER.relative_to(DOCS.parent)} ({ALICE_PLAYER.stat().st_size:,} bytes)")
    exe = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(exe).exists():
        print("chromium is not installed (apt-get install chromium): no screenshots taken", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    naive = reuse_player()
    assert naive.first_wrong is not None
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(tmp + "/profile", executable_path=exe, headless=True,
                                                       args=ARGS, viewport=SIZE)
        screenshot(context, ALICE_PLAYER, IMAGES / "player.png", step=23)
        naive_file = Path(tmp) / "naive.html"
        naive.save(naive_file)
        screenshot(context, naive_file, IMAGES / "player-naive.png", step=naive.first_wrong.step)
        context.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
