"""Weights: every tunable number of the scoring model (docs/scoring.md explains them)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Weights(BaseModel):
    """Every tunable number of the model, with the defaults `docs/scoring.md` explains."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    novelty: float = Field(0.6, ge=0, le=1, description="Share of the core score set by novelty.")
    excitement: float = Field(0.15, ge=0, description="Weight of excitement (Aron et al. 2000).")
    interactive: float = Field(0.10, ge=0, description="Weight of doing it with each other.")
    budget: float = Field(0.05, ge=0, description="Weight of the soft preference for cheaper.")
    distance: float = Field(0.05, ge=0, description="Weight of the soft preference for nearer.")
    taste: float = Field(0.10, ge=0, description="Weight of likeness to outings rated highly.")
    timely: float = Field(
        0.25, ge=0, description="Weight of a dated event in the window: it may not come again."
    )
    half_life_days: float = Field(180, gt=0, description="Familiarity halves in this many days.")
    familiarity_scale: float = Field(1.0, gt=0, description="novelty = exp(-F / scale).")
    repeat_after_days: int = Field(90, ge=0, description="Done this recently = not suggested.")
    fit_floor: float = Field(0.05, gt=0, le=1, description="Floor in the partners' geometric mean.")
    diversity: float = Field(0.3, ge=0, le=1, description="MMR trade-off: 0 = pure relevance.")
    partner_coverage: float = Field(0.3, ge=0, description="xQuAD bonus for an uncovered partner.")
    top_m: int = Field(100, ge=1, description="Candidates kept for re-ranking.")
    exploration: float = Field(0.02, ge=0, description="Seeded jitter, only when a seed is given.")
