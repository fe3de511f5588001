"""The Recommender: filters, scores, diversifies and explains candidates for one couple."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .catalog import activities_to_frame, as_candidates, load_catalog, row_to_activity
from .diversify import idea_similarity, rerank, top_m
from .errors import ArgumentError, BudgetError, SourceError
from .explain import (
    budget_reason,
    conversation_starters,
    excitement_reason,
    interest_reason,
    newness_reason,
    when_reason,
)
from .features import ItemSpace, canonical, matches
from .filters import DEFAULT_DURATION, Eligibility, eligibility
from .geo import haversine_km
from .lookup import RowLookup, remembered
from .models import Activity, Budget, Couple, Location, Problem, Recommendation, Window
from .results import Recommendations
from .scoring import History, Weights, excluded, history_profile, score
from .windows import When, resolve_window

if TYPE_CHECKING:
    from .history import HistoryStore
    from .sources import Source


class Recommender:
    """A prepared catalog (features computed once) that recommends for any couple.

    Construction only stores the configuration; the item matrix is built on first use or
    by `prepare()`. Prepared state has a trailing underscore.
    """

    def __init__(
        self,
        catalog: pd.DataFrame | str | Path | None = None,
        *,
        sources: Sequence[Source] = (),
        weights: Weights | None = None,
        source_deadline: float = 15.0,
    ) -> None:
        self.catalog = catalog
        self.sources = tuple(sources)
        self.weights = weights or Weights()
        self.source_deadline = source_deadline

    def prepare(self) -> Recommender:
        """Load the catalog and fit the item space; idempotent."""
        if hasattr(self, "space_"):
            return self
        if isinstance(self.catalog, pd.DataFrame):
            frame = as_candidates(self.catalog)
        else:
            frame = load_catalog(self.catalog)
        self.frame_ = frame
        self.space_ = ItemSpace()
        self.matrix_ = self.space_.fit_transform(frame)
        self.norms_ = self.space_.row_norms(self.matrix_)
        self.lookup_ = RowLookup.of(frame, self.matrix_, self.space_.n_labels_)
        return self

    @property
    def ids_(self) -> pd.Index:
        """The prepared catalog's ids, in row order."""
        return self.lookup_.ids

    @cached_property
    def _category_of_tag(self) -> dict[str, str]:
        """Each tag's most common category in the catalog (made when events first come)."""
        frame = self.frame_
        tag_rows = frame[["category"]].assign(tag=frame["tags"].str.split(";")).explode("tag")
        counts = (
            tag_rows.groupby(["tag", "category"]).size().sort_values(ascending=False, kind="stable")
        )
        return {tag: category for tag, category in counts.index[::-1]}

    def _catalog_categories(self, categories: pd.Series) -> pd.Series:
        """Events' own categories ("concert", "Music") as the catalog's, via the shared tags."""
        known = set(self.lookup_.values["category"])
        return categories.map(
            lambda c: c if c in known else self._category_of_tag.get(canonical(c), c)
        )

    def recommend(
        self,
        couple: Couple,
        *,
        when: When = "this weekend",
        k: int = 5,
        budget: Budget | float | None = None,
        near: Location | None = None,
        radius_km: float | None = None,
        sources: Sequence[Source] = (),
        now: dt.datetime | None = None,
        seed: int | None = None,
        strict: bool = False,
        history: HistoryStore | None = None,
    ) -> Recommendations:
        """Recommend up to `k` ideas for `couple` in the window `when`.

        `budget` overrides the couple's; `near` (default: home) and `radius_km` bound events
        with a place; `sources` add to the recommender's and the profile's event sources;
        `history` adds the outings logged in a HistoryStore; `now` (aware) fixes the clock.
        """
        if k < 1:
            raise ArgumentError(f"k: expected a whole number >= 1, got {k!r}")
        if radius_km is not None and not radius_km > 0:
            raise ArgumentError(f"radius_km: expected a number > 0, got {radius_km!r}")
        self.prepare()
        tz = couple.timezone
        now = now or dt.datetime.now(tz)
        window = resolve_window(when, now=now, tz=tz)
        budget = _budget(budget, couple)
        near = near or couple.home
        logged = history.outings(couple=couple) if history else ()
        # An outing both in the profile and in the database counts once.
        outings = tuple(dict.fromkeys((*couple.history, *logged))) if logged else couple.history

        lookup, matrix, norms, problems = self._candidates(couple, sources, window, near, strict)
        today, w = now.astimezone(tz).date(), self.weights
        # Remembered per catalog: a couple's history comes back on every call.
        past: History = remembered(
            lookup.memory_for("histories"),
            (outings, today, w.half_life_days, w.repeat_after_days),
            lambda: history_profile(
                outings, lookup=lookup, matrix=matrix, space=self.space_, today=today, weights=w
            ),
            _HISTORIES,
        )
        allowed = eligibility(
            lookup=lookup,
            window=window,
            budget=budget,
            near=near,
            radius_km=radius_km,
            excluded=excluded(lookup, self.space_, couple, past),
        )
        if allowed.other_currency:
            problems.append(
                Problem(
                    source="budget",
                    message=f"{allowed.other_currency} idea(s) priced in another currency than "
                    f"your budget ({budget.currency if budget else ''}) were left out",
                )
            )
        eligible = np.flatnonzero(allowed.mask)
        jitter = self.weights.exploration if seed is not None else 0.0
        shortlist_size = max(self.weights.top_m, k)
        components, affinity, newness = score(
            lookup=lookup,
            matrix=matrix,
            norms=norms,
            space=self.space_,
            couple=couple,
            history=past,
            budget=budget,
            near=near,
            radius_km=radius_km,
            weights=self.weights,
            rows=eligible,
            best=shortlist_size,
            margin=jitter,
        )
        # From here on positions are into `eligible` (and the arrays score returned).
        relevance = components["score"].to_numpy(dtype=np.float64)
        if jitter > 0:
            relevance = relevance + jitter * np.random.default_rng(seed).random(relevance.size)
        best = top_m(relevance, shortlist_size)
        shortlist = eligible[best]
        units = self.space_.unit_rows(matrix[shortlist])
        picks = best[
            rerank(
                relevance[best],
                idea_similarity(
                    units,
                    lookup.codes["category"][shortlist],
                    lookup.codes["setting"][shortlist],
                    lookup.numbers["cost_min"][shortlist],
                ),
                affinity[best],
                k=k,
                diversity=self.weights.diversity,
                partner_coverage=self.weights.partner_coverage,
            )
        ]
        scored = _Scored(components, list(components.columns), affinity, newness, allowed, past)
        chosen = eligible[picks]
        interests = _strongest_interests(matrix[chosen], self.space_, couple)
        numbers = components.to_numpy()[picks]
        places = list(zip(picks.tolist(), chosen.tolist(), strict=True))
        # Km from `near` (NaN without a place), all at once.
        kms = haversine_km(lookup.numbers["lat"][chosen], lookup.numbers["lon"][chosen], near)
        ideas = [
            self._explain(rank, at, idea, km, values, strongest, scored, couple, budget, seed)
            for rank, (at, idea, km, values, strongest) in enumerate(
                zip(
                    places,
                    _activities(lookup, chosen),
                    kms.tolist(),
                    numbers,
                    interests,
                    strict=True,
                ),
                start=1,
            )
        ]
        return Recommendations(ideas, window=window, problems=problems, generated_at=now)

    def _candidates(
        self,
        couple: Couple,
        sources: Sequence[Source],
        window: Window,
        near: Location,
        strict: bool,
    ) -> tuple[RowLookup, sp.csr_matrix, np.ndarray, list[Problem]]:
        """The catalog, plus this call's events stacked under it in the same schema."""
        if not (self.sources or sources or couple.sources):
            return self.lookup_, self.matrix_, self.norms_, []
        from .sources import build_source, collect_events  # imported when needed: HTTP is heavy

        configured: list[Source] = []
        unbuilt: list[Problem] = []
        for spec in couple.sources:
            try:
                configured.append(build_source(spec))
            except SourceError as exc:
                if strict:
                    raise
                unbuilt.append(Problem(source=spec.type, message=str(exc)))
        events, fetched = collect_events(
            (*self.sources, *configured, *sources),
            window,
            near,
            deadline=self.source_deadline,
            strict=strict,
        )
        problems = [*unbuilt, *fetched]
        if not events:
            return self.lookup_, self.matrix_, self.norms_, problems
        # Kept for the next call: couples in one place, or one couple on every screen, get
        # the same events, and indexing them with the catalog costs a pass over all of it.
        lookup, matrix, norms = remembered(
            self._with_events, tuple(events), lambda: self._stacked(events), 1
        )
        return lookup, matrix, norms, problems

    @cached_property
    def _with_events(self) -> dict[tuple[Activity, ...], _Stacked]:
        """The last events and the candidates they made with the catalog."""
        return {}

    def _stacked(self, events: Sequence[Activity]) -> _Stacked:
        """The catalog with `events` stacked under it in the same schema, indexed."""
        extra = activities_to_frame(events)
        extra["category"] = self._catalog_categories(extra["category"])
        extra_matrix = self.space_.transform_frame(extra)
        frame = pd.concat([self.frame_, extra], ignore_index=True)
        matrix = sp.csr_matrix(sp.vstack([self.matrix_, extra_matrix], format="csr"))
        norms = np.concatenate([self.norms_, self.space_.row_norms(extra_matrix)])
        return RowLookup.of(frame, matrix, self.space_.n_labels_), matrix, norms

    def _explain(
        self,
        rank: int,
        at: tuple[int, int],
        activity: Activity,
        km: float,
        numbers: np.ndarray,
        best: list[tuple[str, float] | None],
        scored: _Scored,
        couple: Couple,
        budget: Budget | None,
        seed: int | None,
    ) -> Recommendation:
        """The one Recommendation object of a chosen row, with its reasons. `at` is its
        position among the scored rows and its row in the candidates frame; `km` its
        distance from where the couple is."""
        position, row = at
        affinity, newness = scored.affinity, scored.newness
        names = scored.names
        values = {name: float(v) for name, v in zip(names, numbers, strict=True)}
        start = scored.allowed.start_of(row, couple.timezone)
        end = (
            activity.ends_at
            or start + (dt.timedelta(minutes=activity.duration_minutes or 0) or DEFAULT_DURATION)
        ).astimezone(couple.timezone)
        distance = None if activity.location is None or activity.online else km
        reasons = [
            newness_reason(
                couple,
                newness[position],
                done_together=activity.id in scored.past.done_ids
                or activity.title.casefold() in scored.past.done_titles,
                category_new=bool(values["category_new"]),
                category=activity.category,
            ),
            interest_reason(couple, best),
            excitement_reason(activity),
            budget_reason(activity, budget),
            when_reason(activity, start, couple.timezone, distance),
        ]
        for partner, fit, new in zip(
            couple.partners, affinity[position], newness[position], strict=True
        ):
            values[f"fit:{partner.name}"] = float(fit)
            values[f"new:{partner.name}"] = float(new)
        return Recommendation(
            activity=activity,
            score=values["score"],
            rank=rank,
            components=values,
            reasons=tuple(r for r in reasons if r),
            conversation_starters=conversation_starters(activity, seed),
            starts_at=start,
            ends_at=end,
        )


#: Candidates made of the catalog and some events: their lookup, matrix and row norms.
_Stacked = tuple[RowLookup, sp.csr_matrix, np.ndarray]


@dataclass(frozen=True)
class _Scored:
    """Everything one call computed over its candidates, for explaining the chosen few."""

    components: pd.DataFrame
    #: The components' names, once: iterating a pandas Index costs a call per name.
    names: list[str]
    affinity: np.ndarray
    newness: np.ndarray
    allowed: Eligibility
    past: History


#: Histories a RowLookup remembers (each holds two vectors as wide as the item space).
_HISTORIES = 64
#: Activities a RowLookup's rows remember having been turned into.
_ACTIVITIES = 4096


def _activities(lookup: RowLookup, rows: np.ndarray) -> list[Activity]:
    """The Activity of each row. Remembered per row: an Activity is frozen, so one object
    serves every call, and ideas that suit many couples come back often."""
    memory = lookup.memory_for("activities")
    wanted = rows.tolist()
    found: dict[int, Activity] = {}
    for row in wanted:
        if (known := memory.get(row)) is not None:
            found[row] = known
    missing = [row for row in dict.fromkeys(wanted) if row not in found]
    if len(memory) + len(missing) > _ACTIVITIES:
        memory.clear()
    # Only the chosen rows leave the arrays, in one pass each.
    for row, record in zip(missing, lookup.records(np.array(missing, dtype=np.intp)), strict=True):
        found[row] = memory[row] = row_to_activity(record)
    return [found[row] for row in wanted]


def _strongest_interests(
    rows: sp.csr_matrix, space: ItemSpace, couple: Couple
) -> list[list[tuple[str, float] | None]]:
    """Per row, each partner's best-matched interest and the strength of that match."""
    per_partner = []
    for partner in couple.partners:
        labels = list(partner.interests)
        strengths = matches(rows, space, labels)
        per_partner.append(
            [(labels[int(s.argmax())], float(s.max())) if labels else None for s in strengths]
        )
    return [list(best) for best in zip(*per_partner, strict=True)]


def _budget(budget: Budget | float | None, couple: Couple) -> Budget | None:
    if budget is None:
        return couple.budget
    if isinstance(budget, Budget):
        return budget
    if not isinstance(budget, int | float) or isinstance(budget, bool) or not budget >= 0:
        raise BudgetError(f"budget: expected an amount >= 0 or a Budget, got {budget!r}")
    currency = couple.budget.currency if couple.budget else "USD"
    return Budget(per_outing=float(budget), currency=currency)


_default: Recommender | None = None


def recommend(
    couple: Couple,
    *,
    when: When = "this weekend",
    k: int = 5,
    budget: Budget | float | None = None,
    near: Location | None = None,
    radius_km: float | None = None,
    sources: Sequence[Source] = (),
    catalog: pd.DataFrame | str | Path | None = None,
    now: dt.datetime | None = None,
    seed: int | None = None,
    strict: bool = False,
    history: HistoryStore | None = None,
) -> Recommendations:
    """Recommend up to `k` novel shared ideas for `couple` (see `Recommender.recommend`).

    Uses a cached Recommender over the bundled catalog unless `catalog` is given.
    """
    global _default
    if catalog is not None:
        recommender = Recommender(catalog)
    else:
        if _default is None:
            _default = Recommender()
        recommender = _default
    return recommender.recommend(
        couple,
        when=when,
        k=k,
        budget=budget,
        near=near,
        radius_km=radius_km,
        sources=sources,
        now=now,
        seed=seed,
        strict=strict,
        history=history,
    )
