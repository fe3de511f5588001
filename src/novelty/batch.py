"""The table of `recommend_many`: one row per couple and rank, built a chunk of couples at a time.

Columns, in order: `couple` (the couple's name; a couple given without one is named by its
position in the input, `#0`, `#1`, ...), `rank` (empty on an error row), `id`, `title`,
`score`, `starts_at` and `ends_at` (UTC), `reasons` (one text), `conversation_starters`
(joined by " | "), every score component (`fit`, `novelty`, ...), then per partner in the
couple's order `fit_partner_1`, `new_partner_1`, `fit_partner_2`, ... and last `error` (the
message of a couple that could not be recommended for, else empty).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .models import Couple
from .pipeline.explain import Idea
from .pipeline.score import COMPONENTS

#: Per-partner columns: the table has this many pairs unless `partners=` says otherwise.
PARTNERS = 2
#: Couples recommended for before their rows become a frame: memory stays flat in the
#: number of couples, and a chunk amortises the frame's making.
CHUNK = 1000
_TEXT = ("couple", "id", "title")
_TIMES = ("starts_at", "ends_at")


def partner_columns(partners: int) -> list[str]:
    """`fit_partner_1`, `new_partner_1`, ... for this many partners."""
    return [f"{kind}_partner_{i}" for i in range(1, partners + 1) for kind in ("fit", "new")]


def columns(partners: int = PARTNERS) -> list[str]:
    """The table's columns, in order."""
    return [
        "couple",
        "rank",
        *_TEXT[1:],
        "score",
        *_TIMES,
        "reasons",
        "conversation_starters",
        *COMPONENTS[1:],
        *partner_columns(partners),
        "error",
    ]


def empty(partners: int = PARTNERS) -> pd.DataFrame:
    """The table with no rows: its schema (the `meta` of the Dask path)."""
    return Rows(partners).frame()


def couple_name(couple: Any, position: int) -> str:
    """The name of a couple in the table: its own when it was given one, else `#position`."""
    if isinstance(couple, Couple):
        return couple.name if "name" in couple.model_fields_set else f"#{position}"
    if isinstance(couple, Mapping) and isinstance(name := couple.get("name"), str) and name:
        return name
    return f"#{position}"


class Rows:
    """Rows of the table gathered as plain column lists until `frame()` makes them a frame."""

    def __init__(self, partners: int = PARTNERS) -> None:
        self.partners = partners
        self.names = columns(partners)
        self.data: dict[str, list[Any]] = {name: [] for name in self.names}
        self.couples = 0
        self.ideas = 0
        self.errors = 0

    def add(self, couple: str, ideas: Iterable[Idea]) -> None:
        """The ideas of one couple, best first (none when nothing is eligible)."""
        data = self.data
        self.couples += 1
        for idea in ideas:
            self.ideas += 1
            activity = idea.activity
            data["couple"].append(couple)
            data["rank"].append(idea.rank)
            data["id"].append(activity.id)
            data["title"].append(activity.title)
            data["starts_at"].append(idea.starts_at)
            data["ends_at"].append(idea.ends_at)
            data["reasons"].append(" ".join(idea.reasons))
            data["conversation_starters"].append(" | ".join(idea.conversation_starters))
            for name, value in idea.components.items():
                data[name].append(value)
            fits = [*idea.affinity.tolist(), *[None] * (self.partners - idea.affinity.size)]
            news = [*idea.newness.tolist(), *[None] * (self.partners - idea.newness.size)]
            for i, (fit, new) in enumerate(zip(fits, news, strict=True), start=1):
                data[f"fit_partner_{i}"].append(fit)
                data[f"new_partner_{i}"].append(new)
            data["error"].append(None)

    def add_error(self, couple: str, message: str) -> None:
        """One row saying why a couple got no ideas."""
        self.couples += 1
        self.errors += 1
        for name, values in self.data.items():
            values.append(couple if name == "couple" else message if name == "error" else None)

    def __len__(self) -> int:
        return len(self.data["couple"])

    def frame(self) -> pd.DataFrame:
        """The rows as a frame with compact dtypes: float32 numbers, nullable ranks."""
        data = self.data
        out: dict[str, Any] = {}
        for name in self.names:
            values = data[name]
            if name == "rank":
                out[name] = pd.Series(values, dtype="Int16")
            elif name in _TIMES:
                # NaT (not None) on error rows: to_datetime reads a whole column of them.
                instants = [pd.NaT if v is None else v.astimezone(dt.UTC) for v in values]
                out[name] = pd.to_datetime(pd.Series(instants, dtype=object), utc=True).dt.as_unit(
                    "us"
                )
            elif name in _TEXT or name in ("reasons", "conversation_starters", "error"):
                out[name] = pd.Series(values, dtype="string")
            else:
                out[name] = np.array([np.nan if v is None else v for v in values], dtype=np.float32)
        return pd.DataFrame(out, columns=self.names)
