"""Varied couples for the batch tests: simulated ones, and synthetic ones with 0-100 outings."""

from __future__ import annotations

from benchmarks import synthetic
from evaluation.simulator import simulate

import novelty

#: Simulated couples (eight cities, four timezones, budgets, free-text outings).
SIMULATED = 300
#: Synthetic couples with this many outings each.
HISTORIES = range(0, 101, 10)


def varied_couples(recommender: novelty.Recommender) -> list[novelty.Couple]:
    """300+ couples of the bundled catalog, each with its own name."""
    couples = [case.couple for case in simulate(recommender, SIMULATED, seed=14)]
    frame = novelty.load_catalog()
    for outings in HISTORIES:
        made = synthetic.couple(frame, outings, seed=outings)
        couples.append(made.model_copy(update={"name": f"synthetic-{outings}"}))
    return couples
