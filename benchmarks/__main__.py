"""`python -m benchmarks`: run every measurement in fresh processes, print PASS/FAIL, write
results.md (with the many-couples section of `benchmarks.batch`). `--profile 100k,1M`
prints pyinstrument reports of warm calls instead."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import batch
from benchmarks.report import NAIVE_SIZE, Run, label, markdown, parse_size, targets

ROOT = Path(__file__).resolve().parents[1]
SIZES = "1k,10k,100k,1M"
#: Workers keep compiled bytecode here, as an installed package would have it, even where
#: PYTHONDONTWRITEBYTECODE is set; the first (discarded) import run fills it.
PYCACHE = ROOT / "benchmarks" / ".cache" / "pycache"


def worker(*args: str) -> str:
    """Stdout of `python -m benchmarks.workers ARGS` in a fresh interpreter."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.workers", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return done.stdout


def measure(*args: str) -> dict[str, Any]:
    """The JSON a worker prints on its last line."""
    result: dict[str, Any] = json.loads(worker(*args).strip().splitlines()[-1])
    return result


def say(text: str) -> None:
    print(text, flush=True)


def run(sizes: list[int], *, imports: int, colds: int, min_calls: int, budget: float) -> Run:
    """Import and cold-start runs, then one fresh process per catalog size."""
    began = time.perf_counter()
    result = Run(load_before=os.getloadavg())
    measure("import")
    for _ in range(imports):
        result.imports.append(measure("import")["seconds"])
    say(f"import novelty: {', '.join(f'{s:.3f}' for s in result.imports)} s")
    for _ in range(colds):
        result.colds.append(measure("cold"))
    say("cold first call: " + ", ".join(f"{c['seconds']:.2f}" for c in result.colds) + " s")
    for size in sizes:
        args = ["scale", "--size", str(size), "--min-calls", str(min_calls)]
        args += ["--budget", str(budget)] + (["--naive"] if size == NAIVE_SIZE else [])
        scale = measure(*args)
        result.scales[size] = scale
        p50s = ", ".join(f"h{h} {result.p50(size, h):.1f}" for h in scale["latency_ms"])
        p50s += f", new events h500 {np.median(scale['events_first_call_ms']):.1f}"
        say(
            f"{label(size)}: prepare {scale['prepare_s']:.2f} s, "
            f"peak {scale['peak_mib']:,.0f} MiB, p50 ms {p50s}"
        )
    result.seconds = time.perf_counter() - began
    result.load_after = os.getloadavg()
    return result


def main(argv: list[str] | None = None) -> int:
    """Benchmark (default) or profile. A report, not a test: exit status 0 whatever the
    verdicts, which it prints and writes."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--sizes", default=SIZES, help=f"catalog sizes (default {SIZES})")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results.md")
    parser.add_argument("--imports", type=int, default=5, help="fresh `import novelty` runs")
    parser.add_argument("--colds", type=int, default=3, help="fresh cold-call runs")
    parser.add_argument("--min-calls", type=int, default=7, help="warm calls per size/history")
    parser.add_argument("--budget", type=float, default=2.0, help="seconds of warm calls each")
    parser.add_argument("--profile", metavar="SIZES", help="profile warm calls at these sizes")
    parser.add_argument(
        "--couples",
        default="1k,10k",
        help="numbers of couples for recommend_many and Dask (default 1k,10k; add 100k "
        "when there is time; empty: skip)",
    )
    parser.add_argument("--couples-catalogs", default="bundled,10k", help="catalogs for --couples")
    args = parser.parse_args(argv)
    if args.profile:
        for size in map(parse_size, args.profile.split(",")):
            calls = 10 if size <= NAIVE_SIZE else 3
            say(f"## Profile: {label(size)} candidates, history 500, {calls} warm calls")
            say(worker("profile", "--size", str(size), "--calls", str(calls)))
        return 0
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    result = run(
        sizes,
        imports=args.imports,
        colds=args.colds,
        min_calls=args.min_calls,
        budget=args.budget,
    )
    say("")
    for target in targets(result):
        name, measured, limit, verdict = target.row()
        say(f"{verdict:8} {name:32} {measured:>14}  (target {limit})")
    args.output.write_text(markdown(result), encoding="utf-8")
    if args.couples:
        say("\n## Many couples")
        couples = [parse_size(s) for s in args.couples.split(",")]
        batch.write(batch.measure(couples, args.couples_catalogs.split(",")), args.output)
    say(f"\nwrote {args.output} in {result.seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
