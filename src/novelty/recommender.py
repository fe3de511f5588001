"""The Recommender: one prepared catalog, and recommend() as the pipeline's stages in order."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from . import batch
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
from .errors import ArgumentError, NoveltyError, SourceError
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
    # The hash of a history's outings by the identity of their tuple (see `_ranked`).
    "outings": 64,
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
    # The rows within a day (energy, setting, minutes, mobility, country, notice): a bool
    # per catalog row, and couples in one place ask about few kinds of day.
    "day": 16,
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
        if catalog is not None and not isinstance(catalog, pd.DataFrame | str | os.PathLike):
            raise ArgumentError(
                "catalog: expected a DataFrame, a catalog file's path or None, "
                f"got {type(catalog).__name__}"
            )
        if weights is not None and not isinstance(weights, Weights):
            raise ArgumentError(f"weights: expected novelty.Weights, got {type(weights).__name__}")
        if (
            isinstance(source_deadline, bool)
            or not isinstance(source_deadline, int | float)
            or not 0 < source_deadline < float("inf")
        ):
            raise ArgumentError(
                f"source_deadline: expected a number of seconds > 0, got {source_deadline!r}"
            )
        self.catalog = catalog
        self.sources = _event_sources(sources)
        self.forecast = _forecast(forecast)
        #: The Weights as given; `weights` is them at this recommender's adventure dial.
        self.base_weights = weights or Weights()
        self.adventure = adventure_level(adventure)
        self.weights = at_adventure(self.base_weights, self.adventure)
        self.source_deadline = source_deadline
        self._lock = threading.Lock()
        self._prepared: Prepared | None = None

    def __getstate__(self) -> dict[str, Any]:
        # A lock cannot be pickled; a copy (a Dask worker's) gets its own.
        state = dict(self.__dict__)
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

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
        catalog: pd.DataFrame | str | os.PathLike[str] | None = None,
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
        recommender's, else none) checks the weather ideas need. `catalog` is taken as
        `novelty.recommend` takes it, but a Recommender's is fixed: only its own (or None)
        is accepted.
        """
        if catalog is not None and not _same_catalog(catalog, self.catalog):
            raise ArgumentError(
                "catalog: a Recommender keeps the catalog it was made with; make "
                "Recommender(catalog=...) for another"
            )
        q = query.make_query(
            couple, when=when, k=k, budget=budget, near=near, radius_km=radius_km, now=now,
            seed=seed, strict=strict, history=history, energy=energy, setting=setting,
            max_minutes=max_minutes,
        )  # fmt: skip
        return explain.explain(q, *self._ranked(q, sources, adventure, forecast))

    def recommend_many(
        self,
        couples: Iterable[query.CoupleLike],
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
        partners: int = batch.PARTNERS,
        chunk_size: int = batch.CHUNK,
    ) -> pd.DataFrame:
        """`recommend()` for every couple of `couples` (Couples, dicts or JSON texts), as one
        table with a row per couple and rank (columns: see `novelty.batch`).

        Each couple's rows are exactly what `recommend()` returns for it with the same
        keywords; `now` defaults to one clock for the whole batch. A couple that cannot be
        recommended for (bad data) becomes one row whose `error` says why; an option no
        couple could use (`k=0`, an unknown `when`) raises before any couple is read.
        `partners` is how many `fit_partner_N`/`new_partner_N` column pairs the table has.
        """
        chunks = self.recommend_chunks(
            couples, when=when, k=k, budget=budget, near=near, radius_km=radius_km,
            sources=sources, now=now, seed=seed, strict=strict, history=history,
            adventure=adventure, energy=energy, setting=setting, max_minutes=max_minutes,
            forecast=forecast, partners=partners, chunk_size=chunk_size,
        )  # fmt: skip
        return pd.concat(chunks, ignore_index=True)

    def recommend_chunks(
        self,
        couples: Iterable[query.CoupleLike],
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
        partners: int = batch.PARTNERS,
        chunk_size: int = batch.CHUNK,
        start: int = 0,
    ) -> Iterator[pd.DataFrame]:
        """`recommend_many`'s table as frames of the rows of up to `chunk_size` couples
        each (at least one frame): couples are read as they come, so memory stays flat
        however many there are. `start` is the position of the first couple in the whole
        input (it names the couples without a name)."""
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
            raise ArgumentError(f"chunk_size: expected a whole number >= 1, got {chunk_size!r}")
        if isinstance(partners, bool) or not isinstance(partners, int) or partners < 2:
            raise ArgumentError(f"partners: expected a whole number >= 2, got {partners!r}")
        # One clock for the batch: every couple asks about the same moment.
        now = now or dt.datetime.now(dt.UTC)
        query.check_options(
            when=when, k=k, budget=budget, near=near, radius_km=radius_km, now=now, seed=seed,
            strict=strict, history=history, adventure=adventure, energy=energy,
            setting=setting, max_minutes=max_minutes,
        )  # fmt: skip
        read, first = enumerate(couples, start=start), True
        while True:
            # A chunk's couples as queries (or why not) first, so work that couples share
            # is done once for the chunk.
            asked: list[tuple[str, query.Query | str]] = []
            for position, couple in itertools.islice(read, chunk_size):
                name = batch.couple_name(couple, position)
                try:
                    q = query.make_query(
                        couple, when=when, k=k, budget=budget, near=near, radius_km=radius_km,
                        now=now, seed=seed, strict=strict, history=history, energy=energy,
                        setting=setting, max_minutes=max_minutes,
                    )  # fmt: skip
                    if len(q.couple.partners) > partners:
                        raise ArgumentError(
                            f"couple: {len(q.couple.partners)} partners, but the table has "
                            f"columns for {partners}; pass partners={len(q.couple.partners)}"
                        )
                except (NoveltyError, ValidationError) as exc:
                    asked.append((name, str(exc).splitlines()[0]))
                else:
                    # A JSON text's own name is known once it is parsed.
                    asked.append((batch.couple_name(q.couple, position), q))
            if asked or first:
                yield self._chunk(asked, sources, partners, adventure, forecast)
            if len(asked) < chunk_size:
                return
            first = False

    def _chunk(
        self,
        asked: list[tuple[str, query.Query | str]],
        sources: Sequence[Source],
        partners: int,
        adventure: float | str | None,
        forecast: Forecast | str | None,
    ) -> pd.DataFrame:
        """The table's rows of one chunk of couples (each a query, or why there is none)."""
        ready = self._ready()
        # The history profiles of the couples at this recommender's dial, made together;
        # a couple with a dial of its own gets its profile in `_ranked`.
        shared = [
            q
            for _, q in asked
            if not isinstance(q, str) and self._weights(q, adventure) is self.weights
        ]
        pasts = dict(
            zip(
                map(id, shared),
                taste.history_profiles(
                    [(q.outings, q.today) for q in shared], ready.index, weights=self.weights
                ),
                strict=True,
            )
        )
        rows = batch.Rows(partners)
        for name, q in asked:
            if isinstance(q, str):
                rows.add_error(name, q)
                continue
            try:
                ranked = self._ranked(q, sources, adventure, forecast, pasts.get(id(q)))
            except (NoveltyError, ValidationError) as exc:
                rows.add_error(name, str(exc).splitlines()[0])
            else:
                rows.add(name, explain.describe(q, *ranked[:-1]))
        return rows.frame()

    def _weights(self, q: query.Query, adventure: float | str | None) -> Weights:
        """The Weights at the call's dial, else the profile's, else this recommender's."""
        dial = q.couple.adventure if adventure is None else adventure
        if dial is None:
            return self.weights
        return at_adventure(self.base_weights, adventure_level(dial))

    def _ranked(
        self,
        q: query.Query,
        sources: Sequence[Source],
        adventure: float | str | None,
        forecast: Forecast | str | None,
        past: taste.History | None = None,
    ) -> tuple[Any, ...]:
        """The stages from candidates to the schedule for `q`: the arguments of
        `explain.explain` after the query, in its order. `past` is the couple's history
        profile when it is already made."""
        ready = self._prepared or self._ready()
        own_dial = adventure is not None or q.couple.adventure is not None
        w = self._weights(q, adventure) if own_dial else self.weights
        index, memo = ready.index, ready.memo
        events, problems = (
            self._events(q, sources, ready)
            if self.sources or sources or q.couple.sources
            else (None, [])
        )
        # Remembered values by get_many, each key in a list: one call per value on the warm
        # path (get would add one around it).
        here = q.near.lat, q.near.lon
        (km,) = memo.get_many("km", [here], lambda _: candidates.km_from(index, q.near))
        c = candidates.gather(
            index,
            events,
            dict(zip(q.labels, memo.get_many("matches", q.labels, index.matches), strict=True)),
            km,
            q.near,
        )
        if past is None:
            # Hashing a history costs a hash per outing (0.16 ms for 500): the hash of the
            # outings' tuple is remembered by the tuple's identity. A tuple of frozen
            # outings cannot change, and the memo keeps it alive, so no other takes its id.
            ((_, outings_hash),) = memo.get_many(
                "outings", [id(q.outings)], lambda _: (q.outings, hash(q.outings))
            )
            key = (q.outings, q.today, w.half_life_days, w.repeat_after_days, w.rut_share)
            (past,) = memo.get_many(
                "history",
                [key],
                lambda _: taste.history_profile(q.outings, index, today=q.today, weights=w),
                [hash((outings_hash, *key[1:]))],
            )
        forecast = forecast or self.forecast
        weather = self._weather(q, forecast, problems) if forecast is not None else None
        if weather is None:
            (found,) = memo.get_many(
                "slots",
                # The zone too: equal instants can be different local times.
                [
                    (
                        q.window.start,
                        q.window.end,
                        str(q.window.start.tzinfo),
                        here,
                        q.couple.free_time,
                    )
                ],
                lambda _: schedule.openings(index, q, None),
            )
        else:
            found = schedule.openings(index, q, weather)
        # The catalog's rows within the couple's day: the same for every couple with that
        # day; events' rows are judged per call.
        day = q.energy, q.setting, q.max_minutes, q.mobility, q.couple.country, q.short_notice
        n = index.ids.size
        (fits,) = memo.get_many(
            "day",
            [day],
            lambda _: filters.fits_the_day(c, q, None if n == c.size else np.arange(n)),
        )
        if c.size > n:
            fits = np.concatenate([fits, filters.fits_the_day(c, q, np.arange(n, c.size))])
        own = q.budget.rates if q.budget else {}
        allowed = filters.allowed(
            c,
            q,
            found,
            filters.excluded(c, q, past),
            fits,
            lambda: memo.get("rates", tuple(sorted(own.items())), lambda: Rates.load(own)),
        )
        jitter = w.exploration if q.seed is not None else 0.0
        scored = score.score(
            c, q, past, w, np.flatnonzero(allowed.mask), best=max(w.top_m, q.k), margin=jitter
        )
        picks = diversify.diversify(c, scored, w, k=q.k, seed=q.seed, history=past)
        chosen = scored.rows[picks]
        placed = schedule.suggest(found, c, chosen, q.window.start)
        if c.events is not None and (chosen >= len(c.catalog)).any():
            n = len(c.catalog)
            # Catalog rows' Activities from the memo, as below; events' are made here.
            known = iter(
                memo.get_many(
                    "activities",
                    chosen[chosen < n].tolist(),
                    partial(row_to_activity, c.catalog.cells),
                )
            )
            activities = [
                row_to_activity(c.events.cells, row - n) if row >= n else next(known)
                for row in chosen.tolist()
            ]
        else:
            # A catalog row's Activity is frozen: one object serves every call.
            activities = memo.get_many(
                "activities", chosen.tolist(), partial(row_to_activity, c.catalog.cells)
            )
        return c, scored, allowed, past, picks, activities, ready.starters, placed, found, problems

    @staticmethod
    def _weather(
        q: query.Query, forecast: Forecast | str, problems: list[Problem]
    ) -> Hourly | None:
        """The forecast for the window at `q.near`, or None when it failed: then
        `problems` says why and the climate estimate stands in."""
        name = forecast if isinstance(forecast, str) else getattr(_forecast(forecast), "name", "")
        name = name or "forecast"
        try:
            provider = forecast_provider(forecast) if isinstance(forecast, str) else forecast
            return provider.hourly(q.near, q.window.start, q.window.end)
        except Exception as exc:  # a provider's failure must never fail the recommendation
            if q.strict:
                raise
            from .sources.http import redact  # a plugin's message may quote its URL and key

            problems.append(
                Problem(
                    source=name, message=f"no forecast, so the climate was used: {redact(str(exc))}"
                )
            )
            return None

    def _events(
        self, q: query.Query, sources: Sequence[Source], ready: Prepared
    ) -> tuple[ItemIndex | None, list[Problem]]:
        """This call's events, indexed as a block in the catalog's space, and what failed."""
        couple = q.couple
        sources = _event_sources(sources)
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


def _same_catalog(given: object, own: object) -> bool:
    """Whether `given` is the catalog a Recommender was made with: the same frame, or a
    path to the same file."""
    if isinstance(given, str | os.PathLike) and isinstance(own, str | os.PathLike):
        return Path(given).resolve() == Path(own).resolve()
    return given is own


def _event_sources(sources: Any) -> tuple[Source, ...]:
    """`sources` as a tuple, each an event source (with `fetch(window, near)`), else an
    ArgumentError: a wrong one would otherwise only show up as a problem of every call."""
    if isinstance(sources, str | bytes) or not isinstance(sources, Iterable):
        raise ArgumentError(f"sources: expected a list of event sources, got {sources!r}")
    found = tuple(sources)
    for i, source in enumerate(found):
        if not callable(getattr(source, "fetch", None)):
            raise ArgumentError(
                f"sources[{i}]: expected an event source with fetch(window, near), "
                f"got {type(source).__name__}"
            )
    return found


def _forecast(forecast: Any) -> Any:
    """`forecast` when it is None, a provider's name or a provider (with `hourly`), else
    an ArgumentError."""
    if forecast is None or isinstance(forecast, str) or callable(getattr(forecast, "hourly", None)):
        return forecast
    raise ArgumentError(
        f"forecast: expected a provider's name or an object with hourly(place, start, end), "
        f"got {type(forecast).__name__}"
    )


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


def _event_block(events: Sequence[Activity], ready: Prepared) -> ItemIndex:
    """Events indexed in the catalog's space and code tables; their own categories
    ("concert", "Music") become the catalog's, through the tags they share."""
    index = ready.index
    columns = activity_columns(events)
    known = set(index.values["category"].tolist())
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


def _shared(catalog: pd.DataFrame | str | Path | None) -> Recommender:
    """A Recommender of `catalog`; the shared one of the bundled catalog when None."""
    global _default
    if catalog is not None:
        return Recommender(catalog)
    with _default_lock:
        if _default is None:
            _default = Recommender()
        return _default


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
    recommender = _shared(catalog)
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


def recommend_many(
    couples: Iterable[query.CoupleLike],
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
    partners: int = batch.PARTNERS,
) -> pd.DataFrame:
    """Recommend for many couples at once, one table (see `Recommender.recommend_many`).

    Uses a shared Recommender over the bundled catalog unless `catalog` is given.
    """
    return _shared(catalog).recommend_many(
        couples, when=when, k=k, budget=budget, near=near, radius_km=radius_km,
        sources=sources, now=now, seed=seed, strict=strict, history=history,
        adventure=adventure, energy=energy, setting=setting, max_minutes=max_minutes,
        forecast=forecast, partners=partners,
    )  # fmt: skip
