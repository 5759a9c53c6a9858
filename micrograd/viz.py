"""Draw a computation graph: ``draw_dot(loss)`` returns a ``graphviz.Digraph``.

Every `Value` becomes a record node ``label | data | grad`` and every operation a
small node between its inputs and its result. With ``edge_labels=True`` the edge
from a child into an operation carries the local derivative d(result)/d(child)
that the engine stored in the forward pass (``node._local``); ``highlight=``
marks every path from a parameter to the output, and the caption then shows the
chain rule at work: the product of the edge labels along each path, summed over
the paths, is the parameter's gradient.

Building the drawing needs only the ``graphviz`` Python package (``.source`` is
the DOT text). Turning it into SVG or PNG needs a renderer: Graphviz's ``dot``
if it is installed, otherwise the ``graphviz-pure`` executable that the ``viz``
and ``dev`` extras install (`find_renderer`). `save` writes a file by its
extension; in Jupyter a drawing displays itself through the same lookup.

Drawing never hangs: ``max_nodes`` (default 250) draws only the nodes nearest
the root, walking no further into the graph than that needs; the renderer is
stopped after ``timeout`` seconds (default 60) with `RenderTimeout`; and a
drawing too big for any renderer to lay out is refused before it starts
(`DrawingTooBig`). Each error says how big the drawing is and how to draw less.

>>> from micrograd import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b
>>> c.label = "c"
>>> dot = draw_dot(c, edge_labels=True)
>>> [line.strip() for line in dot.source.splitlines() if "->" in line]
['v0 -> v2op [label=-3]', 'v1 -> v2op [label=2]', 'v2op -> v2']

The edge labels are dc/da = b = -3 and dc/db = a = 2.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from types import EllipsisType
from typing import Any, cast

import graphviz

from micrograd import graph, neurons
from micrograd.engine import Value
from micrograd.ops import symbol

__all__ = [
    "draw_dot",
    "as_drawing",
    "save",
    "format_of",
    "chain_rule_paths",
    "find_renderer",
    "Drawing",
    "RendererNotFound",
    "RenderError",
    "RenderTimeout",
    "DrawingTooBig",
    "RENDERER_REQUIREMENT",
    "DEFAULT_MAX_NODES",
    "DEFAULT_TIMEOUT",
    "MAX_RENDER_NODES",
]

#: what the ``viz`` extra installs; the error for a missing renderer names it
RENDERER_REQUIREMENT = "graphviz-pure>=0.2,<0.3"
#: executables tried in order: Graphviz's own ``dot`` first, then the pip-installed one
RENDERERS: tuple[str, ...] = ("dot", "graphviz-pure")
#: beyond this many Values a drawing is collapsed to neurons, then cut (see ``draw_dot``)
DEFAULT_MAX_NODES = 250
#: seconds a renderer may run before it is stopped (``draw_dot(timeout=...)``, ``save(timeout=...)``)
DEFAULT_TIMEOUT = 60.0
#: the most Graphviz nodes (boxes and op circles) handed to a renderer; beyond it rendering is refused
MAX_RENDER_NODES = 20_000
#: file extensions `save` understands; ``dot``/``gv`` are the DOT text itself
SAVE_FORMATS = ("svg", "png", "pdf", "dot", "gv")
#: the layout directions ``draw_dot(rankdir=...)`` takes
RANKDIRS = ("LR", "TB", "RL", "BT")
# Colours: blue parameters, green inputs (or every leaf, when parameters cannot be told),
# orange output, red highlighted paths.
_FILL = {"param": "#cfe2ff", "input": "#d3f0da", "leaf": "#d3f0da", "output": "#ffe0b2", "interior": "white",
         "neuron": "#ede7f6"}
_RED = "#d62728"
_FONT = "Helvetica,Arial,sans-serif"

Highlight = Value | str | Iterable[Value | str] | None


class RendererNotFound(graphviz.ExecutableNotFound):
    """No Graphviz renderer (``dot`` or ``graphviz-pure``) was found; the message says how to install one.

    A subclass of ``graphviz.ExecutableNotFound``, so code written for the
    ``graphviz`` package catches it too.
    """

    def __init__(self, fmt: str) -> None:
        RuntimeError.__init__(
            self,
            f"cannot render {fmt}: no Graphviz renderer found (looked for {' and '.join(RENDERERS)} on PATH "
            f"and in {_scripts_dirs()[0]}). Install one with:\n"
            f"    {shlex.quote(sys.executable)} -m pip install {shlex.quote(RENDERER_REQUIREMENT)}\n"
            "Without a renderer the graph is still built: `.source` is its DOT text, and saving to a .dot file works.",
        )


class RenderError(RuntimeError):
    """The renderer ran but failed (for example a format it does not support)."""


class RenderTimeout(RenderError):
    """The renderer did not finish within the time limit and was stopped; nothing was written.

    ``seconds`` is the limit, ``size`` describes the drawing (how many boxes and
    Values), so that callers such as the command line can word the way out
    their own way.
    """

    def __init__(self, seconds: float, size: str) -> None:
        self.seconds, self.size = seconds, size
        super().__init__(
            f"the renderer did not finish within {seconds:g} s and was stopped; nothing was written. "
            f"The drawing has {size}. Draw less of it: a smaller max_nodes, collapse='neurons' "
            "(one box per neuron) or a smaller graph; or save it to a .dot file, which writes the DOT text "
            "without rendering; or allow more time with timeout=SECONDS (None: no limit)"
        )


class DrawingTooBig(RenderError):
    """The drawing has more than `MAX_RENDER_NODES` nodes: no renderer lays that out in reasonable time.

    Raised before the renderer starts. ``values`` and ``nodes`` count the
    Values drawn and the Graphviz nodes (boxes and op circles) they make,
    ``limit`` is `MAX_RENDER_NODES`.
    """

    def __init__(self, values: int, nodes: int) -> None:
        self.values, self.nodes, self.limit = values, nodes, MAX_RENDER_NODES
        super().__init__(
            f"this drawing is too big to render: {values:,} Values in {nodes:,} boxes and op nodes, more than "
            f"the {self.limit:,} a renderer lays out in reasonable time and memory. Draw part of it: "
            f"max_nodes={DEFAULT_MAX_NODES} (the default) draws the nodes nearest the output, collapse='neurons' "
            "one box per neuron; or save it to a .dot file, which writes the DOT text without rendering"
        )


def _scripts_dirs() -> list[str]:
    """Where pip puts executables for this interpreter (the venv's bin, also when it is not activated)."""
    dirs = [sysconfig.get_path("scripts"), os.path.dirname(sys.executable)]
    try:
        dirs.append(sysconfig.get_path("scripts", f"{os.name}_user"))
    except KeyError:  # no user scheme on this platform
        pass
    return list(dict.fromkeys(d for d in dirs if d))


def find_renderer() -> str | None:
    """The path of the first renderer found, or None: ``dot`` on PATH, then ``graphviz-pure``.

    Each name is looked up on PATH and then in this Python's scripts folder, so a
    renderer pip-installed into a virtual environment is found even when the
    environment is not activated.
    """
    for name in RENDERERS:
        found = shutil.which(name)
        if found:
            return found
        for folder in _scripts_dirs():
            found = shutil.which(name, path=folder)
            if found:
                return found
    return None


def _run_renderer(source: str, fmt: str, engine: str = "dot", timeout: float | None = None, size: str = "") -> bytes:
    """Lay out and render DOT ``source`` to ``fmt`` bytes with the renderer `find_renderer` picks.

    A renderer still running after ``timeout`` seconds is killed and `RenderTimeout`
    raised; ``size`` describes the drawing for its message.
    """
    exe = find_renderer()
    if exe is None:
        raise RendererNotFound(fmt)
    try:
        # run() kills the renderer and waits for it when the time is up (or on Ctrl-C)
        proc = subprocess.run(
            [exe, f"-K{engine}", f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise RenderTimeout(timeout or 0.0, size or f"{source.count(chr(10)):,} lines of DOT text") from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        hint = ""
        if "not recognized" in err:
            name = os.path.basename(exe)
            hint = f"; {name} cannot write {fmt}: use .svg or .png, or install Graphviz for more formats"
        raise RenderError(f"{exe} failed (exit {proc.returncode}) rendering {fmt}: {err}{hint}")
    return proc.stdout


def _render(
    graph: graphviz.Digraph, fmt: str, engine: str | None = None, timeout: float | None = DEFAULT_TIMEOUT
) -> bytes:
    """Render a drawing, refusing one too big for the renderer (`DrawingTooBig`) before starting it."""
    size = ""
    if isinstance(graph, Drawing):
        if graph.nodes > MAX_RENDER_NODES:
            raise DrawingTooBig(graph.values_drawn, graph.nodes)
        size = graph.size()
    return _run_renderer(graph.source, fmt, engine or graph.engine, timeout, size)


def _check_timeout(timeout: object) -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, or None for no limit; got {timeout!r}")
    return float(timeout) if timeout < float("inf") else None


class Drawing(graphviz.Digraph):
    """The ``graphviz.Digraph`` that `draw_dot` returns; it renders through `find_renderer`.

    ``pipe()``, ``render()`` and Jupyter's inline display use ``dot`` or
    ``graphviz-pure``, whichever is found, and raise `RendererNotFound` (naming the
    install command) when neither is. They stop the renderer after ``timeout``
    seconds (`RenderTimeout`; None: no limit) and refuse a drawing of more than
    `MAX_RENDER_NODES` nodes (`DrawingTooBig`). Everything else is plain ``graphviz``.

    ``values_drawn`` counts the Values shown (a collapsed neuron shows several);
    ``values_total`` the Values in the whole graph, or None when the drawing
    was cut by ``max_nodes`` and the rest of the graph was not walked (it is
    walked only for ``highlight``, to sum over every path). ``nodes`` counts
    the Graphviz nodes: boxes and op circles.
    """

    values_drawn: int = 0
    values_total: int | None = 0
    nodes: int = 0
    timeout: float | None = DEFAULT_TIMEOUT
    _failed_source: str | None = None  # the source whose inline display failed, not to be tried twice

    def size(self) -> str:
        """How big the drawing is, in words: ``'462 boxes and op nodes, showing 267 of 5,239 Values'``."""
        if not self.values_drawn:  # a drawing made elsewhere (`as_drawing`): its nodes are all we know
            return f"{self.nodes:,} nodes"
        if self.values_total is None:
            of = " of a bigger graph"
        elif self.values_drawn < self.values_total:
            of = f" of {self.values_total:,}"
        else:
            of = ""
        return f"{self.nodes:,} boxes and op nodes, showing {self.values_drawn:,}{of} Values"

    def pipe(
        self,
        format: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: bool | int | None = None,
        quiet: bool = False,
        *,
        engine: str | None = None,
        encoding: str | None = None,
    ) -> bytes | str:
        """The rendered graph as bytes (or text with ``encoding``), like ``graphviz.Digraph.pipe``."""
        fmt = ":".join(p for p in (format or self.format, renderer, formatter) if p)
        out = _render(self, fmt, engine, self.timeout)
        return out.decode(encoding) if encoding else out

    def render(
        self,
        filename: str | os.PathLike[str] | None = None,
        directory: str | os.PathLike[str] | None = None,
        view: bool = False,
        cleanup: bool = False,
        format: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: bool | int | None = None,
        quiet: bool = False,
        quiet_view: bool = False,
        *,
        outfile: str | os.PathLike[str] | None = None,
        engine: str | None = None,
        raise_if_result_exists: bool = False,
        overwrite_source: bool = False,
    ) -> str:
        """Save the DOT source and render it beside it, like ``graphviz.Digraph.render``; returns the output path.

        Without ``outfile`` the output is ``<source file>.<format>``; with it, the
        format defaults to its extension and the source goes next to it as ``.gv``.
        ``neato_no_op``, ``quiet`` and ``overwrite_source`` are accepted for
        compatibility and have no effect.
        """
        if outfile is not None:
            format = format or Path(outfile).suffix.lstrip(".") or None
            if filename is None:
                filename = Path(outfile).with_suffix(".gv")
        source = self.save(filename, directory=directory)
        fmt = format or self.format
        target = Path(self.directory, outfile) if outfile is not None else Path(f"{source}.{fmt}")
        if raise_if_result_exists and target.exists():
            raise FileExistsError(f"output file exists: {str(target)!r}")
        _write(target, self.pipe(fmt, renderer, formatter, engine=engine))  # type: ignore[arg-type]
        if cleanup:
            os.remove(source)
        if view or quiet_view:
            graphviz.view(target, quiet=quiet_view)
        return str(target)

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None, **kw: Any
    ) -> dict[str, Any]:
        # A notebook without a renderer, or with a drawing too big or too slow for it, should say
        # what to do, not print a traceback; and not run the renderer again for _repr_svg_.
        try:
            bundle: dict[str, Any] = super()._repr_mimebundle_(include, exclude, **kw)
            return bundle
        except (RendererNotFound, RenderError) as e:
            self._failed_source = self.source
            return {"text/plain": str(e)}

    def _repr_svg_(self) -> str | None:
        """SVG text for front ends that ask for ``_repr_svg_``; None (no SVG) if it cannot be rendered."""
        # IPython calls this after _repr_mimebundle_ when the bundle has no SVG: it must not raise,
        # nor wait for the renderer a second time.
        if self._failed_source is not None and self._failed_source == self.source:
            return None
        try:
            return self.pipe("svg", encoding="utf-8")  # type: ignore[return-value]
        except (RendererNotFound, RenderError):
            return None


def format_of(path: str | os.PathLike[str]) -> str:
    """The output format named by a file's extension (one of `SAVE_FORMATS`), or a ValueError saying which exist."""
    fmt = Path(path).suffix.lstrip(".").lower()
    if fmt not in SAVE_FORMATS:
        known = ", ".join(SAVE_FORMATS)
        raise ValueError(f"cannot tell the format of {str(path)!r}: use one of the extensions {known}")
    return fmt


def as_drawing(graph: graphviz.Digraph, *, timeout: float | None = DEFAULT_TIMEOUT) -> Drawing:
    """Any ``graphviz.Digraph`` as a `Drawing`: the same picture, rendered the way `draw_dot`'s are.

    For a graph drawn by other code, such as the ``draw_dot`` that the micrograd
    lecture writes itself: displayed in Jupyter, ``pipe()``, ``render()`` or
    `save` then use `find_renderer` (Graphviz's ``dot`` if it is installed, else
    ``graphviz-pure``, which pip installs) instead of failing where the system
    has no Graphviz. ``graph`` itself is not changed.

    >>> import graphviz
    >>> dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    >>> dot.node("a", "a | data 2.0", shape="record")
    >>> dot.node("b", "b | data 4.0", shape="record")
    >>> dot.edge("a", "b")
    >>> drawing = as_drawing(dot)
    >>> drawing.source == dot.source, drawing.nodes
    (True, 2)
    """
    if not isinstance(graph, graphviz.Digraph):
        raise TypeError(f"as_drawing takes a graphviz.Digraph, got {type(graph).__name__}"
                        + ("; to draw a Value, call draw_dot(value)" if isinstance(graph, Value) else ""))
    drawing = Drawing(name=graph.name, comment=graph.comment, filename=graph.filename, directory=graph.directory,
                      format=graph.format, engine=graph.engine, encoding=graph.encoding,
                      graph_attr=dict(graph.graph_attr), node_attr=dict(graph.node_attr),
                      edge_attr=dict(graph.edge_attr), body=list(graph.body), strict=graph.strict)
    drawing.timeout = _check_timeout(timeout)
    drawing.nodes = sum(1 for line in graph.body if _NODE_STATEMENT.match(line))
    return drawing


# a node statement as graphviz writes it: a name, then its attributes or the end of the line (not an edge)
_NODE_STATEMENT = re.compile(r'\t(?!(?:graph|node|edge|subgraph)\b)("(?:[^"\\]|\\.)*"|[^\s"\[{}]+)\s*(?:\[|$)')


def save(
    graph: Value | graphviz.Digraph,
    path: str | os.PathLike[str],
    *,
    timeout: float | None | EllipsisType = ...,
    **draw_options: Any,
) -> Path:
    """Write a drawing to ``path``; the extension picks the format: .svg, .png, .pdf, or .dot/.gv (DOT text).

    ``graph`` is a drawing, or a `Value` to draw first with ``draw_options``
    (passed to `draw_dot`). Only .dot/.gv work without a renderer, and they
    are written however big the drawing is. The renderer is stopped after
    ``timeout`` seconds (None: no limit; by default the drawing's own, 60 s
    unless `draw_dot` was given another). Nothing is written if rendering
    fails or is stopped. Returns the path written.
    """
    path = Path(path)
    fmt = format_of(path)
    if timeout is not ...:
        timeout = _check_timeout(timeout)
    if isinstance(graph, Value):
        graph = draw_dot(graph, **draw_options)
    elif draw_options:
        raise TypeError(f"draw options {sorted(draw_options)} only apply when saving a Value, not a finished drawing")
    if not isinstance(graph, graphviz.Digraph):
        raise TypeError(f"save needs a Value or a drawing from draw_dot, got {type(graph).__name__}")
    if timeout is ...:
        timeout = graph.timeout if isinstance(graph, Drawing) else DEFAULT_TIMEOUT
    if fmt in ("dot", "gv"):
        _write(path, graph.source.encode("utf-8"))
    else:
        _write(path, _render(graph, fmt, None, timeout))
    return path


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all: a full disk or a Ctrl-C leaves no half-written file."""
    # beside the target, so that the rename is atomic; opened like any new file, so the umask applies
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException as e:
        tmp.unlink(missing_ok=True)
        if isinstance(e, OSError) and e.filename == str(tmp):  # name the file asked for, not the temporary one
            raise type(e)(e.errno, e.strerror, str(path)) from None
        raise


# ---------------------------------------------------------------------------- the graph


def _highlight_items(highlight: Highlight) -> list[Value | str]:
    """``highlight`` as a list of Values and labels, or a TypeError saying what it takes."""
    if highlight is None:
        return []
    if isinstance(highlight, (Value, str)):
        return [highlight]
    what = "highlight takes a Value, a label such as 'w1', or a list of them"
    try:
        items = list(highlight)
    except TypeError:
        raise TypeError(f"{what}; got {type(highlight).__name__} {highlight!r}") from None
    for item in items:
        if not isinstance(item, (Value, str)):
            raise TypeError(f"{what}; got {type(item).__name__} {item!r} in the list")
    return items


def _sources(order: list[Value], items: list[Value | str]) -> list[Value]:
    """The nodes the highlight ``items`` name in the graph ``order`` (all of it), or an error naming what is missing."""
    found: dict[Value, None] = {}
    members = set(order)
    searched = f"the {len(order):,} Values of the graph of {order[-1].label or 'the output'}"
    for item in items:
        if isinstance(item, Value):
            if item not in members:
                raise ValueError(f"highlight: {item!r} is not part of this graph (it is not among {searched})")
            matches = [item]
        else:
            matches = [v for v in order if v.label == item]
            if not matches:
                labels = sorted({v.label for v in order if v.label}, key=_natural)
                listed = ", ".join(labels[:_LABELS_LISTED]) or "none"
                if len(labels) > _LABELS_LISTED:
                    listed += f" and {len(labels) - _LABELS_LISTED:,} more"
                raise ValueError(
                    f"highlight: no node labelled {item!r} among {searched} (all were searched); "
                    f"its labels are: {listed}"
                )
        found.update(dict.fromkeys(matches))
    return list(found)


#: how many labels the error for an unknown highlight label lists
_LABELS_LISTED = 40


def _natural(s: str) -> tuple[int | str, ...]:
    """Sort key putting w2 before w10."""
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s))


def _on_paths(order: list[Value], sources: list[Value]) -> set[Value]:
    """Nodes on some path from a source up to the root: the sources and everything above them."""
    marked = set(sources)
    for node in order:  # children come first, so one pass suffices
        if node not in marked and any(c in marked for c in node._prev):
            marked.add(node)
    return marked


def _path_sums(order: list[Value], source: Value) -> tuple[int, float]:
    """(number of paths from source to root, Σ over paths of the product of local derivatives).

    Computed forward from the source in one pass over the graph, so it is cheap
    even when the paths are too many to list.
    """
    count: dict[Value, int] = {source: 1}
    total: dict[Value, float] = {source: 1.0}
    for node in order:
        if node is source:
            continue
        n, s = 0, 0.0
        for child, local in zip(node._prev, node._local):
            if child in count:
                n += count[child]
                s += local * total[child]
        if n:
            count[node], total[node] = n, s
    root = order[-1]
    return count.get(root, 0), total.get(root, 0.0)


def chain_rule_paths(root: Value, source: Value, limit: int = 10_000) -> list[list[tuple[Value, Value, float]]]:
    """Every path from ``source`` up to ``root``, each a list of edges ``(child, parent, d parent/d child)``.

    The chain rule says ``d root / d source`` is the sum over these paths of the
    product of the local derivatives along each one; after ``root.backward()``
    (from zeroed gradients) that is ``source.grad``. Raises ValueError if there
    are more than ``limit`` paths (their number can grow exponentially).

    >>> from micrograd import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x + x
    >>> paths = chain_rule_paths(y, x)
    >>> [[(c.label, round(d, 1)) for c, _, d in p] for p in paths]
    [[('x', 3.0), ('', 1.0)], [('x', 3.0), ('', 1.0)], [('x', 1.0)]]
    >>> import math
    >>> sum(math.prod(d for *_, d in p) for p in paths)
    7.0
    """
    parents = graph.parents(root)
    order = list(parents)  # parents() lists every node, in topological order
    if source not in parents:
        raise ValueError(f"{source!r} is not part of the graph of {root!r}")
    n_paths, _ = _path_sums(order, source)
    if n_paths > limit:
        raise ValueError(f"{n_paths} paths lead from {source!r} to the root, more than limit={limit}")
    paths: list[list[tuple[Value, Value, float]]] = []
    stack: list[tuple[Value, list[tuple[Value, Value, float]]]] = [(source, [])]
    while stack:
        node, path = stack.pop()
        if node is root:
            paths.append(path)
            continue
        for parent, local in reversed(parents[node]):
            stack.append((parent, [*path, (node, parent, local)]))
    return paths


# ---------------------------------------------------------------------------- drawing


class _Unit:
    """One record node of the drawing: a Value, or a whole neuron when collapsed."""

    __slots__ = ("value", "members", "kind", "op", "inputs", "note")

    def __init__(self, value: Value, kind: str, op: str) -> None:
        self.value = value  # whose label, data and grad the record shows
        self.members = [value]  # the Values it stands for
        self.kind = kind
        self.op = op  # the op node's text ('' for leaves and collapsed neurons)
        self.inputs: list[tuple[Value, float]] = []  # (child Value, d value / d child), one per edge
        self.note = ""


def _num(x: float) -> str:
    s = f"{x:.4g}"
    return "0" if s == "-0" else s


def _record_text(s: str) -> str:
    """Escape the characters that structure a record label."""
    return re.sub(r'([\\{}|<>"])', r"\\\1", s)


# NUL stops Graphviz reading the DOT text, the other C0 controls make an SVG that is not valid XML,
# and a lone surrogate cannot be written as UTF-8 at all (tab, newline and carriage return are fine)
_UNDRAWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def _drawable(label: str, value: Value) -> str:
    """``label``, or a ValueError if it has a character no renderer can draw."""
    bad = _UNDRAWABLE.search(label)
    if bad:
        raise ValueError(
            f"cannot draw the label {label!r} of {value!r}: it contains {bad.group()!r}, a control character "
            "that Graphviz cannot draw; give the Value a label without it (value.label = '...')"
        )
    return label


def _param_set(order: list[Value], params: Any) -> set[Value] | None:
    """The parameters among the leaves: ``params`` as given, else `micrograd.neurons.parameters` (None: no neurons)."""
    if params is not None:
        return set(params.parameters() if hasattr(params, "parameters") else params)
    return neurons.parameters(order)


def _build_units(
    order: list[Value], parents: dict[Value, list[tuple[Value, float]]], params: set[Value] | None, collapse: bool
) -> tuple[list[_Unit], dict[Value, _Unit]]:
    """The record nodes in drawing order, and a map from each Value drawn as (part of) a node to that node.

    Collapsing makes one unit of each ``dot`` node (a neuron's weighted sum) and
    the activation applied to it; parameters read only by neurons are drawn inside
    them (in a batch, one parameter is read by the same neuron for every sample).
    """
    root = order[-1]
    neuron_of: dict[Value, Value] = {}  # neuron output (activation, or a linear dot) -> its dot node
    absorbed: set[Value] = set()
    if collapse:
        neuron_of, absorbed = neurons.neurons(order, lambda v: [p for p, _ in parents[v]], params)
    hidden = absorbed | {d for out, d in neuron_of.items() if d is not out}
    units: list[_Unit] = []
    where: dict[Value, _Unit] = {}
    for node in order:
        if node in hidden:
            continue
        dot = neuron_of.get(node)
        kind = neurons.kind(node, root=node is root, neuron=dot is not None, params=params)
        unit = _Unit(node, kind, "" if dot is not None else symbol(node._op))
        if dot is not None:
            act = 1.0 if dot is node else node._local[0]
            inside = [c for c in dot._prev if c in absorbed]
            unit.members += ([] if dot is node else [dot]) + inside
            unit.inputs = [(c, act * d) for c, d in zip(dot._prev, dot._local) if c not in absorbed]
            unit.note = f"{'linear' if dot is node else node._op}(w·x + b), {len(inside)} params"
            where[dot] = unit
        else:
            unit.inputs = list(zip(node._prev, node._local))
        where[node] = unit
        units.append(unit)
    return units, where


def _walk(root: Value, budget: int, whole_neurons: bool) -> tuple[dict[Value, None], bool]:
    """The Values nearest to ``root``, breadth first, and whether they are all of its graph.

    The walk stops expanding nodes once it has found ``budget`` Values; a node
    is expanded whole (all its children are found). With ``whole_neurons``, the
    neurons left at the edge get their weighted sum and its inputs too, so that
    collapsing draws them as neurons and not as bare activations.
    """
    found: dict[Value, None] = {root: None}
    queue = deque([root])
    while queue and len(found) < budget:
        for child in queue.popleft()._prev:
            if child not in found:
                found[child] = None
                queue.append(child)
    edge = list(queue)  # found, not expanded
    if whole_neurons:
        for node in queue:
            dot = node if node._op == "dot" else neurons.activated_dot(node)
            if dot is not None:
                new = [v for v in (dot, *dot._prev) if v not in found]
                found.update(dict.fromkeys(new))
                edge += new
    return found, all(c in found for node in edge for c in node._prev)


class _Within:
    """A Value of the part of a graph walked, seen with only its children in that part."""

    __slots__ = ("value", "_prev")

    def __init__(self, value: Value) -> None:
        self.value = value
        self._prev: tuple[_Within, ...] = ()


def _order_within(root: Value, part: dict[Value, None]) -> list[Value]:
    """The Values of ``part`` in `graph.topological_order`, as if the graph stopped where the walk did."""
    within = {v: _Within(v) for v in part}
    for v, w in within.items():
        w._prev = tuple(within[c] for c in v._prev if c in within)
    # the same walk as the whole graph's order: a drawing cut short keeps the whole drawing's layout
    order = cast("list[_Within]", graph.topological_order(cast(Value, within[root])))
    return [w.value for w in order]


def _parents_within(order: list[Value]) -> dict[Value, list[tuple[Value, float]]]:
    """``graph.parents`` restricted to the nodes of ``order``: edges into nodes that were not walked are left out."""
    parents: dict[Value, list[tuple[Value, float]]] = {v: [] for v in order}
    for node in order:
        for child, local in zip(node._prev, node._local):
            if child in parents:
                parents[child].append((node, local))
    return parents


def _keep_nearest(units: list[_Unit], where: dict[Value, _Unit], max_nodes: int) -> list[_Unit] | None:
    """The ``max_nodes`` units closest to the root (breadth first), in drawing order.

    None if the units were built from too small a part of the graph to tell:
    the search reached a node that was not walked, or a neuron cut in half.
    """
    kept = {units[-1]}
    queue = deque([units[-1]])
    while queue and len(kept) < max_nodes:
        for child, _ in queue.popleft().inputs:
            u = where.get(child)
            if u is None:
                if len(kept) < max_nodes:
                    return None
                continue
            if u not in kept and len(kept) < max_nodes:
                kept.add(u)
                queue.append(u)
    for u in kept:
        dot = neurons.activated_dot(u.value)
        if dot is not None and dot not in where:
            return None
    return [u for u in units if u in kept]


class _Part:
    """The part of the graph a drawing shows: its units and what is known about the rest."""

    def __init__(self, units: list[_Unit], where: dict[Value, _Unit], shown: list[_Unit],
                 walked: int, complete: bool, folded: bool) -> None:
        self.units, self.where, self.shown = units, where, shown
        self.walked = walked  # how many Values the drawing code looked at
        self.complete = complete  # whether that was the whole graph
        self.folded = folded  # whether neurons are collapsed


def _whole_part(order: list[Value], params: Any, fold: bool) -> _Part:
    """Every Value of the graph ``order``, drawn."""
    units, where = _build_units(order, _parents_within(order), _param_set(order, params), fold)
    return _Part(units, where, units, len(order), True, fold)


def _nearest_part(root: Value, params: Any, collapse: str, max_nodes: int, whole: list[Value] | None) -> _Part:
    """The ``max_nodes`` units nearest ``root``, from a walk of the graph that goes no further than that needs.

    The walk starts with ``max_nodes + 1`` Values (enough to tell whether the
    graph is bigger) and doubles until the units found contain the nearest
    ``max_nodes`` whole, so its cost is in proportion to what is drawn.
    Which neurons to collapse and which parameters to draw inside them is
    decided from the part walked. ``whole``: the graph's topological order,
    if the caller has it already.
    """
    budget = max_nodes + 1
    fold = collapse == "neurons"
    while True:
        found, complete = _walk(root, budget, fold)
        if collapse == "auto" and not fold and len(found) > max_nodes:
            fold = True  # too many Values to draw each one: collapse, and walk again keeping neurons whole
            continue
        if not complete:
            order = _order_within(root, found)
        else:
            order = whole if whole is not None else graph.topological_order(root)
        units, where = _build_units(order, _parents_within(order), _param_set(order, params), fold)
        shown = units if complete and len(units) <= max_nodes else _keep_nearest(units, where, max_nodes)
        if shown is not None:
            return _Part(units, where, shown, len(order), complete, fold)
        assert not complete, "the whole graph was walked, yet the nearest nodes could not be told"
        budget *= 2


#: beyond this many bends of long edges (see `_bends`), the layout is bounded (see `draw_dot`)
_MANY_BENDS = 2_000


def _bends(part: _Part) -> int:
    """How many ranks the drawing's edges skip in all: the virtual nodes Graphviz's dot lays out for them.

    dot puts every node on a rank (a column, with the default rankdir='LR') and
    breaks an edge spanning k ranks into k - 1 virtual nodes. The ranks are
    estimated the way dot sets a leaf's: right before the first op that reads it.
    """
    drawn = set(part.shown)
    depth: dict[_Unit, int] = {}  # ranks before the root's
    for u in reversed(part.shown):  # every parent before its children
        below = depth.setdefault(u, 0) + (2 if u.op else 1)  # an op node sits one rank before its record
        for child, _ in u.inputs:
            c = part.where.get(child)
            if c in drawn:
                depth[c] = max(depth.get(c, 0), below)
    total = 0
    for u in part.shown:
        end = depth[u] + (1 if u.op else 0)  # the rank an input edge ends on
        for child, _ in u.inputs:
            c = part.where.get(child)
            if c in drawn:
                total += depth[c] - end - 1
    return total


def draw_dot(
    root: Value,
    format: str = "svg",
    rankdir: str = "LR",
    *,
    edge_labels: bool = False,
    highlight: Highlight = None,
    params: Any = None,
    collapse: str = "auto",
    max_nodes: int | None = DEFAULT_MAX_NODES,
    legend: bool = True,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Drawing:
    """Draw the computation graph below ``root``; returns a `Drawing` (a ``graphviz.Digraph``).

    Each Value is a record ``label | data | grad`` (4 significant digits; hover in
    an SVG for the full numbers), each operation a small node. Parameters are
    blue, other leaves (inputs) green, ``root`` orange (see ``params``). Node ids and order depend
    only on the graph, so the same graph always gives the same DOT text.

    Args:
        root: the output Value (usually the loss).
        format: the output format used by ``.pipe()``/``.render()``.
        rankdir: layout direction, ``'LR'`` (left to right), ``'TB'``, ``'RL'`` or ``'BT'``.
        edge_labels: label each edge into an op with the local derivative
            d(result)/d(child) at the current values.
        highlight: a Value, a label (``'w1'``) or several; every path from it to
            ``root`` is drawn in red and the caption shows the sum over those paths
            of the product of the local derivatives, which is d root / d source.
            Summing over every path takes one walk of the whole graph.
        params: the parameters (a list of Values, or a Module), drawn blue and
            the other leaves green; by default the weights and biases of the
            graph's neurons (its ``dot`` nodes), whatever their labels. In a
            graph without neurons every leaf is drawn alike unless ``params``
            says which are parameters.
        collapse: ``'neurons'`` draws each neuron (its weighted sum, activation and
            own parameters) as one node, with edge labels d(neuron)/d(input);
            ``'none'`` draws every Value; ``'auto'`` collapses only when the graph
            has more than ``max_nodes`` Values.
        max_nodes: the most record nodes drawn; beyond it only the ones nearest
            the root are kept, the caption says so, and the rest of the graph is
            not even walked, so drawing part of a huge graph is quick.
            ``None`` draws everything; rendering refuses drawings of more than
            `MAX_RENDER_NODES` nodes (`DrawingTooBig`), but ``.source`` and
            saving to .dot work at any size.
        legend: add a caption explaining the colours.
        timeout: seconds the renderer may take (``pipe``, ``render``, `save`,
            Jupyter) before it is stopped with `RenderTimeout`; None: no limit.

    >>> from micrograd.tutorials import alice_loss
    >>> model, loss = alice_loss()
    >>> loss.backward()
    >>> dot = draw_dot(loss, edge_labels=True, highlight="w1")
    >>> dot.values_drawn
    17
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot needs a Value, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    if collapse not in neurons.COLLAPSE:
        raise ValueError(f"collapse must be one of {', '.join(neurons.COLLAPSE)}, got {collapse!r}")
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"max_nodes must be a positive int or None, got {max_nodes!r}")
    timeout = _check_timeout(timeout)
    items = _highlight_items(highlight)

    # the whole graph is walked only when everything is drawn, or to sum over every path from a source
    whole = graph.topological_order(root) if items or max_nodes is None else None
    sources = _sources(whole, items) if whole is not None and items else []
    marked = _on_paths(whole, sources) if whole is not None and sources else set()
    if max_nodes is None:
        assert whole is not None
        part = _whole_part(whole, params, collapse == "neurons")
    else:
        part = _nearest_part(root, params, collapse, max_nodes, whole)
    shown = part.shown

    ids = {u: f"v{i}" for i, u in enumerate(shown)}
    graph_attr = {"rankdir": rankdir, "fontname": _FONT, "fontsize": "11"}
    if _bends(part) > _MANY_BENDS:
        # Long edges (one Value read all along a chain, as in a+a+...+a) make dot's placement of
        # their virtual nodes slow: it takes ever more steps, each costing the whole graph. Two steps
        # per node leave such a chain looking the same. With edge labels, routing curves through all
        # those ranks is the slow part: draw straight segments instead.
        graph_attr["nslimit"] = "2"
        if edge_labels:
            graph_attr["splines"] = "line"
    dot = Drawing(format=format, graph_attr=graph_attr)
    dot.attr("node", fontname=_FONT, fontsize="11")
    dot.attr("edge", fontname=_FONT, fontsize="9", arrowsize="0.7")
    drawn_values = {m for u in shown for m in u.members}
    dot.values_drawn = len(drawn_values)
    dot.values_total = len(whole) if whole is not None else part.walked if part.complete else None
    dot.nodes = len(shown) + sum(1 for u in shown if u.op)
    dot.timeout = timeout
    for u in shown:
        _draw_unit(dot, u, ids, part.where, marked, edge_labels)
    caption = _caption(
        root, whole or [], sources, part, drawn_values, legend=legend, edge_labels=edge_labels, max_nodes=max_nodes
    )
    if caption:
        dot.attr(label=caption, labeljust="l", labelloc="b")
    return dot


def _draw_unit(
    dot: Drawing, u: _Unit, ids: dict[_Unit, str], where: dict[Value, _Unit], marked: set[Value], edge_labels: bool
) -> None:
    """Add one record node, its op node and the edges into it."""
    uid, v = ids[u], u.value
    red = {"color": _RED, "penwidth": "2.5"}
    # a node whose inputs were cut by max_nodes gets a dashed outline (the caption explains)
    cut = any(where.get(c) not in ids for c, _ in u.inputs)
    label = _drawable(v.label, v)
    fields = [_record_text(label)] if label else []
    if u.note:
        fields.append(_record_text(u.note))
    fields += [f"data {_num(v.data)}", f"grad {_num(v.grad)}"]
    attrs = {"shape": "record", "style": "filled", "fillcolor": _FILL[u.kind]}
    if u.kind == "output":
        attrs["penwidth"] = "2"
    if cut and not u.op:
        attrs["style"] = "filled,dashed"
    if any(m in marked for m in u.members):
        attrs.update(red)
    tip = f"{label or 'value'}: data={v.data!r} grad={v.grad!r}"
    dot.node(uid, label="{ " + " | ".join(fields) + " }", tooltip=_record_text(tip), **attrs)
    target = uid
    if u.op:
        target = uid + "op"
        op_attrs = {
            "shape": "circle" if len(u.op) <= 3 else "ellipse",
            "style": "filled,dashed" if cut else "filled",
            "fillcolor": "#eeeeee",
            "fontsize": "10",
            "margin": "0.02",
        }
        dot.node(target, label=graphviz.nohtml(u.op), **op_attrs, **(red if v in marked else {}))
    for child, local in u.inputs:
        c = where.get(child)
        if c not in ids:
            continue
        eattrs = {"label": _num(local)} if edge_labels else {}
        if child in marked:
            eattrs.update(red, fontcolor=_RED)
        dot.edge(ids[c], target, **eattrs)
    if u.op:
        dot.edge(target, uid, **(red if v in marked else {}))


#: the caption gives the chain-rule sum for at most this many highlighted nodes
_SOURCES_SUMMED = 5


def _caption(
    root: Value,
    order: list[Value],
    sources: list[Value],
    part: _Part,
    drawn: set[Value],
    *,
    legend: bool,
    edge_labels: bool,
    max_nodes: int | None,
) -> str:
    """The text under the picture: the colours, the chain rule for each highlighted source, what was cut.

    ``order`` is the whole graph when there are ``sources``, ``drawn`` the Values shown.
    """
    present = {u.kind for u in part.shown}
    lines = []
    if legend:
        colours = {"param": "blue: parameters", "input": "green: inputs", "neuron": "purple: whole neurons",
                   "leaf": "green: leaves (inputs or parameters)"}
        kinds = [text for kind, text in colours.items() if kind in present] + ["orange: output"]
        lines.append(", ".join(kinds) + (" · edge label: d(op result)/d(input)" if edge_labels else ""))
    name = _drawable(root.label, root) or "output"
    for s in sources[:_SOURCES_SUMMED]:
        n_paths, total = _path_sums(order, s)
        label = _drawable(s.label, s) or "node"
        unit = part.where.get(s)
        if s not in drawn:
            at = f" (not drawn: beyond the {max_nodes} nodes nearest to {name})"
        elif unit is None:
            at = " (drawn inside the neurons that read it)"
        elif unit.value is not s:
            at = f" (inside {unit.value.label or 'a neuron'})"
        else:
            at = ""
        lines.append(
            f"red: the {n_paths} path{'s' * (n_paths != 1)} from {label}{at} to {name}; "
            f"sum over paths of the product of local derivatives = d{name}/d{label} = {_num(total)}"
        )
    if len(sources) > _SOURCES_SUMMED:
        lines.append(f"red too: the paths from {len(sources) - _SOURCES_SUMMED:,} more highlighted nodes")
    if len(part.shown) < len(part.units) or not part.complete:
        folded = " (neurons collapsed)" if part.folded else ""
        if part.complete:
            of, more = f" of {len(part.units)}", "pass max_nodes=None to draw all"
        else:  # the rest was not walked, unless to sum over paths
            of = f"; the graph has {len(order):,} Values" if order else "; the graph has more"
            more = "a larger max_nodes draws more"
        lines.append(
            f"showing the {len(part.shown)} nodes nearest to {name}{of}{folded}; "
            f"max_nodes={max_nodes}; dashed: inputs not drawn ({more})"
        )
    # \l ends a left-justified line in Graphviz labels
    return "".join(_caption_text(line) + "\\l" for line in lines)


def _caption_text(s: str) -> str:
    """Graph captions are plain labels: only backslashes and quotes need escaping."""
    return s.replace("\\", "\\\\").replace('"', '\\"')
