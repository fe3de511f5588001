"""The novelty-fit frontier: the dial's sweep against the baselines and the oracles, with
bootstrap intervals, its checks, its plot and its table for docs/quality.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from novelty.config import DEFAULT_ADVENTURE

from .experiment import DIALS, EPD_BOUND, MMR, ORACLE_EPD, ORACLE_NEAREST, OURS, dial_name
from .report import Target

BASELINES = ("interest-only", MMR, "hide-done", "random", "popularity")
#: The frontier's axes: novelty metrics (each with its oracle) against the worse partner's fit.
NOVELTY = {"nearest": ORACLE_NEAREST, "epd": ORACLE_EPD}
FIT = "fit_worse"
#: Where docs/quality.md's generated table starts and ends.
BEGIN, END = "<!-- frontier table: written by make eval -->", "<!-- end of frontier table -->"


def intervals(per_list: pd.DataFrame, *, rounds: int = 1000, seed: int = 0) -> pd.DataFrame:
    """95 % percentile bootstrap intervals over couples of each method's mean `nearest`,
    `epd` and `fit_worse` (couples resampled together, so methods share each draw)."""
    rng = np.random.default_rng(seed)
    columns = {}
    couples = int(per_list["couple"].max()) + 1
    draws = rng.integers(0, couples, size=(rounds, couples))
    for metric in (*NOVELTY, FIT):
        wide = per_list.pivot(index="couple", columns="method", values=metric)
        values = wide.to_numpy(dtype=np.float64)[draws]  # rounds × couples × methods
        means = np.nanmean(values, axis=1)
        columns[f"{metric}_low"] = np.percentile(means, 2.5, axis=0)
        columns[f"{metric}_high"] = np.percentile(means, 97.5, axis=0)
    return pd.DataFrame(columns, index=wide.columns)


def _at(table: pd.DataFrame, row: str, column: str) -> float:
    """One cell as a float."""
    return float(table.at[row, column])  # type: ignore[arg-type]


def way_to_oracle(table: pd.DataFrame, metric: str = "nearest") -> float:
    """How far our default list gets from interest-only to the oracle, as a share."""
    values = table[metric].astype(float)
    base = values["interest-only"]
    return float((values[OURS] - base) / (values[NOVELTY[metric]] - base))


def checks(table: pd.DataFrame) -> list[Target]:
    """The frontier's targets: the share of the way to the oracle at the default dial, the
    fit kept, monotone novelty and fit along the dial, and no baseline beyond the frontier."""
    fit, base = table[FIT].astype(float), _at(table, "interest-only", FIT)
    sweep = table.loc[[dial_name(d) for d in DIALS]]
    found = [
        Target(
            name="nearest: >= 70% of the way from interest-only to the fit-constrained oracle",
            passed=way_to_oracle(table) >= 0.7,
            detail=f"{way_to_oracle(table):.1%} (epd: {way_to_oracle(table, 'epd'):.1%})",
        ),
        Target(
            name="default dial keeps >= 0.85x interest-only's worse-partner fit",
            passed=fit[OURS] >= 0.85 * base,
            detail=f"{fit[OURS] / base:.3f}x",
        ),
    ]
    for metric in NOVELTY:
        rises = bool(np.all(np.diff(sweep[metric].to_numpy(dtype=float)) >= 0))
        falls = bool(np.all(np.diff(sweep[FIT].to_numpy(dtype=float)) <= 0))
        found.append(
            Target(
                name=f"along the dial {metric} rises and the worse partner's fit falls",
                passed=rises and falls,
                detail=" ".join(f"{n:.3f}/{f:.3f}" for n, f in sweep[[metric, FIT]].to_numpy()),
            )
        )
        beaten = [
            name
            for name in BASELINES
            if not (
                (sweep[metric] >= table.loc[name, metric]) & (sweep[FIT] >= table.loc[name, FIT])
            ).any()
        ]
        found.append(
            Target(
                name=f"{metric}: every baseline is matched by some dial setting on both axes",
                passed=not beaten,
                detail="all" if not beaten else "not: " + ", ".join(beaten),
            )
        )
    return found


def _pointer(axis: Any, table: pd.DataFrame, bands: pd.DataFrame, metric: str) -> Any:
    """A function drawing methods as points with their intervals on `axis`."""

    def errors(names: list[str], column: str) -> np.ndarray:
        middle = table.loc[names, column].to_numpy(dtype=float)
        low = bands.loc[names, f"{column}_low"].to_numpy(dtype=float)
        high = bands.loc[names, f"{column}_high"].to_numpy(dtype=float)
        return np.vstack([middle - low, high - middle])

    def point(names: list[str], **style: Any) -> None:
        axis.errorbar(
            table.loc[names, FIT],
            table.loc[names, metric],
            xerr=errors(names, FIT),
            yerr=errors(names, metric),
            capsize=2,
            **style,
        )

    return point


def plot(table: pd.DataFrame, bands: pd.DataFrame, path: Path) -> None:
    """Novelty (nearest outing, EPD) against the worse partner's fit, one panel each."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(1, 2, figsize=(11, 4.6), layout="constrained")
    sweep = [dial_name(d) for d in DIALS]
    for axis, (metric, oracle) in zip(axes, NOVELTY.items(), strict=True):
        point = _pointer(axis, table, bands, metric)
        point(sweep, fmt="-o", color="tab:purple", label="novelty, adventure 0 → 1")
        for setting, name in zip(DIALS, sweep, strict=True):
            axis.annotate(
                f"{setting:g}",
                (table.loc[name, FIT], table.loc[name, metric]),
                textcoords="offset points",
                xytext=(4, 4),
                fontsize=7,
            )
        point([OURS], fmt="*", markersize=14, color="tab:purple", label="default")
        for name, marker in zip(BASELINES, "sDv^<", strict=True):
            point([name], fmt=marker, color="tab:gray" if name != "interest-only" else "k",
                  label=name)  # fmt: skip
        point([oracle], fmt="P", markersize=10, color="tab:green", label="fit-constrained oracle")
        floor = 0.85 * _at(table, "interest-only", FIT)
        axis.axvline(floor, color="tab:red", linestyle=":", label="0.85× interest-only fit")
        axis.set_xlabel("worse partner's fit (mean affinity over the list)")
        axis.set_ylabel("nearest-outing distance" if metric == "nearest" else "EPD")
        axis.grid(alpha=0.3)
    axes[0].legend(fontsize=7, loc="lower left")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    pyplot.close(figure)


def markdown(table: pd.DataFrame, bands: pd.DataFrame, *, caption: str) -> str:
    """The frontier's table: every method's novelty and fit with their intervals."""
    names = [
        *(dial_name(d) for d in DIALS),
        OURS,
        *BASELINES,
        ORACLE_NEAREST,
        ORACLE_EPD,
        EPD_BOUND,
    ]
    lines = [
        caption,
        "",
        "| method | nearest | EPD | worse partner's fit | both matched |",
        "|---|---|---|---|---|",
    ]
    for name in names:
        cells = [
            f"{_at(table, name, c):.3f} ({_at(bands, name, c + '_low'):.3f}–"
            f"{_at(bands, name, c + '_high'):.3f})"
            for c in (*NOVELTY, FIT)
        ]
        label = f"**{name} (default, {DEFAULT_ADVENTURE:g})**" if name == OURS else name
        lines.append(f"| {label} | {' | '.join(cells)} | {_at(table, name, 'matched'):.0%} |")
    share = way_to_oracle(table)
    lines += [
        "",
        f"At the default dial our lists go {share:.0%} of the way from interest-only to the "
        f"fit-constrained oracle on nearest-outing distance ({way_to_oracle(table, 'epd'):.0%} "
        f"on EPD), keeping {_at(table, OURS, FIT) / _at(table, 'interest-only', FIT):.2f}× "
        "interest-only's worse-partner fit.",
    ]
    return "\n".join(lines)


def write_page(page: Path, text: str) -> None:
    """Replace the generated table between the markers of `page`."""
    content = page.read_text(encoding="utf-8")
    head, _, rest = content.partition(BEGIN)
    _, _, tail = rest.partition(END)
    page.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")
