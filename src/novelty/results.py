"""Recommendations: the list of ideas an app gets back, with table and calendar views."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import overload

import pandas as pd

from .export import to_ics
from .models import Problem, Recommendation, Window


class Recommendations(Sequence[Recommendation]):
    """The ranked ideas (a read-only sequence), the window they are for, and any problems."""

    def __init__(
        self,
        ideas: Sequence[Recommendation],
        *,
        window: Window,
        problems: Sequence[Problem] = (),
        generated_at: dt.datetime,
    ) -> None:
        self._ideas = tuple(ideas)
        self.window = window
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.generated_at = generated_at

    @overload
    def __getitem__(self, index: int) -> Recommendation: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Recommendation]: ...
    def __getitem__(self, index: int | slice) -> Recommendation | Sequence[Recommendation]:
        return self._ideas[index]

    def __len__(self) -> int:
        return len(self._ideas)

    def __iter__(self) -> Iterator[Recommendation]:
        return iter(self._ideas)

    def __repr__(self) -> str:
        titles = ", ".join(repr(r.activity.title) for r in self._ideas)
        return f"Recommendations([{titles}], problems={len(self.problems)})"

    def to_frame(self) -> pd.DataFrame:
        """One row per idea: rank, title, price, times, source and every score component."""
        rows = []
        for idea in self._ideas:
            a = idea.activity
            rows.append(
                {
                    "rank": idea.rank,
                    "id": a.id,
                    "title": a.title,
                    "category": a.category,
                    "source": a.source,
                    "starts_at": idea.starts_at,
                    "ends_at": idea.ends_at,
                    "cost_min": a.cost_min,
                    "cost_max": a.cost_max,
                    "currency": a.currency,
                    "score": idea.score,
                    **idea.components,
                    "reasons": " ".join(idea.reasons),
                    "conversation_starters": " | ".join(idea.conversation_starters),
                    "url": a.url,
                }
            )
        return pd.DataFrame(rows)

    def to_ics(self) -> bytes:
        """An iCalendar file (bytes) with one VEVENT per idea."""
        return to_ics(self._ideas, stamp=self.generated_at)

    def to_json(self) -> list[dict[str, object]]:
        """JSON-ready dicts, one per idea (what `novelty ideas --json` prints)."""
        return [idea.model_dump(mode="json") for idea in self._ideas]
