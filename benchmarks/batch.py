"""Couples per second for many couples: a loop of recommend() against recommend_many and Dask.

`python -m benchmarks.batch [--couples 1k,10k] [--catalogs bundled,10k]` runs each way in a
fresh process (so its peak memory is its own), writes the "Many couples" section of
results.md and a plot of throughput against couples beside it (needs the `eval` extra).
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks import memory
from benchmarks.report import label, parse_size

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.md"
PLOT = ROOT / "benchmarks" / "throughput.png"
#: The measurements behind the section, so later runs can add to them (`--keep`).
RAW = ROOT / "benchmarks" / "throughput.json"
WAYS = ("loop", "many", "dask-1", "dask-2")
#: Distinct couples made up front (histories of 0-100 outings), taken in turn under new names.
POOL = 500
K = 5
BEGIN, END = "<!-- many couples: begin -->", "<!-- many couples: end -->"


def _couples(catalog: str, count: int) -> tuple[Any, Iterator[Any]]:
    """The Recommender of `catalog` and `count` couples as JSON texts (a generator:
    nothing piles up)."""
    import novelty
    from benchmarks import synthetic

    frame = (
        novelty.load_catalog() if catalog == "bundled" else synthetic.catalog(parse_size(catalog))
    )
    recommender = novelty.Recommender(frame).prepare()
    pool = [synthetic.couple(frame, i % 101, seed=i) for i in range(POOL)]
    # JSON texts, as a batch reads them from files: every way parses its couples.
    named = (
        couple.model_copy(update={"name": f"c{i}"}).model_dump_json()
        for i, couple in zip(range(count), itertools.cycle(pool))
    )
    return recommender, named


def one(way: str, catalog: str, count: int) -> dict[str, Any]:
    """Seconds and peak memory of one way over `count` couples, in this process."""
    from benchmarks.synthetic import NOW

    recommender, couples = _couples(catalog, count)
    options: dict[str, Any] = {"now": NOW, "k": K, "seed": 1}
    before = memory.current_mib() or 0.0
    memory.reset_peak()
    start = time.perf_counter()
    if way == "loop":
        for couple in couples:
            recommender.recommend(couple, **options)
    elif way == "many":
        for _ in recommender.recommend_chunks(couples, **options):
            pass
    else:
        import dask.bag as db
        from distributed import Client, LocalCluster

        from novelty.dask import recommend_many

        workers = int(way.split("-")[1])
        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            start = time.perf_counter()  # the cluster's start-up is not the work
            bag = db.from_sequence(list(couples), npartitions=4 * workers)
            client.compute(recommend_many(bag, recommender=recommender, **options)).result()
    seconds = time.perf_counter() - start
    peak = memory.peak_mib()
    return {
        "seconds": seconds,
        "per_second": count / seconds,
        "peak_mib": peak,
        "added_mib": peak - before,
    }


def measure(
    couples: list[int], catalogs: list[str], ways: tuple[str, ...] = WAYS
) -> list[dict[str, Any]]:
    """Each way for every catalog and number of couples, each in a fresh process."""
    results = []
    for catalog in catalogs:
        for count in couples:
            for way in ways:
                done = subprocess.run(
                    [sys.executable, "-m", "benchmarks.batch", "--one", way, catalog, str(count)],
                    cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True,
                )  # fmt: skip
                found = json.loads(done.stdout.strip().splitlines()[-1])
                results.append({"way": way, "catalog": catalog, "couples": count, **found})
                print(
                    f"{catalog:>8} {label(count):>5} couples {way:>7}: "
                    f"{found['per_second']:8.1f}/s, peak {found['peak_mib']:.0f} MiB",
                    flush=True,
                )
    return results


def section(results: list[dict[str, Any]]) -> str:
    """The markdown section: a table per catalog, speed-ups against the loop."""
    lines = [
        BEGIN,
        "## Many couples (recommend_many and Dask)",
        "",
        f"Couples per second, k={K}, synthetic couples with 0-100 outings given as JSON "
        "texts (each way parses them); Dask counts from a "
        "running cluster (start-up excluded). Peak memory is the driving process's (the "
        "workers' is their own); added MiB is the peak above the process before the run. "
        "`many` streams the table in chunks (`recommend_chunks`).",
        "",
        "| catalog | couples | way | couples/s | vs loop | peak MiB | added MiB |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    loops = {(r["catalog"], r["couples"]): r["per_second"] for r in results if r["way"] == "loop"}
    for r in results:
        base = loops.get((r["catalog"], r["couples"]))
        ratio = f"{r['per_second'] / base:.2f}x" if base else "-"
        lines.append(
            f"| {r['catalog']} | {label(r['couples'])} | {r['way']} | {r['per_second']:.1f} "
            f"| {ratio} | {r['peak_mib']:.0f} | {r['added_mib']:.0f} |"
        )
    lines += ["", f"![throughput against couples]({PLOT.name})", END]
    return "\n".join(lines) + "\n"


def plot(results: list[dict[str, Any]], path: Path) -> None:
    """Couples per second against couples, one line per way and catalog."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4))
    for (catalog, way), group in itertools.groupby(
        sorted(results, key=lambda r: (r["catalog"], r["way"], r["couples"])),
        key=lambda r: (r["catalog"], r["way"]),
    ):
        rows = list(group)
        axes.plot(
            [r["couples"] for r in rows],
            [r["per_second"] for r in rows],
            marker="o",
            label=f"{way} ({catalog})",
        )
    axes.set_xscale("log")
    axes.set_xlabel("couples")
    axes.set_ylabel("couples per second")
    axes.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def write(results: list[dict[str, Any]], output: Path = RESULTS) -> None:
    """Put the section into results.md (replacing an older one), keep the measurements
    beside it (`RAW`) and draw the plot."""
    (output.parent / RAW.name).write_text(json.dumps(results, indent=1), encoding="utf-8")
    text = output.read_text(encoding="utf-8") if output.exists() else ""
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END) + "\n?", re.S)
    text = pattern.sub("", text).rstrip("\n")
    output.write_text(text + "\n\n" + section(results), encoding="utf-8")
    plot(results, output.parent / PLOT.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.batch", description=__doc__)
    parser.add_argument("--couples", default="1k,10k", help="numbers of couples (default 1k,10k)")
    parser.add_argument("--catalogs", default="bundled,10k", help="bundled and/or sizes")
    parser.add_argument("--ways", default=",".join(WAYS), help="some of " + ", ".join(WAYS))
    parser.add_argument(
        "--keep", action="store_true", help="add to the section's rows instead of replacing them"
    )
    parser.add_argument("--one", nargs=3, metavar=("WAY", "CATALOG", "COUPLES"))
    args = parser.parse_args(argv)
    if args.one:
        way, catalog, count = args.one
        print(json.dumps(one(way, catalog, int(count))))
        return 0
    couples = [parse_size(s) for s in args.couples.split(",")]
    results = measure(couples, args.catalogs.split(","), tuple(args.ways.split(",")))
    if args.keep and RAW.exists():
        results = json.loads(RAW.read_text(encoding="utf-8")) + results
    write(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
