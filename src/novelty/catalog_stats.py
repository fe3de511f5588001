"""Counts that show a catalog's spread: by category, cost band, setting, season and energy."""

from __future__ import annotations

import pandas as pd

#: Cost bands for two people, upper bounds exclusive.
COST_BANDS = ((0.0, "free"), (30.0, "under 30"), (100.0, "30-99"), (250.0, "100-249"))


def cost_band(cost_max: float) -> str:
    """The band of an idea's dearest typical cost for two."""
    if cost_max == 0:
        return "free"
    for limit, name in COST_BANDS[1:]:
        if cost_max < limit:
            return name
    return "250 and up"


def _table(title: str, counts: pd.Series, total: int) -> str:
    lines = [title]
    lines += [
        f"  {name:<22} {count:>5}  {100 * count / total:5.1f}%" for name, count in counts.items()
    ]
    return "\n".join(lines)


def catalog_stats(frame: pd.DataFrame) -> str:
    """A plain-text report of the catalog's spread."""
    total = len(frame)
    seasons = frame["seasons"].replace("", "all year").str.split(";").explode()
    sections = [
        f"{total} activities in {frame['category'].nunique()} categories",
        _table("By category:", frame["category"].value_counts().sort_index(), total),
        _table("By cost for two (USD):", frame["cost_max"].map(cost_band).value_counts(), total),
        _table("By setting:", frame["setting"].value_counts(), total),
        _table("By season (an idea can have several):", seasons.value_counts(), total),
        _table("By energy:", frame["energy"].value_counts(), total),
        _table("By time of day:", frame["time_of_day"].value_counts(), total),
    ]
    return "\n\n".join(sections)
