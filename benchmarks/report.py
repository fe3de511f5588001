"""The run's numbers, the targets they are held to, and results.md with the machine's details."""

from __future__ import annotations

import datetime as dt
import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

#: History length and k the targets are stated for.
TARGET_HISTORY = "500"
NAIVE_SIZE = 100_000
MB = 1e6 / 2**20  # MiB per MB: the memory target is in decimal units


def label(size: int) -> str:
    """1000 -> '1k', 1000000 -> '1M'."""
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


def parse_size(text: str) -> int:
    """'1k' -> 1000, '1M' -> 1000000, '2500' -> 2500."""
    scale = {"k": 1000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


@dataclass
class Run:
    """Everything one `python -m benchmarks` measured."""

    imports: list[float] = field(default_factory=list)
    colds: list[dict[str, float]] = field(default_factory=list)
    scales: dict[int, dict[str, Any]] = field(default_factory=dict)
    seconds: float = 0.0
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def p50(self, size: int, history: str = TARGET_HISTORY) -> float | None:
        """Median warm latency in ms, if that size was run."""
        if size not in self.scales:
            return None
        return float(np.median(self.scales[size]["latency_ms"][history]))

    def events_ratio(self, size: int) -> float | None:
        """First call with new events over a call without, p50s at history 500, of the
        calls without that were paired with them (else of the warm calls)."""
        scale = self.scales.get(size)
        if scale is None or "events_first_call_ms" not in scale:
            return None
        paired = scale.get("events_paired_without_ms")
        alone = float(np.median(paired)) if paired else self.p50(size)
        if alone is None:
            return None
        return float(np.median(scale["events_first_call_ms"]) / alone)

    def naive_ratio(self) -> float | None:
        """How many times faster than the naive reference at 100k (history 500)."""
        scale = self.scales.get(NAIVE_SIZE)
        fast = self.p50(NAIVE_SIZE)
        if scale is None or scale["naive"] is None or fast is None:
            return None
        return float(scale["naive"]["extrapolated_s"] * 1000 / fast)


@dataclass(frozen=True)
class Target:
    """One goal of the issue: a measured value held to a limit."""

    name: str
    value: float | None
    limit: float
    unit: str
    at_least: bool = False

    @property
    def verdict(self) -> str:
        """PASS, FAIL, or 'not run' when its size was left out."""
        if self.value is None:
            return "not run"
        ok = self.value >= self.limit if self.at_least else self.value <= self.limit
        return "PASS" if ok else "FAIL"

    def row(self) -> tuple[str, str, str, str]:
        """Cells: name, measured, limit, verdict."""
        measured = "-" if self.value is None else f"{self.value:,.2f} {self.unit}"
        sign = ">=" if self.at_least else "<="
        return self.name, measured, f"{sign} {self.limit:,g} {self.unit}", self.verdict


def targets(run: Run) -> list[Target]:
    """The issue's targets, on a 2-core machine, history 500, k = 10."""
    big = run.scales.get(1_000_000)
    prep = run.scales.get(NAIVE_SIZE)
    return [
        Target("warm recommend() p50 at 10k", run.p50(10_000), 5, "ms"),
        Target("warm recommend() p50 at 100k", run.p50(100_000), 15, "ms"),
        Target("warm recommend() p50 at 1M", run.p50(1_000_000), 150, "ms"),
        Target("prepare() at 100k", prep["prepare_s"] if prep else None, 3, "s"),
        Target("peak memory at 1M", big["peak_mib"] / MB if big else None, 2000, "MB"),
        Target(
            "import novelty (median)",
            float(np.median(run.imports)) if run.imports else None,
            0.5,
            "s",
        ),
        Target("speed-up over naive at 100k", run.naive_ratio(), 50, "x", at_least=True),
        Target(
            "first call with 50 new events / without, 100k", run.events_ratio(NAIVE_SIZE), 1.5, "x"
        ),
    ]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) * 1024 / 1e9:.1f} GB"
    except OSError:
        pass
    return "unknown"


def machine(run: Run) -> list[tuple[str, str]]:
    """What the numbers were measured on, and how busy it was (other processes skew them)."""
    packages = ("novelty", "numpy", "pandas", "scipy", "scikit-learn", "pydantic")
    before, after = (
        " / ".join(f"{x:.2f}" for x in load) for load in (run.load_before, run.load_after)
    )
    return [
        ("date", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("CPU", _cpu_model()),
        ("cores", str(os.cpu_count())),
        ("RAM", _ram_gb()),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("load average 1/5/15 min, start", before),
        ("load average 1/5/15 min, end", after),
        *((name, version(name)) for name in packages),
    ]


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _latency_rows(run: Run) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for size, scale in sorted(run.scales.items()):
        for history, times in scale["latency_ms"].items():
            rows.append(
                (
                    label(size),
                    history,
                    str(len(times)),
                    f"{np.median(times):,.1f}",
                    f"{np.percentile(times, 95):,.1f}",
                    f"{np.median(scale['cpu_ms'][history]):,.1f}",
                )
            )
    return rows


def _prepare_rows(run: Run) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for size, scale in sorted(run.scales.items()):
        before = scale["rss_before_mib"]
        rows.append(
            (
                label(size),
                f"{scale['generate_s']:.1f}",
                f"{scale['prepare_s']:.2f}",
                "-" if before is None else f"{before / MB:,.0f}",
                f"{scale['prepare_peak_mib'] / MB:,.0f}",
                f"{scale['peak_mib'] / MB:,.0f}",
            )
        )
    return rows


def _notes(run: Run) -> list[str]:
    notes = [
        "Warm latency: one prepared Recommender per size; per history length one warm-up "
        "call, then at least the listed number of calls (more while the time budget lasts), "
        "taking five distinct couples in turn; `when='this weekend'`, k = 10, a seed per "
        "call, no event sources. Wall time is what the targets judge; CPU time well below it "
        "would mean other processes took the CPU during the calls.",
        "New events (history 500): each call lists 50 events it has not seen (new ids and "
        "titles), and is paired with a call without events for the same couple and seed; "
        "the ratio is of the medians of those pairs, so both come from the same minutes.",
        "Workers run with a bytecode cache (PYTHONPYCACHEPREFIX under benchmarks/.cache), "
        "filled by one discarded import run, as an installed package has its .pyc files.",
        "prepare() is timed after an untimed prepare() of 100 rows in the same process, so "
        "libraries loaded on first use count in the cold call, not here.",
        "Memory: resident set size of a fresh process per size. 'before' is after import and "
        "catalog generation; the peaks count from there (the catalog frame stays in memory).",
    ]
    if any(not scale["peak_since_prepare"] for scale in run.scales.values()):
        notes.append("This system could not reset the peak, so peaks include catalog generation.")
    scale = run.scales.get(NAIVE_SIZE)
    if scale is not None and scale["naive"] is not None:
        naive = scale["naive"]
        notes.append(
            f"Naive reference (row-wise `DataFrame.apply`, history 500): measured on "
            f"{naive['rows']:,} of {NAIVE_SIZE:,} rows in {naive['seconds']:.2f} s (median of 3), "
            f"extrapolated linearly to {naive['extrapolated_s']:.1f} s for {NAIVE_SIZE:,} rows."
        )
    if run.colds:
        cold = {key: float(np.median([c[key] for c in run.colds])) for key in run.colds[0]}
        notes.append(
            f"Cold call with the bundled catalog, fresh process (median of {len(run.colds)}): "
            f"{cold['seconds']:.2f} s = import {cold['import_s']:.2f} s + profile and prepare "
            f"{cold['prepare_s']:.2f} s + first recommend() {cold['first_call_s']:.3f} s."
        )
    if run.imports:
        notes.append(
            f"`import novelty` in a fresh interpreter, {len(run.imports)} runs: "
            + ", ".join(f"{s:.3f}" for s in run.imports)
            + " s."
        )
    return notes


def markdown(run: Run) -> str:
    """results.md: targets, tables and the machine they were measured on."""
    lines = ["# novelty benchmarks", "", "Written by `python -m benchmarks` (`make bench`).", ""]
    lines += ["## Targets (history 500, k = 10)", ""]
    lines += _table(("target", "measured", "limit", "result"), [t.row() for t in targets(run)])
    lines += ["", "## Warm `recommend()` latency", ""]
    header = ("catalog", "history", "calls", "p50 ms", "p95 ms", "p50 CPU ms")
    lines += _table(header, _latency_rows(run))
    lines += ["", "## Preparation and memory", ""]
    header = ("catalog", "generate s", "prepare s", "RSS before MB", "prepare peak MB", "peak MB")
    lines += _table(header, _prepare_rows(run))
    lines += ["", "## Notes", ""]
    lines += [f"- {note}" for note in _notes(run)]
    lines += ["", "## Machine", ""]
    lines += _table(("", ""), machine(run))
    lines += ["", f"Whole run: {run.seconds:.0f} s.", ""]
    return "\n".join(lines)
