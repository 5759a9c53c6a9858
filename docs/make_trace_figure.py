"""Draw docs/images/trace-program.svg: a traced program, one box per numpy step.

    python docs/make_trace_figure.py

The function traced is the tutorial's 2-2-1 sigmoid network with one sample's
squared error, ``(y - o1)**2``. Inputs (left) come from the batch arrays, parameters
(bottom) are read from their Values at every call, and every box is one step of
the program: nodes with the same op at the same level, computed by one numpy call
for the whole batch. The picture is rendered by whichever renderer
`micrograd.viz.find_renderer` finds.
"""

from __future__ import annotations

from pathlib import Path

import graphviz

from micrograd.trace import TracedProgram, trace
from micrograd.tutorials import network
from micrograd.viz import save

OUT = Path(__file__).resolve().parent / "images" / "trace-program.svg"
COLOURS = {"input": "#fdd0a2", "parameter": "#c6dbef", "step": "#f7f7f7"}


def traced_network() -> TracedProgram:
    model = network()

    def squared_error(x, y):
        error = y - model(x)
        error.label = "error"
        loss = error**2
        loss.label = "loss"
        return loss

    return trace(squared_error, 2, ())


def figure(program: TracedProgram) -> graphviz.Digraph:
    """Inputs, parameters, and one cluster per step with the numpy call that runs it."""
    dot = graphviz.Digraph("traced", graph_attr={"rankdir": "LR", "fontname": "Helvetica", "fontsize": "11"},
                           node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica",
                                      "fontsize": "10"})
    ids: dict[int, str] = {}
    params = {id(p) for p in program.parameters()}
    computed = {id(v) for step in program.steps for v in step.nodes}

    def name(v) -> str:
        return ids.setdefault(id(v), f"n{len(ids)}")

    sources = {}
    for step in program.steps:
        for v in step.nodes:
            for child in v._prev:
                if id(child) not in computed:
                    sources[id(child)] = child
    with dot.subgraph(name="cluster_inputs") as c:
        c.attr(label="inputs: one column per sample", style="dashed")
        for v in sources.values():
            if id(v) not in params:
                c.node(name(v), v.label, fillcolor=COLOURS["input"])
    with dot.subgraph(name="cluster_params") as c:
        c.attr(label="parameters: read from the Values at each call", style="dashed")
        for v in sources.values():
            if id(v) in params:
                c.node(name(v), v.label, fillcolor=COLOURS["parameter"])
    row = 0  # a per-sample step's results take consecutive rows of the (rows, batch) array
    for k, step in enumerate(program.steps, 1):
        with dot.subgraph(name=f"cluster_step{k}") as c:
            c.attr(label=f"step {k} (level {step.level}): {step.numpy}", style="rounded,filled",
                   fillcolor=COLOURS["step"])
            for v in step.nodes:
                c.node(name(v), f"{v.label or v._op}\n{f'row {row}' if step.batched else 'shared'}")
                row += step.batched
    for step in program.steps:
        for v in step.nodes:
            for child in v._prev:
                dot.edge(name(child), name(v))
    return dot


def main() -> int:
    program = traced_network()
    print(program)
    OUT.parent.mkdir(exist_ok=True)
    save(figure(program), OUT)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
