"""A layered left-to-right layout of a graph of boxes, in pure Python (no Graphviz needed).

The classic recipe (Sugiyama's), kept small: each box gets a column (its rank,
as far right as its consumers allow, so inputs sit next to the op that reads
them), edges longer than one column get invisible waypoints, the order within
each column is improved by barycenter sweeps (keeping the order with the fewest
crossings), and the heights come from repeatedly placing each box at the mean
height of its neighbours, as close as the boxes' order and spacing allow
(isotonic regression). Deterministic: the same graph gives the same picture.

>>> spots, paths, size = layout([(100, 40), (100, 40), (100, 40)], [(0, 2, 0, 2), (1, 2, 1, 2)])
>>> [x for x, _ in spots], size[0]
([0.0, 0.0, 146.0], 246.0)
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

__all__ = ["layout", "COLUMN_GAP", "ROW_GAP"]

#: horizontal space between columns, and vertical space between boxes of a column
COLUMN_GAP = 46.0
ROW_GAP = 16.0
_WAYPOINT = 4.0  # the height a long edge takes up in a column it passes through
_SWEEPS = 12
_PLACEMENT_ROUNDS = 8

Point = tuple[float, float]
# an edge: (from box, to box, port, ports): it enters its target at port `port` of `ports` spaced down its left side
DrawnEdge = tuple[int, int, int, int]


def _ranks(n: int, edges: Sequence[DrawnEdge]) -> list[int]:
    """Each box's column: longest path from the sources, then as far right as the box's consumers allow."""
    feeds: list[list[int]] = [[] for _ in range(n)]
    rank = [0] * n
    for src, dst, _, _ in sorted(edges, key=lambda e: e[1]):  # boxes come in topological order
        rank[dst] = max(rank[dst], rank[src] + 1)
        feeds[src].append(dst)
    for b in reversed(range(n)):
        if feeds[b]:
            rank[b] = min(rank[d] for d in feeds[b]) - 1
    return rank


def _crossings(pairs: list[tuple[int, int]]) -> int:
    """Crossings between two adjacent columns, edges given as (position left, position right)."""
    seen: list[int] = []
    count = 0
    for _, right in sorted(pairs):
        # every edge already seen that ends lower down crosses this one
        count += len(seen) - bisect.bisect_right(seen, right)
        bisect.insort(seen, right)
    return count


def layout(
    sizes: Sequence[tuple[float, float]], edges: Sequence[DrawnEdge]
) -> tuple[list[Point], list[list[Point]], Point]:
    """Positions (top-left corners) of boxes given in topological order, each edge's path, and the total size.

    ``sizes`` are (width, height) per box; each edge is (from, to, port, ports).
    A path is the list of points from the right side of its source, through its
    waypoints, to its port on the left side of its target.
    """
    n = len(sizes)
    rank = _ranks(n, edges)
    columns = max(rank, default=0) + 1
    # nodes of the layered graph: the boxes, then the waypoints of long edges
    height = [h for _, h in sizes]
    node_rank = list(rank)
    chains: list[list[int]] = []  # per edge: the layered nodes it passes, source to target
    links: list[tuple[int, int]] = []  # layered edges between adjacent columns
    for src, dst, _, _ in edges:
        chain = [src]
        for r in range(rank[src] + 1, rank[dst]):
            node_rank.append(r)
            height.append(_WAYPOINT)
            chain.append(len(node_rank) - 1)
        chain.append(dst)
        chains.append(chain)
        links += zip(chain, chain[1:])
    total = len(node_rank)
    left: list[list[int]] = [[] for _ in range(total)]
    right: list[list[int]] = [[] for _ in range(total)]
    for a, b in links:
        right[a].append(b)
        left[b].append(a)

    layers: list[list[int]] = [[] for _ in range(columns)]
    for v in range(total):
        layers[node_rank[v]].append(v)
    layers = _order(layers, left, right, links, node_rank)

    # x: columns as wide as their widest box
    col_width = [0.0] * columns
    for b in range(n):
        col_width[rank[b]] = max(col_width[rank[b]], sizes[b][0])
    col_x = [0.0] * columns
    for r in range(1, columns):
        col_x[r] = col_x[r - 1] + col_width[r - 1] + COLUMN_GAP
    # y: where each node's centre is wanted, from its neighbours' centres
    y = _place(layers, height, left, right)
    top = min((y[v] for v in range(total)), default=0.0)
    spots = [(col_x[rank[b]] + (col_width[rank[b]] - sizes[b][0]) / 2, y[b] - top) for b in range(n)]

    paths = []
    for (src, dst, port, ports), chain in zip(edges, chains):
        sx, sy = spots[src]
        tx, ty = spots[dst]
        points = [(sx + sizes[src][0], sy + sizes[src][1] / 2)]
        for v in chain[1:-1]:
            r = node_rank[v]
            points.append((col_x[r] + col_width[r] / 2, y[v] - top + _WAYPOINT / 2))
        points.append((tx, ty + sizes[dst][1] * (port + 1) / (ports + 1)))
        paths.append(points)
    width = col_x[-1] + col_width[-1] if n else 0.0
    bottom = max((y[v] - top + height[v] for v in range(total)), default=0.0)
    return spots, paths, (width, bottom)


def _order(
    layers: list[list[int]], left: list[list[int]], right: list[list[int]], links: list[tuple[int, int]],
    node_rank: list[int],
) -> list[list[int]]:
    """Barycenter sweeps, left to right and back; the order with the fewest crossings is kept."""

    def crossings(order: list[list[int]]) -> int:
        pos = {v: i for layer in order for i, v in enumerate(layer)}
        by_column: dict[int, list[tuple[int, int]]] = {}
        for a, b in links:
            by_column.setdefault(node_rank[a], []).append((pos[a], pos[b]))
        return sum(_crossings(pairs) for pairs in by_column.values())

    best, best_count = [list(layer) for layer in layers], crossings(layers)
    current = [list(layer) for layer in layers]
    for sweep in range(_SWEEPS):
        if best_count == 0:
            break
        forward = sweep % 2 == 0
        ranks = range(1, len(current)) if forward else range(len(current) - 2, -1, -1)
        neighbours = left if forward else right
        for r in ranks:
            fixed = current[r - 1] if forward else current[r + 1]
            pos = {v: i for i, v in enumerate(fixed)}
            stretch = len(fixed) / max(len(current[r]), 1)
            keys = []
            for i, v in enumerate(current[r]):
                ns = [pos[u] for u in neighbours[v]]
                # a node without neighbours on that side keeps its place
                keys.append((sum(ns) / len(ns) if ns else i * stretch, i))
            current[r] = [current[r][i] for _, i in sorted(keys)]
        count = crossings(current)
        if count < best_count:
            best, best_count = [list(layer) for layer in current], count
    return best


def _place(layers: list[list[int]], height: list[float], left: list[list[int]],
           right: list[list[int]]) -> list[float]:
    """Top y of every node: each column packed in its order, then pulled towards its neighbours' centres."""
    y = [0.0] * len(height)
    tallest = max((sum(height[v] + ROW_GAP for v in layer) for layer in layers), default=0.0)
    for layer in layers:
        span = sum(height[v] + ROW_GAP for v in layer)
        at = (tallest - span) / 2
        for v in layer:
            y[v] = at
            at += height[v] + ROW_GAP

    def centre(v: int) -> float:
        return y[v] + height[v] / 2

    for round_ in range(_PLACEMENT_ROUNDS):
        last = round_ == _PLACEMENT_ROUNDS - 1
        forward = round_ % 2 == 0
        order = range(len(layers)) if forward else range(len(layers) - 1, -1, -1)
        for r in order:
            layer = layers[r]
            wanted = []
            for v in layer:
                ns = left[v] + right[v] if last else (left[v] if forward else right[v])
                wanted.append(sum(centre(u) for u in ns) / len(ns) - height[v] / 2 if ns else y[v])
            for v, top in zip(layer, _spaced(wanted, [height[v] for v in layer])):
                y[v] = top
    return y


def _spaced(wanted: list[float], heights: list[float]) -> list[float]:
    """The tops closest to ``wanted`` (least squares) that keep the order and ``ROW_GAP`` between boxes.

    With offsets o_i (the room the boxes above i need), z_i = y_i - o_i must not
    decrease: isotonic regression, solved by pooling adjacent violators.
    """
    offsets, at = [], 0.0
    for h in heights:
        offsets.append(at)
        at += h + ROW_GAP
    blocks: list[list[float]] = []  # [mean, count]
    for want, off in zip(wanted, offsets):
        blocks.append([want - off, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, count = blocks.pop()
            blocks[-1][0] = (blocks[-1][0] * blocks[-1][1] + mean * count) / (blocks[-1][1] + count)
            blocks[-1][1] += count
    z = [mean for mean, count in blocks for _ in range(int(count))]
    return [zi + off for zi, off in zip(z, offsets)]
