"""The player as HTML: one self-contained document (its data as JSON, its script and style inline).

The graph is drawn here, as SVG, in the state before the first step: every box
is an element with ``data-node-id``, ``data-label`` and ``data-grad`` (empty
until the node's gradient is complete; the script fills it in as the learner
steps). The script (``player.js``) and the style (``player.css``) sit beside
this module and are copied in, so the file needs nothing else: no server, no
network, no fonts from elsewhere.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from micrograd.ops import symbol
from micrograd.player.core import MODE_NAMES, Player, Step
from micrograd.player.layout import layout
from micrograd.player.text import num

__all__ = ["document", "inline", "data"]

_HERE = Path(__file__).resolve().parent
BOX_WIDTH = 116.0
_ROW = 16.0
_PAD = 7.0
_MARGIN = 14.0
_MAX_NAME = 15  # characters of a name that fit in a box; longer ones end in "…" (the full name is the tooltip)
_OP_SHORT = {"sigmoid": "σ", "rsub": "−", "neg": "−x"}  # the ops a box names otherwise than the op table's symbol
_KIND_TEXT = {"param": "parameter", "input": "input", "leaf": "leaf", "interior": "", "output": "output",
              "neuron": "neuron"}


def _rows(player: Player, kind: str) -> int:
    extra = player.mode != "correct" or player.hand is not None
    return 3 + (kind == "neuron") + extra


def _height(player: Player, kind: str) -> float:
    """A box's height: its rows of text and the padding above and below them."""
    return 2 * _PAD + _ROW * _rows(player, kind)


def _op_text(op: str) -> str:
    return _OP_SHORT.get(op, symbol(op))


def _short(name: str) -> str:
    return name if len(name) <= _MAX_NAME else name[: _MAX_NAME - 1] + "…"


def _geometry(player: Player) -> tuple[list[tuple[float, float]], list[dict[str, Any]], tuple[float, float]]:
    """Box positions, the drawn edges (with their SVG paths) and the drawing's size."""
    g = player.graph
    sizes = [(BOX_WIDTH, _height(player, b.kind)) for b in player.boxes]
    drawn: list[tuple[int, int, int]] = []  # (edge id, from box, to box)
    for e, edge in enumerate(g.edges):
        if edge.child in player.absorbed:
            continue
        src, dst = player.box_of[edge.child], player.box_of[edge.parent]
        if src != dst:
            drawn.append((e, src, dst))
    ports: dict[int, int] = {}
    for _, _, dst in drawn:
        ports[dst] = ports.get(dst, 0) + 1
    seen: dict[int, int] = {}
    spec = []
    for _, src, dst in drawn:
        spec.append((src, dst, seen.get(dst, 0), ports[dst]))
        seen[dst] = seen.get(dst, 0) + 1
    spots, paths, size = layout(sizes, spec)
    edges = []
    for (e, _, _), points in zip(drawn, paths):
        pts = [(x + _MARGIN, y + _MARGIN) for x, y in points]
        d = f"M{pts[0][0]:.1f},{pts[0][1]:.1f}"
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            half = (x1 - x0) / 2
            d += f" C{x0 + half:.1f},{y0:.1f} {x1 - half:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"
        edges.append({"e": e, "d": d})
    placed = [(x + _MARGIN, y + _MARGIN) for x, y in spots]
    return placed, edges, (size[0] + 2 * _MARGIN, size[1] + 2 * _MARGIN)


def _svg(player: Player, placed: list[tuple[float, float]], edges: list[dict[str, Any]],
         size: tuple[float, float]) -> str:
    g = player.graph
    esc = html.escape
    w, h = size
    out = [f'<svg class="mg-graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0f} {h:.0f}" '
           f'width="{w:.0f}" height="{h:.0f}" role="img" aria-label="computation graph of {esc(player.title)}">',
           '<defs><marker id="mg-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" '
           'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#8a949e"/></marker></defs>',
           '<g class="mg-edges">']
    for i, edge in enumerate(edges):
        out.append(f'<path class="mg-edge" data-edge="{edge["e"]}" data-path="{i}" d="{edge["d"]}"/>')
    out.append('</g><g class="mg-nodes">')
    for b, (box, (x, y)) in enumerate(zip(player.boxes, placed)):
        node = g.values[box.node]
        name = player.names[node]
        rows = _rows(player, box.kind)
        height = _height(player, box.kind)
        label = esc(node.label, quote=True)
        kind = _KIND_TEXT[box.kind]
        tip = esc(f"{name}{' (' + kind + ')' if kind else ''}: data = {node.data!r}")
        out.append(f'<g class="mg-node mg-{box.kind}" data-node-id="{box.node}" data-label="{label}" data-grad="" '
                   f'data-box="{b}" transform="translate({x:.1f},{y:.1f})"><title>{tip}</title>'
                   f'<rect class="mg-box" width="{BOX_WIDTH:.0f}" height="{height:.0f}" rx="7"/>')
        row_y = _PAD + 12
        out.append(f'<text class="mg-name" x="8" y="{row_y:.0f}">{esc(_short(name))}</text>')
        if box.op:
            out.append(f'<text class="mg-op" x="{BOX_WIDTH - 8:.0f}" y="{row_y:.0f}">{esc(_op_text(box.op))}</text>')
        if box.note:
            row_y += _ROW
            out.append(f'<text class="mg-note" x="8" y="{row_y:.0f}">{esc(box.note)}</text>')
        row_y += _ROW
        given = not node._prev
        out.append(f'<text class="mg-data" x="8" y="{row_y:.0f}">data {num(node.data) if given else "?"}</text>')
        row_y += _ROW
        out.append(f'<text class="mg-grad" x="8" y="{row_y:.0f}">grad</text>')
        if rows > 3 + (box.kind == "neuron"):
            row_y += _ROW
            out.append(f'<text class="mg-extra" x="8" y="{row_y:.0f}"></text>')
        for m in box.members[1:]:
            inner = g.values[m]
            out.append(f'<g class="mg-member" data-node-id="{m}" data-label="{esc(inner.label, quote=True)}" '
                       f'data-grad=""></g>')
        out.append("</g>")
    out.append("</g></svg>")
    return "".join(out)


def _step_json(player: Player, step: Step) -> dict[str, Any]:
    g = player.graph
    ids = g.index
    out: dict[str, Any] = {"k": step.kind, "n": ids[step.node], "t": step.title, "l": list(step.lines),
                           "w": step.note}
    if step.child is not None:
        out["c"] = ids[step.child]
    if step.kind in ("seed", "edge") and step.child is not None and step.grad is not None:
        out["g"] = [ids[step.child], repr(step.grad), num(step.grad)]
    if step.complete:
        out["d"] = [ids[v] for v in step.complete]
    if step.wrong:
        out["x"] = 1
    if step.edge is not None:
        out["e"] = step.edge
    if step.mistake is not None:
        out["m"] = _step_json(player, step.mistake)
    return out


def data(player: Player, edges: list[dict[str, Any]], placed: list[tuple[float, float]],
         size: tuple[float, float]) -> dict[str, Any]:
    """What the script reads: the nodes, boxes, edges and steps, as plain JSON values.

    A node's ``needs`` is how many contributions its gradient is the sum of in backward()'s walk (its parents
    that pass a gradient on), ``grad`` its gradient at the end; a step's ``d`` the nodes it completes (a
    ``'rest'`` step completes them at ``grad``, 0). Every number a learner reads comes written by `num`, beside
    its ``repr`` where the page also needs it in full (``dt`` beside ``data``, ``gt`` beside ``grad``, a step's
    ``g`` is ``[node, repr, text]``): the script formats nothing itself, so a box shows what the panel shows.
    """
    g = player.graph
    hand = {g.index[c.node]: c for c in player.hand} if player.hand is not None else {}
    nodes = []
    for i, v in enumerate(g.values):
        item: dict[str, Any] = {"name": player.names[v], "label": v.label, "box": player.box_of[i],
                                "data": repr(v.data), "dt": num(v.data), "needs": len(g.feeding[i]),
                                "leaf": not v._prev, "grad": repr(player._final[i]), "gt": num(player._final[i])}
        c = hand.get(i)
        if c is not None:
            item["hand"] = {"yours": repr(c.yours), "yt": num(c.yours), "ok": c.ok, "verdict": c.verdict}
        nodes.append(item)
    boxes = [{"node": b.node, "x": round(x, 1), "y": round(y, 1), "h": _height(player, b.kind),
              "kind": b.kind} for b, (x, y) in zip(player.boxes, placed)]
    path_of = {edge["e"]: i for i, edge in enumerate(edges)}
    edge_list = [{"p": e.parent, "c": e.child, "local": repr(e.local), "path": path_of.get(k, -1)}
                 for k, e in enumerate(g.edges)]
    first = player.first_wrong
    return {
        "version": 1,
        "title": player.title,
        "root": g.root_id,
        "rootName": player.root_name,
        "mode": player.mode,
        "modeName": MODE_NAMES[player.mode],
        "collapsed": player.collapsed,
        "size": [round(size[0]), round(size[1])],
        "nodes": nodes,
        "boxes": boxes,
        "edges": edge_list,
        "boxSize": [BOX_WIDTH, _ROW, _PAD],
        "steps": [_step_json(player, s) for s in player.steps],
        "forward": sum(1 for s in player.steps if s.phase == "forward"),
        "summary": player.summary,
        "firstWrong": None if first is None else {"step": first.step, "node": g.index[first.node],
                                                   "message": first.message},
        "hand": player.hand is not None,
    }


def _json(value: Any) -> str:
    # "<" escaped so that no string (a label such as "</script>") can end the script element early
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _asset(name: str) -> str:
    """``player.js`` or ``player.css`` on one line, without its comments (a smaller file).

    Joining the lines is safe because the script ends every statement with ``;``
    and keeps its comments on lines of their own (a test holds it to both).
    """
    text = (_HERE / name).read_text(encoding="utf-8")
    if name.endswith(".css"):
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    lines = (line.strip() for line in text.splitlines())
    return " ".join(line for line in lines if line and not line.startswith("//"))


def _legend(player: Player) -> str:
    kinds = {b.kind for b in player.boxes}
    items = [("param", "parameter"), ("input", "input"), ("leaf", "leaf"), ("neuron", "neuron"),
             ("interior", "computed"), ("output", "output")]
    spans = "".join(f'<span class="mg-key mg-{k}">{t}</span>' for k, t in items if k in kinds)
    return f'<span class="mg-legend">{spans}</span>'


def _controls(n: int) -> str:
    return (
        '<div class="mg-controls" role="toolbar" aria-label="step controls">'
        '<button type="button" data-action="start" title="to the start (Home)">⇤ start</button>'
        '<button type="button" data-action="prev" title="previous step (←)">◀ prev</button>'
        '<button type="button" data-action="play" title="play / pause (space)" class="mg-play">▶ play</button>'
        '<button type="button" data-action="next" title="next step (→)">next ▶</button>'
        '<button type="button" data-action="end" title="to the end (End)">end ⇥</button>'
        f'<input type="range" data-action="seek" min="0" max="{n}" value="0" aria-label="step">'
        f'<span class="mg-counter">step 0 of {n}</span>'
        '<select data-action="speed" aria-label="speed" title="speed of play">'
        '<option value="1600">slow</option><option value="800" selected>normal</option>'
        '<option value="300">fast</option><option value="60">fastest</option></select>'
        '<button type="button" data-action="fit" title="fit the graph to the window, or show it at full size">'
        'fit</button></div>'
    )


def _table(player: Player) -> str:
    g = player.graph
    extra = {"naive": "naive", "assign": "with =", "correct": "yours"}[player.mode]
    has_extra = player.mode != "correct" or player.hand is not None
    head = "<tr><th>node</th><th>data</th><th>grad</th>" + (f"<th>{extra}</th>" if has_extra else "") + "</tr>"
    rows = []
    for i in _row_order(player):
        v = g.values[i]
        data_text = num(v.data) if not v._prev else ""
        cells = (f'<td class="mg-t-name">{html.escape(player.names[v])}</td><td class="mg-t-data">{data_text}</td>'
                 f'<td class="mg-t-grad"></td>' + ('<td class="mg-t-extra"></td>' if has_extra else ""))
        rows.append(f'<tr data-row="{i}">{cells}</tr>')
    return f'<table class="mg-table"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def _row_order(player: Player) -> list[int]:
    """The table's rows: the nodes in the order backward completes their gradients (the output first)."""
    g = player.graph
    done: dict[int, int] = {}
    for step in player.steps:
        for v in step.complete:
            done.setdefault(g.index[v], step.index)
    return sorted(range(len(g)), key=lambda i: (done.get(i, len(player.steps) + 1), -i))


def document(player: Player) -> str:
    """The whole player as one HTML document."""
    return _document(player, *_geometry(player))


def _document(player: Player, placed: list[tuple[float, float]], edges: list[dict[str, Any]],
              size: tuple[float, float]) -> str:
    """`document`, with the drawing's geometry (`_geometry`) already worked out."""
    payload = data(player, edges, placed, size)
    n = len(player.steps)
    title = html.escape(player.title)
    mode = ""
    if player.mode != "correct":
        mode = (f'<span class="mg-mode">side by side: {html.escape(MODE_NAMES["correct"])} and '
                f'<b>{html.escape(MODE_NAMES[player.mode])}</b></span>')
    elif player.hand is not None:
        mode = '<span class="mg-mode">your derivation, checked</span>'
    collapsed = '<span class="mg-mode">neurons collapsed</span>' if player.collapsed else ""
    summary = ""
    if player.summary:
        button = ""
        if player.first_wrong is not None:
            button = (f' <button type="button" data-action="first-wrong">go to step {player.first_wrong.step}'
                      "</button>")
        summary = f'<div class="mg-summary">{html.escape(player.summary)}{button}</div>'
    side = ""
    if player.mode != "correct":
        side = (f'<div class="mg-side"><div class="mg-phase">{html.escape(MODE_NAMES[player.mode])}, at the same '
                'step</div><div class="mg-title"></div><div class="mg-lines"></div><p class="mg-note"></p></div>')
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>backprop player: {title}</title>"
        f"<style>{_asset('player.css')}</style></head><body>"
        '<div class="mg-player">'
        f'<header class="mg-head"><h1>backprop player: <span class="mg-root">{title}</span></h1>{mode}{collapsed}'
        f"{_legend(player)}</header>"
        '<p class="mg-nojs">This player steps with JavaScript, which did not run here. Open the saved file '
        "(player.save(\"player.html\")) in a browser.</p>"
        '<div class="mg-main"><section class="mg-stage"><div class="mg-graph-wrap">'
        f'{_svg(player, placed, edges, size)}<div class="mg-callout" hidden></div></div>{_controls(n)}</section>'
        f'<aside class="mg-panel">{summary}'
        '<div class="mg-explain"><div class="mg-phase">start</div>'
        '<div class="mg-title">Press next ▶ (or →) to compute the graph one node at a time.</div>'
        '<div class="mg-lines"></div><p class="mg-note">Leaves (inputs and parameters) are given; every other '
        "node is computed from its inputs. Then backward passes gradients back, one edge at a time.</p></div>"
        f"{side}"
        f'<div class="mg-table-wrap">{_table(player)}</div></aside></div></div>'
        f'<script type="application/json" id="micrograd-player-data">{_json(payload)}</script>'
        f"<script>{_asset('player.js')}</script>"
        "</body></html>\n"
    )


def inline(player: Player) -> str:
    """The player for a notebook: the document in an iframe (``srcdoc``), with one line of text under it.

    An iframe runs the document's own script in every front end that shows it
    (JupyterLab, classic Notebook, VS Code), and keeps its style and ids apart
    from the notebook's and other players'.
    """
    placed, edges, size = _geometry(player)  # once, for the document and the frame's height
    height = size[1]
    doc = _document(player, placed, edges, size)
    # room for the graph, the controls and, in a notebook's narrow column, the panel under them
    frame = int(min(1000, max(600, height + 440)))
    caption = (f"micrograd backprop player: {player.title}: {len(player.graph)} values, {len(player.steps)} steps. "
               "Click it, then step with ← →; player.save(\"player.html\") writes it as one file.")
    return (f'<iframe class="micrograd-player" srcdoc="{html.escape(doc, quote=True)}" '
            f'sandbox="allow-scripts" title="micrograd backprop player" '
            f'style="width:100%;height:{frame}px;border:1px solid #ccc;border-radius:6px"></iframe>'
            f'<div style="font:12px sans-serif;color:#555">{html.escape(caption)}</div>')
