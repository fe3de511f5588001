"""Measurements that each need a fresh process, one per call of `python -m benchmarks.workers`.

Each task prints one JSON object on its last line of output. The module imports only the
standard library at the top, so `import novelty` is timed from a clean interpreter.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import memory

ROOT = Path(__file__).resolve().parents[1]
#: Outings in the history of the benchmark couples.
HISTORIES = (0, 50, 500)
#: Distinct couples per history length, taken in turn, so no call repeats the one before.
COUPLES = 5
#: Events a source lists on every call in the events measurement.
EVENTS = 50
K = 10
#: Rows of the untimed prepare() that precedes the timed one.
WARM_UP_ROWS = 100
#: The naive reference runs on this many rows and is scaled up linearly.
NAIVE_SAMPLE = 10_000


def time_import() -> dict[str, Any]:
    """Seconds to `import novelty` in this (fresh) interpreter."""
    start = time.perf_counter()
    import novelty  # noqa: F401  (the import is what is measured)

    return {"seconds": time.perf_counter() - start}


def time_cold() -> dict[str, Any]:
    """Import, load the example profile, prepare the bundled catalog with an empty catalog
    cache, first recommend(); then prepare() again from the cache that wrote, as every
    later start does."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as cache:
        # The user's cache would make the cold start as fast as its last run left it.
        os.environ["NOVELTY_CACHE_DIR"] = cache
        start = time.perf_counter()
        import novelty

        imported = time.perf_counter()
        from benchmarks.synthetic import NOW

        couple = novelty.load_profile(ROOT / "examples" / "couple.toml")
        recommender = novelty.Recommender().prepare()
        prepared = time.perf_counter()
        recommender.recommend(couple, when="this weekend", k=K, now=NOW, seed=0)
        done = time.perf_counter()
        novelty.Recommender().prepare()
        cached = time.perf_counter()
    return {
        "seconds": done - start,
        "import_s": imported - start,
        "prepare_s": prepared - imported,
        "first_call_s": done - prepared,
        "cached_prepare_s": cached - done,
    }


def _latencies(
    call: Callable[[int], object], *, min_calls: int, max_calls: int, budget_s: float
) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per call after one warm-up: at least `min_calls`, then more
    while the time budget lasts. CPU time shows how much of the wall time other processes
    took."""
    call(0)
    wall: list[float] = []
    cpu: list[float] = []
    began = time.perf_counter()
    while len(wall) < max_calls and (
        len(wall) < min_calls or time.perf_counter() - began < budget_s
    ):
        start, start_cpu = time.perf_counter(), time.process_time()
        call(len(wall) + 1)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def time_scale(size: int, *, naive: bool, min_calls: int, budget_s: float) -> dict[str, Any]:
    """Prepare a synthetic catalog of `size` rows, then warm recommend() per history length."""
    import gc

    import novelty
    from benchmarks import naive as reference
    from benchmarks import synthetic

    start = time.perf_counter()
    frame = synthetic.catalog(size)
    generated = time.perf_counter() - start
    # One-time costs of a fresh process (libraries imported on first use) belong to the
    # cold row; a small prepare() pays them before the timed one.
    novelty.Recommender(frame.head(WARM_UP_ROWS)).prepare()
    gc.collect()
    before = memory.current_mib()
    reset = memory.reset_peak()
    start = time.perf_counter()
    recommender = novelty.Recommender(frame).prepare()
    prepared = time.perf_counter() - start
    prepare_peak = memory.peak_mib()
    latency: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    for outings in HISTORIES:
        couples = [synthetic.couple(frame, outings, seed=s) for s in range(COUPLES)]

        def call(seed: int, couples: list[novelty.Couple] = couples) -> None:
            couple = couples[seed % len(couples)]
            recommender.recommend(couple, when="this weekend", k=K, now=synthetic.NOW, seed=seed)

        latency[str(outings)], cpu[str(outings)] = _latencies(
            call, min_calls=min_calls, max_calls=500, budget_s=budget_s
        )
    # The first call with a new set of events each time (history 500): events are a
    # second block of the candidates, so this should cost little more than a call alone.
    # Measured after the peak above, on the same prepared recommender (a call's sources).
    peak = memory.peak_mib()
    events = synthetic.FreshEvents(EVENTS)
    couples = [synthetic.couple(frame, HISTORIES[-1], seed=s) for s in range(COUPLES)]

    # Each call with events is paired with a call without (the same couple and seed), so
    # the two medians come from the same minutes: the machine's speed drifts between the
    # phases above by more than the difference being measured.
    without_ms: list[float] = []

    def call_with_events(seed: int) -> None:
        couple = couples[seed % len(couples)]
        recommender.recommend(
            couple, when="this weekend", k=K, now=synthetic.NOW, seed=seed, sources=[events]
        )
        start = time.perf_counter()
        recommender.recommend(couple, when="this weekend", k=K, now=synthetic.NOW, seed=seed)
        without_ms.append((time.perf_counter() - start) * 1000)

    events_ms, _ = _latencies(
        call_with_events, min_calls=min_calls, max_calls=200, budget_s=budget_s
    )
    # The latencies count both calls of a pair; the one with events is the first part.
    events_ms = [pair - alone for pair, alone in zip(events_ms, without_ms[1:], strict=True)]
    result: dict[str, Any] = {
        "size": size,
        "events_first_call_ms": events_ms,
        "events_paired_without_ms": without_ms[1:],
        "generate_s": generated,
        "prepare_s": prepared,
        "rss_before_mib": before,
        "prepare_peak_mib": prepare_peak,
        "peak_mib": peak,
        "peak_since_prepare": reset,
        "latency_ms": latency,
        "cpu_ms": cpu,
        "naive": None,
    }
    if naive:
        couple = synthetic.couple(frame, HISTORIES[-1])
        sample = frame.sample(n=min(NAIVE_SAMPLE, size), random_state=0)
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            reference.recommend(sample, couple, today=synthetic.NOW.date(), k=K)
            runs.append(time.perf_counter() - start)
        measured = statistics.median(runs)
        result["naive"] = {
            "rows": len(sample),
            "seconds": measured,
            "extrapolated_s": measured * size / len(sample),
        }
    return result


def profile(size: int, calls: int) -> str:
    """pyinstrument's text report of `calls` warm recommend() calls (history 500)."""
    from pyinstrument import Profiler

    import novelty
    from benchmarks import synthetic

    frame = synthetic.catalog(size)
    recommender = novelty.Recommender(frame).prepare()
    couple = synthetic.couple(frame, HISTORIES[-1])
    recommender.recommend(couple, when="this weekend", k=K, now=synthetic.NOW, seed=0)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for seed in range(calls):
        recommender.recommend(couple, when="this weekend", k=K, now=synthetic.NOW, seed=seed)
    profiler.stop()
    text: str = profiler.output_text(unicode=False, color=False)
    return text


def main(argv: list[str] | None = None) -> None:
    """Run one task and print its JSON result (or, for `profile`, the report) last."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workers")
    parser.add_argument("task", choices=("import", "cold", "scale", "profile"))
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--naive", action="store_true")
    parser.add_argument("--min-calls", type=int, default=7)
    parser.add_argument("--budget", type=float, default=2.0, help="seconds of warm calls")
    parser.add_argument("--calls", type=int, default=10, help="profiled calls")
    args = parser.parse_args(argv)
    if args.task == "profile":
        print(profile(args.size, args.calls))
        return
    if args.task == "import":
        result = time_import()
    elif args.task == "cold":
        result = time_cold()
    else:
        result = time_scale(
            args.size, naive=args.naive, min_calls=args.min_calls, budget_s=args.budget
        )
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
