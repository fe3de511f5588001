"""Run our recommender and the baselines on simulated couples and average each metric."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from novelty import Recommender, Window
from novelty.pipeline import candidates, filters, schedule, taste

from . import metrics
from .baselines import (
    WHEN,
    Rows,
    ask,
    catalog_affinities,
    interest_similarity,
    popularity,
    random_ideas,
    ranked_ideas,
)
from .simulator import Case

#: An idea done this recently counts as a repeat (the metric, whatever the weights say).
REPEAT_DAYS = 90
OURS = "novelty"
#: Not a recommender: the eligible ideas farthest from the history on average, the highest
#: EPD any list can reach, shown so the EPD target can be read against its ceiling.
EPD_BOUND = "epd-bound"


@dataclass(frozen=True)
class Situation:
    """What every method shares for one couple: the eligible set and the couple as vectors."""

    window: Window
    eligible: NDArray[np.bool_]
    starts: pd.Series
    done: NDArray[np.bool_]
    recent: NDArray[np.bool_]
    profile: NDArray[np.float64]
    profile_labels: NDArray[np.float64]
    affinity: NDArray[np.float64]


@dataclass(frozen=True)
class Picks:
    """One method's list for one couple: catalog rows, best first, and their start times."""

    rows: Rows
    starts: pd.DatetimeIndex


Method = Callable[[Case, Situation, int], Picks]


def situation(recommender: Recommender, case: Case) -> Situation:
    """The hard filters `Recommender.recommend` applies, by its own stages."""
    r, couple, index = recommender, case.couple, recommender.index_
    q = ask(couple, case.now)
    c = candidates.of_catalog(index, q)
    history = taste.history_profile(q.outings, index, today=q.today, weights=r.weights)
    slots = schedule.openings(index, q, None)
    allowed = filters.allowed(c, q, slots, filters.excluded(c, q, history))
    recent_ids = {
        o.activity_id
        for o in couple.history
        if o.activity_id and (q.today - o.date).days <= REPEAT_DAYS
    }
    profile = (
        taste.outing_vectors(couple.history, index).toarray()
        if couple.history
        else np.zeros((0, index.space.width))
    )
    everything = np.arange(len(index))
    ids, titles = pd.Series(index.ids), pd.Series(index.cells["title"])
    return Situation(
        window=q.window,
        eligible=allowed.mask,
        starts=pd.Series(pd.DatetimeIndex(allowed.starts(c, everything, dt.UTC))),
        done=(
            ids.isin(history.done_ids) | titles.str.casefold().isin(history.done_titles)
        ).to_numpy(),
        recent=ids.isin(recent_ids).to_numpy(),
        profile=profile.astype(np.float64),
        profile_labels=label_sets(profile, index.space.n_labels),
        affinity=catalog_affinities(r, couple),
    )


def label_sets(vectors: NDArray[np.floating], labels: int) -> NDArray[np.float64]:
    """0/1 rows of the tags and category each vector carries (the label block's columns)."""
    return (np.asarray(vectors)[:, :labels] > 0).astype(np.float64)


def methods(
    recommender: Recommender, cases: Sequence[Case], units: NDArray[np.float64]
) -> dict[str, Method]:
    """Our recommender, the four baselines and the EPD bound, by name."""
    counts = popularity(recommender, [c.couple for c in cases])

    def chosen(rows: Rows, s: Situation) -> Picks:
        return Picks(rows, pd.DatetimeIndex(s.starts.iloc[rows]))

    def ours(case: Case, s: Situation, k: int) -> Picks:
        recs = recommender.recommend(case.couple, when=WHEN, k=k, now=case.now, seed=case.seed)
        ids = pd.Index([r.activity.id for r in recs])
        rows = recommender.ids_.get_indexer(ids).astype(np.int64)
        starts = pd.DatetimeIndex([r.starts_at for r in recs], tz="UTC")
        return Picks(rows, starts)

    def random(case: Case, s: Situation, k: int) -> Picks:
        return chosen(random_ideas(s.eligible, k, np.random.default_rng([case.seed, 1])), s)

    def popular(case: Case, s: Situation, k: int) -> Picks:
        return chosen(ranked_ideas(s.eligible, counts, k), s)

    def interests(case: Case, s: Situation, k: int) -> Picks:
        similarity = interest_similarity(recommender, case.couple)
        return chosen(ranked_ideas(s.eligible, similarity, k), s)

    def unseen(case: Case, s: Situation, k: int) -> Picks:
        rng = np.random.default_rng([case.seed, 2])
        return chosen(random_ideas(s.eligible & ~s.done, k, rng), s)

    def farthest(case: Case, s: Situation, k: int) -> Picks:
        distance = (
            metrics.cosine_distances(units, s.profile).mean(axis=1)
            if s.profile.size
            else np.zeros(len(units))
        )
        return chosen(ranked_ideas(s.eligible, distance, k), s)

    return {
        OURS: ours,
        "random": random,
        "popularity": popular,
        "interest-only": interests,
        "hide-done": unseen,
        EPD_BOUND: farthest,
    }


def in_window(
    recommender: Recommender, case: Case, s: Situation, picks: Picks
) -> NDArray[np.bool_]:
    """Per idea: starts and ends inside the window, on a day in one of its seasons."""
    index = recommender.index_
    default = schedule.DEFAULT_DURATION.total_seconds() / 60
    given = pd.Series(index.cells["duration_minutes"][picks.rows], dtype=float)
    minutes = given.fillna(default).to_numpy(dtype=float)
    starts = picks.starts
    ends = starts + pd.to_timedelta(minutes, unit="min")
    start, end = pd.Timestamp(s.window.start), pd.Timestamp(s.window.end)
    inside = (starts >= start) & (starts < end) & (ends <= end)
    southern = case.couple.home.lat < 0
    days = starts.tz_convert(case.couple.timezone).date
    bits = schedule.season_bits(list(days), southern=southern).astype(np.int64)
    in_season = (index.numbers["season_mask"][picks.rows] & bits) > 0
    return np.asarray(inside & in_season, dtype=np.bool_)


def list_metrics(
    recommender: Recommender, units: NDArray[np.float64], case: Case, s: Situation, picks: Picks
) -> dict[str, float]:
    """Every per-list metric of one method's list for one couple."""
    rows = picks.rows
    vectors = units[rows]
    labels = label_sets(vectors, recommender.index_.space.n_labels)
    affinity = s.affinity[rows]
    fit_mean, fit_worse = metrics.partner_fit(affinity)
    budget = case.couple.budget
    assert budget is not None  # the simulator always sets one
    cost = recommender.index_.numbers["cost_min"][rows]
    some = rows.size > 0
    return {
        "ideas": float(rows.size),
        "epd": metrics.epd(vectors, s.profile),
        "epd_labels": metrics.epd(labels, s.profile_labels, metrics.jaccard_distances),
        "nearest": metrics.nearest_distance(vectors, s.profile),
        "ild": metrics.ild(vectors),
        "fit_mean": fit_mean,
        "fit_worse": fit_worse,
        "matched": float(metrics.every_partner_matched(affinity)),
        "budget_ok": float((cost <= budget.per_outing).mean()) if some else np.nan,
        "window_ok": float(in_window(recommender, case, s, picks).mean()) if some else np.nan,
        "repeat_rate": float(s.recent[rows].mean()) if some else np.nan,
    }


def evaluate(recommender: Recommender, cases: Sequence[Case], *, k: int) -> pd.DataFrame:
    """Methods × metrics: per-list metrics averaged over couples, plus run-wide coverage."""
    recommender.prepare()
    index = recommender.index_
    units = index.space.unit_rows(index.matrix).toarray().astype(np.float64)
    by_name = methods(recommender, cases, units)
    scores: dict[str, list[dict[str, float]]] = {name: [] for name in by_name}
    lists: dict[str, list[Rows]] = {name: [] for name in by_name}
    seconds = dict.fromkeys(by_name, 0.0)
    for case in cases:
        s = situation(recommender, case)
        for name, method in by_name.items():
            started = time.perf_counter()
            picks = method(case, s, k)
            seconds[name] += time.perf_counter() - started
            scores[name].append(list_metrics(recommender, units, case, s, picks))
            lists[name].append(picks.rows)
    table = pd.DataFrame({name: pd.DataFrame(rows).mean() for name, rows in scores.items()}).T
    catalog_size = len(recommender.ids_)
    counts = {name: metrics.recommendation_counts(lists[name], catalog_size) for name in by_name}
    table["coverage"] = [metrics.catalog_coverage(counts[name]) for name in table.index]
    table["entropy"] = [metrics.entropy(counts[name]) for name in table.index]
    table["ms_per_list"] = [1000 * seconds[name] / max(len(cases), 1) for name in table.index]
    table.insert(0, "lists", len(cases))
    table.index.name = "method"
    return table
