"""The Recommender: one prepared catalog, and recommend() as the pipeline's stages in order."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .catalog import (
    activity_columns,
    as_candidates,
    bundled_data,
    parse_catalog,
    read_catalog_file,
    row_to_activity,
)
from .config import DEFAULT_ADVENTURE, Weights, adventure_level, at_adventure
from .context.money import Rates
from .context.weather import Forecast, Hourly, forecast_provider
from .errors import SourceError
from .index import stored
from .index.item_index import ItemIndex
from .memo import Memo
from .models import Activity, Budget, Problem
from .pipeline import candidates, diversify, explain, filters, query, schedule, score, taste
from .results import Recommendations
from .windows import When

if TYPE_CHECKING:
    from .sources import Source

#: Sizes of the Recommender's memo slots: what calls ask again, and how much of it to keep.
MEMO_SIZES = {
    # A couple's history profile (two vectors as wide as the item space) per history.
    "history": 64,
    # The rows each interest, dislike or tried label matches (a pass over the matrix for
    # words); a couple names the same labels on every call.
    "matches": 4096,
    # The openings of each schedule in a window (offline): couples in one place ask
    # about one weekend.
    "slots": 16,
    # Exchange rates under a user's own ones (loading the ECB's costs about 0.2 s).
    "rates": 4,
    # Km of the catalog's placed rows from a place: a couple's home comes back every call.
    "km": 8,
    # The Activity of a catalog row: frozen, so one object serves every call.
    "activities": 4096,
    # The last events and their index: couples in one place get the same events.
    "events": 1,
}


@dataclass(frozen=True)
class Prepared:
    """What `prepare()` publishes at once: the catalog's index, the event categories
    learnt from it, the conversation starters, and the one memo of this index."""

    index: ItemIndex
    category_of_tag: dict[str, str]
    starters: tuple[str, ...]
    memo: Memo


class Recommender:
    """A prepared catalog (features computed once) that recommends for any couple.

    Construction only stores the configuration; the index is built on first use or by
    `prepare()`, under a lock, and published whole: threads may share one Recommender
    from the start. Prepared state has a trailing underscore.
    """

    def __init__(
        self,
        catalog: pd.DataFrame | str | Path | None = None,
        *,
        sources: Sequence[Source] = (),
        weights: Weights | None = None,
        source_deadline: float = 15.0,
        adventure: float | str = DEFAULT_ADVENTURE,
        forecast: Forecast | str | None = None,
    ) -> None:
        self.catalog = catalog
        self.sources = tuple(sources)
        self.forecast = forecast
        #: The Weights as given; `weights` is them at this recommender's adventure dial.
        self.base_weights = weights or Weights()
        self.adventure = adventure_level(adventure)
        self.weights = at_adventure(self.base_weights, self.adventure)
        self.source_deadline = source_deadline
        self._lock = threading.Lock()
        self._prepared: Prepared | None = None

    def prepare(self) -> Recommender:
        """Load the catalog and fit the item space; idempotent and thread-safe."""
        if self._prepared is None:
            with self._lock:
                if self._prepared is None:
                    self._prepared = _prepare(self.catalog)
        return self

    @property
    def index_(self) -> ItemIndex:
        """The prepared catalog's index (prepares on first use)."""
        return self._ready().index

    @property
    def ids_(self) -> pd.Index:
        """The prepared catalog's ids, in row order."""
        return self.index_.ids

    def _ready(self) -> Prepared:
        prepared = self._prepared or self.prepare()._prepared
        assert prepared is not None  # prepare() publishes it
        return prepared

    def recommend(
        self,
        couple: query.CoupleLike,
        *,
        when: When = "this weekend",
        k: int = 5,
        budget: Budget | float | None = None,
        near: query.PlaceLike | None = None,
        radius_km: float | None = None,
        sources: Sequence[Source] = (),
        now: dt.datetime | None = None,
        seed: int | None = None,
        strict: bool = False,
        history: Any = None,
        adventure: float | str | None = None,
        energy: str | None = None,
        setting: str | None = None,
        max_minutes: int | None = None,
        forecast: Forecast | str | None = None,
    ) -> Recommendations:
        """Recommend up to `k` ideas for `couple` (a Couple, its dict or its JSON) in `when`.

        `budget` overrides the couple's (any currency: prices are converted); `near` (a
        Location, its dict or `(lat, lon)`; default: home) and `radius_km` bound events
        with a place; `sources` add to the recommender's and the profile's event sources;
        `history` adds outings (a HistoryStore or a list of outings); `now` (aware) fixes
        the clock; `adventure` (0 comfort .. 1 bold, or a word) overrides the profile's and
        the recommender's dial. `energy` ("low", "medium", "high": the most they have),
        `setting` ("indoor", "outdoor") and `max_minutes` override the profile's `[day]`;
        `forecast` (a provider or its name, e.g. "open-meteo"; default: the
        recommender's, else none) checks the weather ideas need.
        """
        q = query.make_query(
            couple, when=when, k=k, budget=budget, near=near, radius_km=radius_km, now=now,
            seed=seed, strict=strict, history=history, energy=energy, setting=setting,
            max_minutes=max_minutes,
        )  # fmt: skip
        ready, w = self._prepared or self._ready(), self.weights
        dial = q.couple.adventure if adventure is None else adventure
        if dial is not None:
            w = at_adventure(self.base_weights, adventure_level(dial))
        index, memo = ready.index, ready.memo
        events, problems = self._events(q, sources, ready)
        here = q.near.lat, q.near.lon
        c = candidates.gather(
            index,
            events,
            dict(zip(q.labels, memo.get_many("matches", q.labels, index.matches), strict=True)),
            memo.get("km", here, lambda: candidates.km_from(index, q.near)),
            q.near,
        )
        past = memo.get(
            "history",
            (q.outings, q.today, w.half_life_days, w.repeat_after_days, w.rut_share),
            lambda: taste.history_profile(q.outings, index, today=q.today, weights=w),
        )
        forecast = forecast or self.forecast
        weather = self._weather(q, forecast, problems) if forecast is not None else None
        found = (
            memo.get(
                "slots",
                # The zone too: equal instants can be different local times.
                (
                    q.window.start,
                    q.window.end,
                    str(q.window.start.tzinfo),
                    here,
                    q.couple.free_time,
                ),
                lambda: schedule.openings(index, q, None),
            )
            if weather is None
            else schedule.openings(index, q, weather)
        )
        own = q.budget.rates if q.budget else {}
        allowed = filters.allowed(
            c,
            q,
            found,
            filters.excluded(c, q, past),
            lambda: memo.get("rates", tuple(sorted(own.items())), lambda: Rates.load(own)),
        )
        jitter = w.exploration if q.seed is not None else 0.0
        scored = score.score(
            c, q, past, w, np.flatnonzero(allowed.mask), best=max(w.top_m, q.k), margin=jitter
        )
        picks = diversify.diversify(c, scored, w, k=q.k, seed=q.seed, history=past)
        placed = schedule.suggest(found, c, scored.rows[picks])
        activities = _activities(c, scored.rows[picks], memo)
        return explain.explain(
            q, c, scored, allowed, past, picks, activities, ready.starters, problems, placed, found
        )

    @staticmethod
    def _weather(
        q: query.Query, forecast: Forecast | str, problems: list[Problem]
    ) -> Hourly | None:
        """The forecast for the window at `q.near`, or None when it failed: then
        `problems` says why and the climate estimate stands in."""
        name = forecast if isinstance(forecast, str) else getattr(forecast, "name", "forecast")
        try:
            provider = forecast_provider(forecast) if isinstance(forecast, str) else forecast
            return provider.hourly(q.near, q.window.start, q.window.end)
        except Exception as exc:  # a provider's failure must never fail the recommendation
            if q.strict:
                raise
            problems.append(
                Problem(source=name, message=f"no forecast, so the climate was used: {exc}")
            )
            return None

    def _events(
        self, q: query.Query, sources: Sequence[Source], ready: Prepared
    ) -> tuple[ItemIndex | None, list[Problem]]:
        """This call's events, indexed as a block in the catalog's space, and what failed."""
        couple = q.couple
        if not (self.sources or sources or couple.sources):
            return None, []
        from .sources import build_source, collect_events  # imported when needed: HTTP is heavy

        configured: list[Source] = []
        problems: list[Problem] = []
        for spec in couple.sources:
            try:
                configured.append(build_source(spec))
            except SourceError as exc:
                if q.strict:
                    raise
                problems.append(Problem(source=spec.type, message=str(exc)))
        found, fetched = collect_events(
            (*self.sources, *configured, *sources),
            q.window,
            q.near,
            deadline=self.source_deadline,
            strict=q.strict,
        )
        problems.extend(fetched)
        if not found:
            return None, problems
        events = tuple(found)
        block = ready.memo.get("events", events, lambda: _event_block(events, ready))
        return block, problems


def _prepare(catalog: pd.DataFrame | str | Path | None) -> Prepared:
    """Load and index a catalog (a frame, a CSV path, or the bundled one). A file's
    prepared index is kept in the cache, by its content: a frame is indexed each time."""
    if isinstance(catalog, pd.DataFrame):
        found = stored.index_catalog(as_candidates(catalog), explain.general_starters())
    else:
        text = read_catalog_file(catalog)
        name = str(bundled_data("activities.csv") if catalog is None else catalog)
        found = stored.load_or_build(
            text,
            lambda: stored.index_catalog(parse_catalog(text, name), explain.general_starters()),
        )
    return Prepared(
        index=found.index,
        category_of_tag=found.category_of_tag,
        starters=found.starters,
        memo=Memo(MEMO_SIZES),
    )


def _activities(c: candidates.Candidates, rows: np.ndarray, memo: Memo) -> list[Activity]:
    """The Activity of each candidate row at `rows`; a catalog row's is remembered (an
    Activity is frozen, so one object serves every call)."""
    if c.events is not None and (rows >= len(c.catalog)).any():
        return [row_to_activity(record) for record in c.records(rows)]
    return memo.get_many(
        "activities",
        rows.tolist(),
        lambda row: row_to_activity(c.catalog.records(np.array([row]))[0]),
    )


def _event_block(events: Sequence[Activity], ready: Prepared) -> ItemIndex:
    """Events indexed in the catalog's space and code tables; their own categories
    ("concert", "Music") become the catalog's, through the tags they share."""
    index = ready.index
    columns = activity_columns(events)
    known = set(index.values["category"])
    canonical = index.space.canonical
    columns["category"] = np.array(
        [
            c if c in known else ready.category_of_tag.get(canonical(c), c)
            for c in columns["category"]
        ],
        dtype=object,
    )
    return ItemIndex.build(columns, index.space, index.space.transform_frame(columns), like=index)


_default: Recommender | None = None
_default_lock = threading.Lock()


def recommend(
    couple: query.CoupleLike,
    *,
    when: When = "this weekend",
    k: int = 5,
    budget: Budget | float | None = None,
    near: query.PlaceLike | None = None,
    radius_km: float | None = None,
    sources: Sequence[Source] = (),
    catalog: pd.DataFrame | str | Path | None = None,
    now: dt.datetime | None = None,
    seed: int | None = None,
    strict: bool = False,
    history: Any = None,
    adventure: float | str | None = None,
    energy: str | None = None,
    setting: str | None = None,
    max_minutes: int | None = None,
    forecast: Forecast | str | None = None,
) -> Recommendations:
    """Recommend up to `k` novel shared ideas for `couple` (see `Recommender.recommend`).

    Uses a shared Recommender over the bundled catalog unless `catalog` is given.
    """
    global _default
    if catalog is not None:
        recommender = Recommender(catalog)
    else:
        with _default_lock:
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
        adventure=adventure,
        energy=energy,
        setting=setting,
        max_minutes=max_minutes,
        forecast=forecast,
    )
