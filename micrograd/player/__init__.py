"""The backprop player: step through forward and backward on your own graph, in one HTML file.

``play(loss)`` returns a `Player`: in Jupyter it shows itself, and
``.save("player.html")`` writes one self-contained file that opens from disk
(no server, no network). Forward computes one node at a time in topological
order, with the numbers that made it; backward passes gradients one edge at a
time, ``child.grad += local × node.grad``, in exactly `Value.backward()`'s
order, so at the last step every gradient equals ``.grad`` to the last bit.
``mode='naive'`` and ``mode='assign'`` replay the two classic mistakes beside
the correct walk; ``hand=`` checks a derivation made by hand. See docs/player.md.

* `core`: `play`, `Player` and the steps; `walks`: the backward walks;
* `text`: what the player says; `layout`: where boxes go; `page`: the HTML.
"""

from micrograd.player.core import (
    COLLAPSE_ABOVE,
    MAX_BOXES,
    MAX_STEPS,
    MODES,
    FirstWrong,
    GraphTooLarge,
    HandCheck,
    Player,
    Step,
    play,
)

__all__ = ["play", "Player", "Step", "HandCheck", "FirstWrong", "GraphTooLarge", "MODES", "COLLAPSE_ABOVE",
           "MAX_BOXES", "MAX_STEPS"]
