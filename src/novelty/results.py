"""Recommendations: the ideas an app gets back, as a list, a JSON envelope, a table, a calendar."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import pandas as pd
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_serializer

from .export import to_ics
from .models import Problem, Recommendation, Window

#: Decimal places kept for scores and components in JSON: enough to rank, free of float32 noise.
PLACES = 4


def _tidy(value: float) -> float:
    # Adding 0.0 turns a -0.0 left by rounding a tiny negative into 0.0.
    return round(value, PLACES) + 0.0


def _for_json(idea: Recommendation) -> Recommendation:
    """The idea as it is published: rounded numbers, and the score only once (not again
    among the components)."""
    components = {name: _tidy(v) for name, v in idea.components.items() if name != "score"}
    return idea.model_copy(update={"score": _tidy(idea.score), "components": components})


#: `to_frame`'s columns before and after the score's components.
_FRAME_FIRST = (
    "rank", "id", "title", "category", "source", "starts_at", "ends_at", "cost_min", "cost_max",
    "currency", "score",
)  # fmt: skip
_FRAME_LAST = ("reasons", "conversation_starters", "url")


class Recommendations(BaseModel, Sequence[Recommendation]):
    """The ranked ideas (a read-only sequence), the window they are for, and any problems.

    It is also a pydantic model whose dump is the JSON envelope
    `{window, ideas, problems, generated_at}` that `to_json()`, `novelty ideas --json` and
    `novelty serve` publish (schema: `Recommendations.model_json_schema(mode="serialization")`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    window: Window = Field(description="The span of free time the ideas are for.")
    ideas: tuple[Recommendation, ...] = Field(description="Best first; rank 1, 2, ...")
    problems: tuple[Problem, ...] = Field(
        default=(), description="What went wrong in a source without failing the whole call."
    )
    generated_at: AwareDatetime = Field(description="The clock the ideas were computed at.")

    def __init__(self, ideas: Sequence[Recommendation] | None = None, /, **fields: Any) -> None:
        """`Recommendations(ideas, window=..., problems=..., generated_at=...)`; the ideas
        may also come as the keyword `ideas` (as `model_validate` passes them)."""
        if ideas is not None:
            fields["ideas"] = tuple(ideas)
        super().__init__(**fields)

    @field_serializer("ideas")
    def _published_ideas(self, ideas: tuple[Recommendation, ...]) -> tuple[Recommendation, ...]:
        return tuple(_for_json(idea) for idea in ideas)

    @overload
    def __getitem__(self, index: int) -> Recommendation: ...
    @overload
    def __getitem__(self, index: slice) -> Recommendations: ...
    def __getitem__(self, index: int | slice) -> Recommendation | Recommendations:
        if isinstance(index, slice):
            return self.model_copy(update={"ideas": self.ideas[index]})
        return self.ideas[index]

    def __len__(self) -> int:
        return len(self.ideas)

    # pydantic's own __iter__ yields (field, value) pairs; a list of ideas iterates its ideas.
    def __iter__(self) -> Iterator[Recommendation]:  # type: ignore[override]
        return iter(self.ideas)

    def __repr__(self) -> str:
        titles = ", ".join(repr(r.activity.title) for r in self.ideas)
        return f"Recommendations([{titles}], problems={len(self.problems)})"

    def to_frame(self) -> pd.DataFrame:
        """One row per idea: rank, title, price, times, source and every score component
        (also per partner, as `fit:NAME` and `new:NAME`)."""
        rows = []
        for idea in self.ideas:
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
        if rows:
            return pd.DataFrame(rows)
        # No ideas: the same columns (but the per-partner ones, whose names come from the
        # ideas), so code reading them works on an empty list too.
        from .pipeline.score import COMPONENTS

        return pd.DataFrame(columns=[*_FRAME_FIRST, *COMPONENTS[1:], *_FRAME_LAST])

    def to_ics(self) -> bytes:
        """An iCalendar file (bytes) with one VEVENT per idea."""
        return to_ics(self.ideas, stamp=self.generated_at)

    def to_json(self, *, indent: int | None = 2) -> str:
        """The JSON envelope as text, exactly what `novelty ideas --json` prints:
        `json.loads(recs.to_json()) == recs.model_dump(mode="json")`."""
        return self.model_dump_json(indent=indent)


def recommendations_schema() -> dict[str, Any]:
    """The JSON Schema of the envelope, as published in docs/schema/recommendations.json."""
    schema = Recommendations.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
