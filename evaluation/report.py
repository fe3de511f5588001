"""The acceptance targets, checked on a methods × metrics table, and how the table prints."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .experiment import EPD_BOUND, OURS

MIN_COUPLES = 500
#: Columns of the CSV file, in order: all reproducible under a seed.
COLUMNS = (
    "lists",
    "ideas",
    "epd",
    "epd_labels",
    "nearest",
    "ild",
    "coverage",
    "entropy",
    "fit_mean",
    "fit_worse",
    "matched",
    "budget_ok",
    "window_ok",
    "repeat_rate",
)
#: The printed table adds the time each method took, which varies from run to run.
PRINTED = (*COLUMNS, "ms_per_list")


@dataclass(frozen=True)
class Target:
    """One acceptance target: what it asks, whether it holds, and the numbers behind it."""

    name: str
    passed: bool
    detail: str


def _ratio(table: pd.DataFrame, metric: str, baseline: str, at_least: float) -> Target:
    values = table[metric].astype(float)
    ours, theirs = values[OURS], values[baseline]
    ratio = ours / theirs if theirs else float("inf")
    return Target(
        name=f"{metric} >= {at_least:g}x {baseline}",
        passed=ratio >= at_least,
        detail=f"{ours:.4f} vs {theirs:.4f} = {ratio:.3f}x",
    )


def _share(table: pd.DataFrame, metric: str, at_least: float, what: str) -> Target:
    value = table[metric].astype(float)[OURS]
    return Target(
        name=f"{what} >= {at_least:.0%}",
        passed=value >= at_least,
        detail=f"{value:.2%}",
    )


def targets(table: pd.DataFrame, *, couples: int, k: int) -> list[Target]:
    """The issue's acceptance targets for our recommender, against interest-only and random
    (the EPD >= 1.3x target is replaced by the frontier's checks, `frontier.checks`)."""
    return [
        Target(
            name=f"at least {MIN_COUPLES} couples",
            passed=couples >= MIN_COUPLES,
            detail=str(couples),
        ),
        _ratio(table, "fit_worse", "interest-only", 0.85),
        _ratio(table, "ild", "interest-only", 1.0),
        _ratio(table, "fit_worse", "random", 2.0),
        _share(table, "budget_ok", 1.0, "ideas within budget"),
        _share(table, "window_ok", 1.0, "ideas inside the window and in season"),
        _share(table, "matched", 0.95, f"top-{k} lists matching each partner"),
    ]


def notes(table: pd.DataFrame) -> str:
    """Context for the EPD target: its ceiling here, the nearest-outing ratio and EPD with
    the Jaccard distance on label sets."""
    epd, nearest = table["epd"].astype(float), table["nearest"].astype(float)
    labels = table["epd_labels"].astype(float)
    base = "interest-only"
    return "\n".join(
        [
            f"INFO  highest reachable EPD ({EPD_BOUND}): {epd[EPD_BOUND]:.4f} = "
            f"{epd[EPD_BOUND] / epd[base]:.3f}x {base}; 1.3x would need {1.3 * epd[base]:.4f}",
            f"INFO  nearest-outing distance: {nearest[OURS]:.4f} vs {nearest[base]:.4f} = "
            f"{nearest[OURS] / nearest[base]:.3f}x {base}",
            f"INFO  EPD, Jaccard on labels: {labels[OURS]:.4f} vs {labels[base]:.4f} = "
            f"{labels[OURS] / labels[base]:.3f}x {base} (the {EPD_BOUND} list: "
            f"{labels[EPD_BOUND] / labels[base]:.3f}x)",
        ]
    )


def render(table: pd.DataFrame) -> str:
    """The table as fixed-width text."""
    return table.loc[:, list(PRINTED)].to_string(float_format=lambda v: f"{v:.3f}")


def verdicts(found: list[Target]) -> str:
    """One PASS/FAIL line per target, then a summary line."""
    lines = [f"{'PASS' if t.passed else 'FAIL'}  {t.name}: {t.detail}" for t in found]
    failed = sum(not t.passed for t in found)
    lines.append(
        f"{len(found) - failed}/{len(found)} targets met" + ("" if failed else " — ALL PASS")
    )
    return "\n".join(lines)
