"""Weights: every tunable number of the scoring model (docs/scoring.md explains them)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .errors import ArgumentError

#: The largest weight of a score term: far above any useful one, far below float32's limit.
MAX_WEIGHT = 1e6
#: The weight of a score term.
Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT)]


class Weights(BaseModel):
    """Every tunable number of the model, with the defaults `docs/scoring.md` explains.

    The defaults are the adventure dial at `DEFAULT_ADVENTURE` (see `at_adventure`), rounded;
    a Recommender always applies its dial, so it uses the unrounded values.
    """

    # No inf or NaN anywhere, and weights below a million: the score is float32, and a
    # weight near its limit (about 3.4e38) made every score NaN.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    novelty: float = Field(0.76, ge=0, le=1, description="Share of the core score set by novelty.")
    excitement: Weight = Field(0.15, description="Weight of excitement (Aron et al. 2000).")
    interactive: Weight = Field(0.10, description="Weight of doing it with each other.")
    budget: Weight = Field(0.05, description="Weight of the soft preference for cheaper.")
    distance: Weight = Field(0.05, description="Weight of the soft preference for nearer.")
    taste: Weight = Field(0.10, description="Weight of likeness to outings rated highly.")
    timely: Weight = Field(
        0.25, description="Weight of a dated event in the window: it may not come again."
    )
    half_life_days: float = Field(
        414, ge=1, description="Familiarity halves in this many days (at least one)."
    )
    familiarity_scale: float = Field(0.47, gt=0, description="novelty = exp(-F / scale).")
    repeat_after_days: int = Field(
        90, ge=0, le=100_000, description="Done this recently = not suggested."
    )
    fit_floor: float = Field(0.05, gt=0, le=1, description="Floor in the partners' geometric mean.")
    fit_gate: float = Field(
        0.52, ge=0, le=1, description="Exponent of fit in the core: 1 = fit gates novelty fully."
    )
    fit_keep: float = Field(
        0.82,
        ge=0,
        le=1,
        description="Share of the best reachable worse-partner fit a list must keep.",
    )
    rut_share: float | None = Field(
        0.4,
        gt=0,
        le=1,
        description="A label on this share of the last outings is a rut: one idea per list.",
    )
    unlike: Weight = Field(0.6, description="Re-ranking bonus for distance to the nearest outing.")
    diversity: float = Field(0.3, ge=0, le=1, description="MMR trade-off: 0 = pure relevance.")
    partner_coverage: Weight = Field(0.3, description="xQuAD bonus for an uncovered partner.")
    top_m: int = Field(100, ge=1, le=100_000, description="Candidates kept for re-ranking.")
    exploration: Weight = Field(0.02, description="Seeded jitter, only when a seed is given.")


#: The dial's words and the settings they stand for (docs/scoring.md, "The adventure dial").
ADVENTURE_WORDS = {"comfort": 0.1, "balanced": 0.4, "bold": 0.9}
#: The default setting, chosen from the measured frontier (docs/quality.md).
DEFAULT_ADVENTURE = 0.6
#: Below this setting ruts are left alone: the couple asked for comfort.
RUT_FROM = 0.2


def adventure_level(value: float | str) -> float:
    """The dial as a number in [0, 1], from a number or one of `ADVENTURE_WORDS`."""
    level: object = value
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in ADVENTURE_WORDS:
            return ADVENTURE_WORDS[word]
        try:
            level = float(word)
        except ValueError:
            level = None
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 <= level <= 1:
        words = ", ".join(ADVENTURE_WORDS)
        raise ArgumentError(
            f"adventure: expected a number from 0 to 1 or one of {words}, got {value!r}"
        )
    return float(level)


def at_adventure(weights: Weights, adventure: float) -> Weights:
    """`weights` with the fields the dial sets moved to `adventure` (0 comfort .. 1 bold).

    Fields set explicitly when `weights` was made win over the dial.
    """
    a = adventure
    dial: dict[str, float | None] = {
        "novelty": 0.4 + 0.6 * a,
        "familiarity_scale": 2.0 * 0.09**a,
        "half_life_days": 180.0 * 4.0**a,
        "fit_gate": 1.0 - 0.8 * a,
        "fit_keep": 1.0 - 0.3 * a,
        "unlike": a,
        "rut_share": 0.4 if a >= RUT_FROM else None,
    }
    for name in weights.model_fields_set:
        dial.pop(name, None)
    return weights.model_copy(update=dial)
