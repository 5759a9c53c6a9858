#!/usr/bin/env python3
"""The benchmark runner: micrograd's workloads (`workloads.py`), alone or side by side with Karpathy's micrograd.

Run from a checkout (after ``pip install -e ".[dev]"``)::

    python benchmarks/bench.py                  # our engine: every workload, medians of 3 runs
    python benchmarks/bench.py --compare        # side by side with micrograd==0.1.0 from PyPI
    python benchmarks/bench.py --compare --pairs 7 moons_step gender_train
    python benchmarks/bench.py moons_step_traced traced_vs_numpy   # the traced engine, against numpy
    python benchmarks/bench.py --quick          # tiny sizes: checks that the script itself works
    python benchmarks/bench.py --profile moons_step   # where the time goes: cProfile + gc time
    python benchmarks/bench.py --list           # the workloads and what they measure

How it measures
    * Every run is a fresh Python process (``--child``) that imports exactly one engine. Both
      packages are called ``micrograd``, so they can never share a process: the child puts the
      engine's folder first on ``sys.path`` and checks which ``micrograd`` it really imported.
      "ours" is the checkout this script lives in, whatever else is installed.
    * Karpathy's processes do not import numpy: a larger heap slows his garbage collector and
      would flatter our ratio. Every run reports whether numpy was loaded (``numpy_loaded``);
      the summary says so per engine, and a Karpathy run with numpy loaded fails the run.
    * ``--compare`` alternates the two engines in separate processes (Karpathy's then ours, then
      ours then Karpathy's, ...), prints the ratio of every pair and summarises each workload
      by the median of those ratios, which a busy machine disturbs far less than one long run.
      ``moons_step_traced`` pairs our traced step with his eager one (his engine has no tracer).
    * Karpathy's package is installed by this script with ``pip install --target`` into a cache
      folder (``--karpathy-dir``; default ``$MICROGRAD_BENCH_CACHE`` or
      ``~/.cache/micrograd-bench``), never into the project's environment.
    * Timings run with Python's default garbage-collector settings: that is what users get.
    * Same numbers out (`SAME_NUMBERS`): with the same data and initial weights, our losses over
      10 moons steps, eager and traced, must equal Karpathy's and the hand-written numpy step's,
      to 1e-12, and the gender network must end its training with Karpathy's loss.

Adding a workload: see the docstring of ``workloads.py``; this file needs no change.

Exit status: 0 when every run of our engine worked and every check held (a missed speed
target is reported, not an error), 1 otherwise, 2 for a usage error or when Karpathy's
package cannot be installed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if str(Path(__file__).resolve().parent) not in sys.path:  # when this file is loaded by path, not run
    sys.path.insert(0, str(Path(__file__).resolve().parent))
# workloads imports neither numpy nor micrograd, so either engine can be loaded after it
from workloads import NUMPY_ONLY, ROOT, WORKLOADS, Engine, Workload, WorkloadFailed, perf  # noqa: E402

KARPATHY = "micrograd==0.1.0"
SAME_NUMBERS_TOL = 1e-12  # "same numbers out"; sums added in another order differ by ~1e-16
# (what, figure, our workload, the other workload, its engine, whose): ours must equal theirs to SAME_NUMBERS_TOL
SAME_NUMBERS = (
    ("moons losses", "losses", "moons_step", "moons_step", "karpathy", "Karpathy's"),
    ("moons losses", "losses", "moons_step", "numpy_moons_step", "numpy", "the numpy floor's"),
    ("traced moons losses", "losses", "moons_step_traced", "moons_step_traced", "karpathy", "Karpathy's"),
    ("traced moons losses", "losses", "moons_step_traced", "numpy_moons_step", "numpy", "the numpy floor's"),
    ("gender final loss after training", "final_loss", "gender_train", "gender_train", "karpathy", "Karpathy's"),
)
Result = dict[str, Any]  # one run: "status" ("ok" or "failed"), "numpy_loaded", and the figures or the "error"


# ---------------------------------------------------------------------------------- child process


def load_engine(name: str, path: str | None) -> Engine:
    """Import the engine ``name`` from folder ``path`` and make sure that is the one imported."""
    if name == "numpy":
        return Engine(name)
    assert path is not None
    sys.path.insert(0, path)
    import micrograd
    from micrograd.engine import Value
    from micrograd.nn import MLP

    found = Path(micrograd.__file__).resolve().parent.parent
    if found != Path(path).resolve():
        raise SystemExit(f"asked for the micrograd in {path} but imported {micrograd.__file__}; "
                         "is another micrograd installed with an import hook? Use a clean environment")
    return Engine(name, Value, MLP)


def child_main(workload: str, engine_name: str, engine_path: str | None, size: dict[str, Any]) -> int:
    """Run one workload once in this process and print its result as one JSON line."""
    w = WORKLOADS[workload]
    if w.recursion_limit:
        sys.setrecursionlimit(w.recursion_limit)
    engine = load_engine(engine_name, engine_path)
    result: Result
    try:
        result = {"status": "ok", **w.run(engine, **size)}
    except WorkloadFailed as e:
        result = {"status": "failed", "error": str(e)}
    # asked after the run, so that an import anywhere in the harness, the engine or the workload counts
    result["numpy_loaded"] = "numpy" in sys.modules
    print(json.dumps(result), flush=True)
    return 0


def run_child(workload: str, engine: str, engine_path: Path | None, size: dict[str, Any],
              timeout: float) -> Result:
    """Run one workload in a fresh interpreter; a crash or timeout becomes a 'failed' result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", workload, "--engine", engine,
           "--size", json.dumps(size)]
    if engine_path is not None:
        cmd += ["--engine-path", str(engine_path)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"status": "failed", "error": f"no result within {timeout:.0f} s"}
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"status": "failed", "error": f"process exited with status {proc.returncode}: {tail[:300]}"}
    return json.loads(lines[-1])


# ---------------------------------------------------------------------------------- parent


def default_cache() -> Path:
    """Where Karpathy's package is installed: $MICROGRAD_BENCH_CACHE, else the user's cache folder."""
    if os.environ.get("MICROGRAD_BENCH_CACHE"):
        return Path(os.environ["MICROGRAD_BENCH_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "micrograd-bench"


def ensure_karpathy(cache: Path) -> Path:
    """Folder holding Karpathy's micrograd 0.1.0, installed there with ``pip --target`` if needed."""
    target = cache / "micrograd-0.1.0"
    if not (target / "micrograd" / "engine.py").is_file():
        print(f"installing {KARPATHY} into {target} (pip install --target; this environment is untouched)",
              flush=True)
        cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), KARPATHY]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0 or not (target / "micrograd" / "engine.py").is_file():
            print(f"could not install {KARPATHY} into {target}:\n{proc.stderr.strip()[-800:]}\n"
                  f"install it yourself with: {' '.join(cmd)}", file=sys.stderr)
            raise SystemExit(2)
    return target


def fmt(value: float | None, unit: str) -> str:
    """Seconds as s / ms / us, bytes as B, ratios ("x") as 1.2x."""
    if value is None:
        return "-"
    if unit == "B":
        return f"{value:,.0f} B"
    if unit == "x":
        return f"{value:.3g}x"
    if value >= 0.9995:  # what would round to "1e+03 ms" is "1 s"
        return f"{value:.3g} s"
    if value >= 0.9995e-3:
        return f"{value * 1e3:.3g} ms"
    return f"{value * 1e6:.3g} us"


def fmt_detail(key: str, value: Any) -> str:
    """One secondary figure of a run, e.g. 'bwd_s 6.2 ms'."""
    if isinstance(value, float) and (key.endswith("_s") or "_s_per_" in key):
        return f"{key} {fmt(value, 's')}"
    if isinstance(value, float):
        return f"{key} {value:.6g}"
    return f"{key} {value:,}" if isinstance(value, int) else f"{key} {value}"


def first_line(doc: str | None) -> str:
    """A docstring's summary line, without reST markup."""
    return (doc or "").strip().splitlines()[0].replace("``", "").replace("`", "")


def sizes(size: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v:,}" if isinstance(v, (int, float)) else f"{k}={v}" for k, v in size.items())


def short_error(result: Result) -> str:
    """'RecursionError in backward' out of 'RecursionError in backward: maximum recursion depth ...'."""
    return result["error"].split(":")[0]


def describe(result: Result, w: Workload) -> str:
    if result["status"] != "ok":
        return f"failed: {result['error']}"
    extra = ", ".join(fmt_detail(k, result[k]) for k in w.details if result.get(k) is not None)
    return fmt(result[w.headline], w.unit) + (f" ({extra})" if extra else "")


@dataclass
class Row:
    """Everything measured for one workload."""

    name: str
    runs: dict[str, list[Result]] = field(default_factory=dict)  # engine -> results
    ratios: list[float] = field(default_factory=list)  # Karpathy's / ours, one per pair
    checks: list[tuple[str, bool]] = field(default_factory=list)  # (what, held)

    def ok_runs(self, engine: str) -> list[Result]:
        return [r for r in self.runs.get(engine, []) if r["status"] == "ok"]

    def median(self, engine: str, key: str) -> float | None:
        vals = [r[key] for r in self.ok_runs(engine) if r.get(key) is not None]
        return statistics.median(vals) if vals else None


def measure(name: str, pairs: int, quick: bool, karpathy: Path | None, timeout: float) -> Row:
    """Run one workload: alternating pairs when both engines take part, else repeated runs."""
    w = WORKLOADS[name]
    size = w.quick if quick else w.size
    engines = [e for e in w.engines if e != "karpathy" or karpathy is not None]
    paths = {"ours": ROOT, "karpathy": karpathy, "numpy": None}
    row = Row(name)
    rounds = 1 if w.deterministic else pairs
    print(f"\n{name} ({sizes(size)}): {first_line(w.run.__doc__)}", flush=True)
    for i in range(rounds):
        order = engines if i % 2 == 0 else engines[::-1]  # A B, B A, ...: drift hits both
        results = {}
        for e in order:
            if e == "karpathy" and row.runs.get(e) and not row.ok_runs(e):
                continue  # it failed already; the same size fails again
            e_size = (w.reference_size or size) if e == "karpathy" and not quick else size
            results[e] = run_child(name, e, paths[e], e_size, timeout)
            row.runs.setdefault(e, []).append(results[e])
        parts = [f"{e} {describe(results[e], w)}" for e in engines if e in results]
        line = f"  run {i + 1}/{rounds}: " + " | ".join(parts)
        k, o = results.get("karpathy"), results.get("ours")
        if k and o and k["status"] == "ok" and o["status"] == "ok" and o[w.headline]:
            row.ratios.append(k[w.headline] / o[w.headline])
            line += f" | ratio {row.ratios[-1]:.3g}x"
        print(line, flush=True)
    return row


def same_numbers_checks(rows: dict[str, Row]) -> None:
    """Hold our figures to the others' of `SAME_NUMBERS` (first runs of each); rows not run are skipped."""
    for what, key, workload, other, engine, whose in SAME_NUMBERS:
        if workload not in rows or other not in rows:
            continue
        ours, theirs = rows[workload].ok_runs("ours"), rows[other].ok_runs(engine)
        if not ours or not theirs:
            continue
        a, b = ours[0][key], theirs[0][key]
        if isinstance(a, list):
            diff = max(abs(x - y) for x, y in zip(a, b))
            held = len(a) == len(b) and diff <= SAME_NUMBERS_TOL
            text = (f"{what} over {len(a)} steps equal {whose} to {SAME_NUMBERS_TOL:g}: largest difference "
                    f"{diff:.2g} (ours end at {a[-1]:.12f})")
        else:
            held = abs(a - b) <= SAME_NUMBERS_TOL
            text = f"{what} equals {whose} to {SAME_NUMBERS_TOL:g}: difference {abs(a - b):.2g} (ours {a:.12f})"
        rows[workload].checks.append((text, held))


def numpy_report(rows: dict[str, Row]) -> tuple[str, bool]:
    """In how many processes of each engine numpy was loaded; False if any of Karpathy's had it."""
    loaded: dict[str, list[bool]] = {}
    for row in rows.values():
        for engine, results in row.runs.items():
            loaded.setdefault(engine, []).extend(r["numpy_loaded"] for r in results if "numpy_loaded" in r)
    line = "numpy loaded in the processes: " + ", ".join(f"{e} {sum(v)} of {len(v)}" for e, v in sorted(loaded.items()))
    clean = not any(loaded.get("karpathy", []))
    if "karpathy" in loaded:
        line += (" (Karpathy's must have none: numpy slows his garbage collector)" if clean else
                 "\nFAIL numpy was loaded in Karpathy's processes, where it slows his garbage collector")
    return line, clean


def summary(rows: dict[str, Row], compare: bool, quick: bool) -> tuple[str, bool]:
    """The markdown table of medians, and whether every run of ours worked and every check held."""
    good = True
    lines = ["| workload | figure | ours | Karpathy's 0.1.0 | ratio (median of pairs) | pairs' range | target | met |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, row in rows.items():
        w = WORKLOADS[name]
        main = "numpy" if w.engines == NUMPY_ONLY else "ours"
        ours = row.median(main, w.headline)
        if row.runs.get(main) and not row.ok_runs(main):
            good = False
        if "karpathy" in row.runs:
            k_runs = row.ok_runs("karpathy")
            at = f" at {sizes(w.reference_size)}" if w.reference_size and not quick else ""
            kcol = fmt(row.median("karpathy", w.headline), w.unit) if k_runs else \
                f"fails{at}: {short_error(row.runs['karpathy'][0])}"
        else:
            kcol = "not run" if compare and "karpathy" in w.engines else "-"
        ratio = statistics.median(row.ratios) if row.ratios else None
        if ratio is not None:
            rcol = f"{ratio:.3g}x " + ("less" if w.unit == "B" else "faster")
            spread = f"{min(row.ratios):.3g}-{max(row.ratios):.3g}x" if len(row.ratios) > 1 else "one pair"
        else:
            rcol = spread = "-"
        met = "-"
        if w.meets and quick:
            met = "n/a (--quick)"  # the targets are for the full sizes
        elif w.meets and not row.ok_runs("ours"):
            met = "**no**"
        elif w.meets and w.target_is_ratio and ratio is None:
            met = "needs --compare"
        elif w.meets:
            first = row.ok_runs("ours")[0]
            medians = {k: row.median("ours", k) for k, v in first.items() if isinstance(v, (int, float))}
            met = "yes" if w.meets(medians, ratio) else "**no**"
        size = sizes(w.quick if quick else w.size)
        lines.append(f"| {name} ({size}) | {w.label} | {fmt(ours, w.unit)} | {kcol} | {rcol} | {spread} "
                     f"| {w.target or '-'} | {met} |")
    return "\n".join(lines), good


def goals(rows: dict[str, Row], quick: bool) -> list[str]:
    """One line per goal of the workloads that state theirs: what was measured, its spread, met or not."""
    lines = []
    for name, row in rows.items():
        w = WORKLOADS[name]
        runs = row.ok_runs("ours")
        if w.goals is None or not runs:
            continue
        for what, measured, met in w.goals(runs):
            verdict = "n/a (--quick)" if quick else "met" if met else "NOT MET"
            lines.append(f"  {verdict:13} {what}: {measured}")
    return lines


def profile(name: str, quick: bool, top: int = 12) -> None:
    """Where the time goes: one run of a workload on our engine under cProfile, plus the time
    the cyclic garbage collector took, by generation (measured with ``gc.callbacks``)."""
    import cProfile
    import pstats

    w = WORKLOADS[name]
    engine = load_engine("ours", str(ROOT)) if "ours" in w.engines else Engine("numpy")
    gc_time = {0: [0, 0.0], 1: [0, 0.0], 2: [0, 0.0]}  # generation -> [collections, seconds]
    started = [0.0]

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = perf()
        else:
            gc_time[info["generation"]][0] += 1
            gc_time[info["generation"]][1] += perf() - started[0]

    size = w.quick if quick else w.size
    t0 = perf()
    gc.callbacks.append(on_gc)
    try:
        w.run(engine, **size)
    finally:
        gc.callbacks.remove(on_gc)
    wall = perf() - t0
    print(f"{name} ({sizes(size)}) without the profiler: {wall:.3g} s, of which the garbage collector "
          + ", ".join(f"gen{g} {n} collections {s:.3g} s" for g, (n, s) in gc_time.items()))
    prof = cProfile.Profile()
    prof.runcall(w.run, engine, **size)
    print("\nunder cProfile (its overhead inflates small functions):")
    pstats.Stats(prof, stream=sys.stdout).strip_dirs().sort_stats("tottime").print_stats(top)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"{platform.python_implementation()} {platform.python_version()}, load average {load}")


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "micrograd"], capture_output=True,
                               text=True).stdout.strip()
        return out.stdout.strip() + (" + uncommitted changes" if dirty else "") if out.returncode == 0 else "?"
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="workloads: " + ", ".join(WORKLOADS),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workloads", nargs="*", help="which workloads to run (default: all)")
    parser.add_argument("--compare", action="store_true", help="also run Karpathy's micrograd 0.1.0, alternating")
    parser.add_argument("--pairs", type=int, default=None,
                        help="runs per engine (default: 5 with --compare, 3 without, 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check that the script works")
    parser.add_argument("--karpathy-dir", type=Path, default=None,
                        help="cache folder for Karpathy's package (default: $MICROGRAD_BENCH_CACHE or "
                             "~/.cache/micrograd-bench)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed per run")
    parser.add_argument("--json", type=Path, default=None, help="also write every result to this file")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    parser.add_argument("--profile", action="store_true",
                        help="profile the named workloads on our engine, in this process, instead of timing them")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--engine-path", help=argparse.SUPPRESS)
    parser.add_argument("--size", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        return child_main(args.child, args.engine, args.engine_path, json.loads(args.size))
    if args.list:
        for name, w in WORKLOADS.items():
            print(f"{name:24} {', '.join(w.engines):15} {first_line(w.run.__doc__)}")
        return 0
    unknown = [n for n in args.workloads if n not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    names = args.workloads or list(WORKLOADS)
    if args.profile:
        for name in names:
            profile(name, args.quick)
        return 0
    pairs = args.pairs or (1 if args.quick else 5 if args.compare else 3)
    if pairs < 1:
        parser.error("--pairs must be at least 1")
    karpathy = ensure_karpathy(args.karpathy_dir or default_cache()) if args.compare else None

    print(f"ours: {ROOT} (git {git_commit()})")
    if karpathy:
        print(f"Karpathy's: {KARPATHY} in {karpathy}")
    print(f"machine: {machine()}")
    rows = {name: measure(name, pairs, args.quick, karpathy, args.timeout) for name in names}
    same_numbers_checks(rows)
    table, good = summary(rows, args.compare, args.quick)
    print("\nSummary (medians; ratio = median over pairs of Karpathy's time / ours, or bytes)\n")
    print(table)
    numpy_line, numpy_clean = numpy_report(rows)
    print(f"\n{numpy_line}")
    good = good and numpy_clean
    goal_lines = goals(rows, args.quick)
    if goal_lines:
        print("\nGoals (measured by the workloads themselves; ratios are medians of alternating rounds)\n")
        print("\n".join(goal_lines))
    checks = [c for row in rows.values() for c in row.checks]
    if checks:
        print("\nSame numbers out")
    for what, held in checks:
        print(f"  {'ok  ' if held else 'FAIL'} {what}")
        good = good and held
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "commit": git_commit(), "pairs": pairs,
                                         "quick": args.quick, "rows": {n: r.__dict__ for n, r in rows.items()}},
                                        indent=1))
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
