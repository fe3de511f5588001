"""Run our recommender and the baselines on simulated couples and average each metric."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp

from novelty import Recommender, Window
from novelty.pipeline import candidates, filters, schedule, taste
from novelty.pipeline.diversify import rerank

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
#: The dial settings swept for the frontier; each is a method named `dial_name(setting)`.
DIALS = tuple(round(0.1 * step, 1) for step in range(11))
#: The oracles keep at least this share of interest-only's worse-partner fit.
FIT_SHARE = 0.85
#: Not recommenders either: per couple, the eligible list with the highest nearest-outing
#: distance (or EPD) among those keeping `FIT_SHARE` of interest-only's worse-partner fit.
ORACLE_NEAREST = "oracle-nearest"
ORACLE_EPD = "oracle-epd"
MMR = "mmr-interest"
#: The MMR baseline re-ranks this many of interest-only's best with our default λ.
MMR_POOL = 100
MMR_LAMBDA = 0.3


def dial_name(setting: float) -> str:
    """The method name of our recommender at one setting of the adventure dial."""
    return f"adventure {setting:.1f}"


def best_list(
    gain: NDArray[np.float64], affinity: NDArray[np.float64], size: int, need: float
) -> NDArray[np.int64]:
    """Positions of the `size` items with the largest total `gain` whose affinity sums to at
    least `need` for every partner (columns of `affinity`): an exact 0/1 integer program,
    solved by HiGHS with no optimality gap. None feasible: an empty array."""
    count = gain.size
    result = milp(
        c=-gain,
        integrality=np.ones(count),
        bounds=Bounds(0, 1),
        constraints=[
            LinearConstraint(np.ones((1, count)), size, size),
            LinearConstraint(affinity.T, need, np.inf),
        ],
        options={"mip_rel_gap": 0.0},
    )
    if result.x is None:
        return np.zeros(0, dtype=np.int64)
    chosen = np.flatnonzero(result.x > 0.5)
    return chosen[np.argsort(-gain[chosen], kind="stable")].astype(np.int64)


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
    allowed = filters.allowed(
        c, q, slots, filters.excluded(c, q, history), filters.fits_the_day(c, q)
    )
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
    # Sparse, for the methods that need distances of many ideas: the dense rows are wide.
    sparse_units = sp.csr_matrix(units)

    def chosen(rows: Rows, s: Situation) -> Picks:
        return Picks(rows, pd.DatetimeIndex(s.starts.iloc[rows]))

    def at(setting: float | None) -> Method:
        def ours(case: Case, s: Situation, k: int) -> Picks:
            recs = recommender.recommend(
                case.couple, when=WHEN, k=k, now=case.now, seed=case.seed, adventure=setting
            )
            ids = pd.Index([r.activity.id for r in recs])
            rows = recommender.ids_.get_indexer(ids).astype(np.int64)
            starts = pd.DatetimeIndex([r.starts_at for r in recs], tz="UTC")
            return Picks(rows, starts)

        return ours

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

    def mmr(case: Case, s: Situation, k: int) -> Picks:
        similarity = interest_similarity(recommender, case.couple)
        pool = ranked_ideas(s.eligible, similarity, MMR_POOL)
        order = rerank(
            similarity[pool].astype(np.float64),
            (sparse_units[pool] @ sparse_units[pool].T).toarray().astype(np.float32),
            np.zeros((pool.size, 1), dtype=np.float32),
            k=k,
            diversity=MMR_LAMBDA,
            partner_coverage=0.0,
        )
        return chosen(pool[order], s)

    def oracle(distance: Callable[[NDArray[np.float64]], NDArray[np.float64]]) -> Method:
        def best(case: Case, s: Situation, k: int) -> Picks:
            base = interests(case, s, k)
            if not s.profile.size or not base.rows.size:
                return base
            pool = np.flatnonzero(s.eligible)
            # Unit rows on both sides (outing_vectors' are), so this is the cosine distance.
            gain = distance(1.0 - np.asarray(sparse_units[pool] @ s.profile.T))
            need = FIT_SHARE * metrics.partner_fit(s.affinity[base.rows])[1] * base.rows.size
            found = best_list(gain, s.affinity[pool], base.rows.size, need * (1 - 1e-9))
            return chosen(pool[found], s) if found.size else base

        return best

    def farthest(case: Case, s: Situation, k: int) -> Picks:
        distance = (
            metrics.cosine_distances(units, s.profile).mean(axis=1)
            if s.profile.size
            else np.zeros(len(units))
        )
        return chosen(ranked_ideas(s.eligible, distance, k), s)

    return {
        OURS: at(None),
        "random": random,
        "popularity": popular,
        "interest-only": interests,
        "hide-done": unseen,
        MMR: mmr,
        EPD_BOUND: farthest,
        ORACLE_NEAREST: oracle(lambda d: d.min(axis=1)),
        ORACLE_EPD: oracle(lambda d: d.mean(axis=1)),
        **{dial_name(setting): at(setting) for setting in DIALS},
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


def evaluate(
    recommender: Recommender, cases: Sequence[Case], *, k: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Methods × metrics: per-list metrics averaged over couples, plus run-wide coverage;
    and every list's metrics (columns `method`, `couple` and the metrics), for intervals."""
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
    per_list = pd.concat(
        [
            pd.DataFrame(rows).assign(method=name, couple=range(len(rows)))
            for name, rows in scores.items()
        ],
        ignore_index=True,
    )
    return table, per_list
