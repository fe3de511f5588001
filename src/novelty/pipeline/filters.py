"""Stage 6, filters: what may never be recommended: no opening in the window (dates,
season, sky, weather, free time), over budget, too far, beyond the couple's day (energy,
setting, minutes, mobility, booking ahead), not for their country, disliked, done recently."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..context.money import Rates, budget_per_currency
from ..index.item_index import NAT
from .candidates import Candidates
from .query import ENERGY, Query
from .schedule import DEFAULT_DURATION, Openings
from .taste import History

#: Physical demands a partner with limited mobility (or in a wheelchair) can take on.
GENTLE = ("none", "light")


#: An event at least this long (int64 ns) is still worth going to once it has begun.
_DAY = 24 * 3600 * 10**9


class Allowed(NamedTuple):
    """Which candidates may be shown, when they would start, and what was left out."""

    mask: np.ndarray
    #: Ideas left out only because no rate converts their currency into the budget's.
    other_currency: int
    #: Per schedule code, its earliest start in the window (int64 ns, NAT where none).
    schedule_starts: np.ndarray
    #: The rates prices were converted with (None when every price was in the budget's
    #: currency).
    rates: Rates | None = None

    def starts(self, candidates: Candidates, rows: np.ndarray, tz: dt.tzinfo) -> list[dt.datetime]:
        """The start of each row at `rows` in `tz`: an event's own, else its slot."""
        (own,) = candidates.at(rows, "starts_ns")
        slot = self.schedule_starts[candidates.schedule[rows]]
        ns = np.where(own != NAT, own, slot)
        utc = pd.DatetimeIndex(ns.view("datetime64[ns]"), tz="UTC")
        return list(utc.tz_convert(tz).to_pydatetime())


def excluded(candidates: Candidates, query: Query, history: History) -> np.ndarray:
    """Disliked by either partner (label, word or id) or done within the repeat period."""
    dislikes = query.dislikes
    out = np.zeros(candidates.size, dtype=bool)
    if dislikes:
        for label in dislikes:
            found = candidates.matches[label]
            out[found.rows[found.values > 0]] = True
        out[candidates.rows_with_ids(dislikes)] = True
    out[history.recent_rows] = True
    if candidates.events is not None:
        out[candidates.events.rows_with_ids(history.recent_ids) + len(candidates.catalog)] = True
    out |= candidates.where("title", history.recent_titles, codes=history.recent_title_codes)
    return out


def fits_the_day(
    candidates: Candidates, query: Query, rows: np.ndarray | None = None
) -> np.ndarray:
    """Rows (all, or those at `rows`) within the couple's day: energy, setting, minutes,
    mobility, country, and no booking ahead on short notice (read-only: couples with the
    same day share it)."""
    fits = np.ones(candidates.size if rows is None else rows.size, dtype=bool)
    where, at = candidates.where, candidates.at
    # Values are compared as values: the events' own (those the catalog lacks) count too.
    tables = [candidates.catalog.values]
    if candidates.events is not None:
        tables.append(candidates.events.values)
    if query.energy != "high":
        fits &= where("energy", ENERGY[: ENERGY.index(query.energy) + 1], rows)
    if query.setting is not None:
        fits &= where("setting", (query.setting, "either"), rows)
    if query.max_minutes is not None:
        durations = np.concatenate([t["duration_minutes"].to_numpy(dtype=float) for t in tables])
        fits &= where("duration_minutes", durations[durations <= query.max_minutes].tolist(), rows)
        if query.max_minutes >= DEFAULT_DURATION.total_seconds() / 60:
            fits |= at(rows, "duration_minutes")[0] < 0
    if query.mobility != "full":
        fits &= where("demand", GENTLE, rows)
        if query.mobility == "wheelchair":
            fits &= at(rows, "step_free")[0]
    # A few distinct lists of countries: plain strings cost less than pandas' string ops.
    country = str(query.couple.country)
    anywhere = [c for t in tables for c in t["countries"].tolist() if c == "" or country in c]
    fits &= where("countries", anywhere, rows) | (at(rows, "countries")[0] < 0)
    if query.short_notice:
        needs_booking, same_day = at(rows, "needs_booking", "same_day_booking")
        fits &= ~needs_booking | same_day
    fits.flags.writeable = False
    return fits


def allowed(
    candidates: Candidates,
    query: Query,
    found: Openings,
    excluded: np.ndarray,
    fits: np.ndarray,
    rates: Callable[[], Rates] | None = None,
) -> Allowed:
    """Apply every hard filter at once; `found` is the catalog's openings in the window,
    `excluded` marks dislikes and recent repeats, `fits` the rows within the couple's day
    (`fits_the_day`), `rates` loads the exchange rates (only called when some price is
    in another currency than the budget)."""
    window, budget = query.window, query.budget
    start_ns, end_ns = pd.Timestamp(window.start).value, pd.Timestamp(window.end).value
    # Every row reads whether its schedule has an opening; dated events are judged by
    # their own times: starting in the window, or (lasting a day or more: a festival, an
    # exhibition, an all-day market) already on when it opens. A concert already under
    # way is missed.
    # Codes widened first: a gather through an int32 index takes a slow path.
    mask = (found.earliest != NAT)[candidates.schedule.astype(np.intp)]
    dated = candidates.dated
    # Times as int64 nanoseconds since the epoch (UTC): numpy compares them at once, where
    # pandas datetime Series cost a pass per operation. An end of NAT is before any time.
    (event_starts,), event_ends = candidates.at(dated, "starts_ns"), candidates.dated_ends
    mask[dated] = (event_starts < end_ns) & (
        (event_starts >= start_ns) | ((event_ends > start_ns) & (event_ends >= event_starts + _DAY))
    )
    mask &= ~excluded & fits
    other_currency, used = 0, None
    if budget is not None:
        currencies = list(candidates.catalog.values["currency"])
        if candidates.events is not None:
            currencies += list(candidates.events.values["currency"])
        if set(currencies) != {budget.currency}:
            used = rates() if rates is not None else Rates.load(budget.rates)
        limits = budget_per_currency(budget, currencies, used)
        code, rated = candidates.currency.astype(np.intp), ~np.isnan(limits)
        priced = rated[code]
        other_currency = int((mask & ~priced).sum())
        # Rows in a currency without a rate are out; the others compare their price with
        # the budget in their currency: one number when all have the same one (a catalog
        # in the budget's currency). An unknown price (NaN) is never over the budget.
        ceiling = np.unique(limits[rated]) + 1e-9
        over = candidates.cost_min > (ceiling[0] if ceiling.size == 1 else (limits + 1e-9)[code])
        mask &= priced & ~over
    if query.radius_km is not None:
        mask[candidates.placed[candidates.km > query.radius_km]] = False
    return Allowed(
        mask=mask, other_currency=other_currency, schedule_starts=found.earliest, rates=used
    )
