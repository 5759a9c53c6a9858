#!/usr/bin/env python3
"""How close is our engine to the floor of its own graph? Karpathy's, ours and the floor, side by side.

    python benchmarks/floor.py                          # gender_train and moons_step, 5 rounds
    python benchmarks/floor.py --pairs 9 gender_train

The floor (``benchmarks/floor/micrograd``) builds exactly our graph and runs our backward
pass, with every check taken out and node creation inlined. No product would ship it, but
it shows how much of our time the checks and the engine's structure take, and how far the
same graph and algorithm get without them. Each round
runs the three engines in fresh processes (rotating which goes first), with `bench.py`'s
child processes, so the conditions are those of ``bench.py --compare``. Printed per
workload: each engine's median, the median over rounds of Karpathy's figure / ours and
/ the floor's, and a check that the floor computes the same numbers as ours (1e-12).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import SAME_NUMBERS_TOL, default_cache, ensure_karpathy, fmt, run_child  # noqa: E402
from workloads import ROOT, WORKLOADS  # noqa: E402

FLOOR = Path(__file__).resolve().parent / "floor"
SAME = {"gender_train": "final_loss", "moons_step": "losses"}  # the figure that must agree, per workload


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workloads", nargs="*", metavar="workload",
                        help=f"which workloads (default: {' '.join(SAME)})")
    parser.add_argument("--pairs", type=int, default=5, help="rounds of the three engines (default 5)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed per run")
    args = parser.parse_args(argv)
    unknown = [n for n in args.workloads if n not in SAME]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(SAME)}")
    paths = {"karpathy": ensure_karpathy(default_cache()), "ours": ROOT, "floor": FLOOR}
    good = True
    for name in args.workloads or list(SAME):
        w = WORKLOADS[name]
        print(f"\n{name}: {w.label}", flush=True)
        runs: dict[str, list[dict]] = {e: [] for e in paths}
        for i in range(args.pairs):
            engines = list(paths)
            engines = engines[i % 3:] + engines[:i % 3]
            for e in engines:
                r = run_child(name, e, paths[e], w.size, args.timeout)
                if r["status"] != "ok":
                    print(f"  {e} failed: {r['error']}")
                    return 1
                runs[e].append(r)
            print("  round " + str(i + 1) + ": " + " | ".join(
                f"{e} {fmt(runs[e][-1][w.headline], w.unit)}" for e in paths), flush=True)
        k = [r[w.headline] for r in runs["karpathy"]]
        for e in ("ours", "floor"):
            mine = [r[w.headline] for r in runs[e]]
            ratios = sorted(a / b for a, b in zip(k, mine))
            print(f"  {e:6} median {fmt(statistics.median(mine), w.unit)}: Karpathy's / {e} "
                  f"{statistics.median(ratios):.3g}x (rounds {ratios[0]:.3g}-{ratios[-1]:.3g}x)")
        ours, floor = [r[w.headline] for r in runs["ours"]], [r[w.headline] for r in runs["floor"]]
        print(f"  ours / floor: {statistics.median(a / b for a, b in zip(ours, floor)):.3g}x")
        a, b = runs["ours"][0][SAME[name]], runs["floor"][0][SAME[name]]
        diff = max(abs(x - y) for x, y in zip(a, b)) if isinstance(a, list) else abs(a - b)
        held = diff <= SAME_NUMBERS_TOL
        good = good and held
        print(f"  {'ok  ' if held else 'FAIL'} the floor's {SAME[name]} equal ours to {SAME_NUMBERS_TOL:g}: "
              f"difference {diff:.2g}")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
