"""The rut report: a friendly mirror of how new the couple's recent outings have been."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import ArgumentError
from .index.item_index import ItemIndex
from .labels import display_label
from .models import Couple, Outing
from .pipeline.query import history_outings
from .pipeline.taste import outing_vectors

#: The look-backs of the report, in months.
PERIODS = (3, 6, 12)
#: Levels of the text sparkline, from "much like before" to "all new".
BARS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Period:
    """What dominated the outings of the last `months` months."""

    months: int
    outings: int
    category: str | None
    category_share: float
    tags: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class OutingNewness:
    """One outing and how new it was against every outing before it (1 = unlike any)."""

    date: dt.date
    title: str
    newness: float


@dataclass(frozen=True)
class RutReport:
    """How novel the couple's outings have been; `str()` gives the friendly text."""

    couple: str
    periods: tuple[Period, ...]
    outings: tuple[OutingNewness, ...]
    #: Per partner, their interests that no outing has touched yet.
    unserved: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def sparkline(self) -> str:
        """One bar per outing, oldest first: low bars were much like what came before."""
        return "".join(BARS[min(int(o.newness * len(BARS)), len(BARS) - 1)] for o in self.outings)

    def __str__(self) -> str:
        if not self.outings:
            return (
                "No outings yet, so there is no rut to see: every idea is new territory.\n"
                "Log what you do (novelty log ID --rating 5) and this mirror fills in."
            )
        lines = [f"Your last {len(self.outings)} outing(s), oldest first: {self.sparkline}"]
        lines.append("(tall bars were unlike anything before them; short ones, more of the same)")
        latest = np.mean([o.newness for o in self.outings[-5:]])
        mood = (
            "lately you have been trying new things: keep it up"
            if latest >= 0.6
            else "lately your outings look a lot like each other: time for something new?"
        )
        lines.append(f"How new your recent outings felt: {latest:.0%}, so {mood}.")
        for period in self.periods:
            if not period.outings:
                lines.append(f"Last {period.months} months: no outings.")
                continue
            text = f"Last {period.months} months: {period.outings} outing(s)"
            if period.category:
                text += f", {period.category_share:.0%} of them {display_label(period.category)}"
            if period.tags:
                tag, share = period.tags[0]
                text += f"; {share:.0%} carried {display_label(tag)}"
            lines.append(text + ".")
        for name, interests in self.unserved.items():
            if interests:
                said = ", ".join(map(display_label, interests))
                lines.append(f"Never served yet for {name}: {said}.")
            else:
                lines.append(f"Every interest of {name} has had its turn.")
        return "\n".join(lines)


def rut_report(
    couple: Couple,
    *,
    history: Any = None,
    catalog: ItemIndex | None = None,
    today: dt.date | None = None,
) -> RutReport:
    """The rut report of `couple`'s outings (the profile's, plus `history`: a HistoryStore
    or a list of outings) against `catalog` (default: the bundled catalog's index)."""
    if catalog is None:
        from .recommender import Recommender

        catalog = Recommender().index_
    outings = list(couple.history)
    if history is not None:
        outings = list(dict.fromkeys((*outings, *history_outings(history, couple))))
    outings.sort(key=lambda o: o.date)
    today = today or dt.datetime.now(couple.timezone).date()
    rows = catalog.rows_of_ids([o.activity_id or "" for o in outings])
    categories = [
        str(catalog.cells["category"][row]) if row >= 0 else (o.category or "other")
        for o, row in zip(outings, rows, strict=True)
    ]
    tags = [
        tuple(str(catalog.cells["tags"][row]).split(";")) if row >= 0 else o.tags
        for o, row in zip(outings, rows, strict=True)
    ]
    periods = []
    for months in PERIODS:
        since = pd.Timestamp(today) - pd.DateOffset(months=months)
        inside = [i for i, o in enumerate(outings) if pd.Timestamp(o.date) > since]
        top = Counter(categories[i] for i in inside).most_common(1)
        carried = Counter(t for i in inside for t in set(tags[i]) if t)
        periods.append(
            Period(
                months=months,
                outings=len(inside),
                category=top[0][0] if top else None,
                category_share=top[0][1] / len(inside) if top else 0.0,
                tags=tuple((t, n / len(inside)) for t, n in carried.most_common(3)),
            )
        )
    return RutReport(
        couple=couple.name,
        periods=tuple(periods),
        outings=_newness(outings, catalog),
        unserved=_unserved(couple, catalog, outings),
    )


def _newness(outings: list[Outing], catalog: ItemIndex) -> tuple[OutingNewness, ...]:
    """Each outing's distance to the closest outing before it (1 for the first)."""
    if not outings:
        return ()
    units = outing_vectors(outings, catalog)
    cosines = (units @ units.T).toarray()
    found = []
    for i, outing in enumerate(outings):
        closest = float(cosines[i, :i].max()) if i else 0.0
        title = outing.title or outing.activity_id or "an outing"
        if outing.activity_id and (row := catalog.rows_of_ids([outing.activity_id])[0]) >= 0:
            title = str(catalog.cells["title"][row])
        found.append(OutingNewness(outing.date, title, float(np.clip(1 - closest, 0, 1))))
    return tuple(found)


def _unserved(
    couple: Couple, catalog: ItemIndex, outings: list[Outing]
) -> dict[str, tuple[str, ...]]:
    """Per partner, the interests (tags or categories) no outing has carried."""
    if not outings:
        return {p.name: tuple(p.interests) for p in couple.partners}
    carried = outing_vectors(outings, catalog)[:, : catalog.space.n_labels]
    seen = set(carried.indices[carried.data > 0].tolist())
    found = {}
    for partner in couple.partners:
        missing = []
        for interest in partner.interests:
            column = catalog.space.label_column(interest)
            if column is None or column not in seen:
                missing.append(interest)
        found[partner.name] = tuple(missing)
    return found


def plot_report(report: RutReport, path: str | Path) -> Path:
    """A small PNG: each outing's newness over time (needs matplotlib: the `eval` extra)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        raise ArgumentError(
            "--plot: needs matplotlib; install it with: pip install 'novelty[eval]'"
        ) from None
    figure, axis = pyplot.subplots(figsize=(6, 2.6), layout="constrained")
    if report.outings:
        dates = np.array([o.date for o in report.outings], dtype="datetime64[D]")
        axis.plot(dates, [o.newness for o in report.outings], "-o", color="tab:purple")
    else:
        axis.text(0.5, 0.5, "no outings yet", ha="center", va="center", transform=axis.transAxes)
    axis.set_ylim(0, 1.05)
    axis.set_ylabel("how new (1 = unlike before)")
    axis.set_title(f"How new your outings have been: {report.couple}")
    axis.grid(alpha=0.3)
    out = Path(path)
    figure.savefig(out, dpi=100)
    pyplot.close(figure)
    return out
