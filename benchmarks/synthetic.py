"""Seeded synthetic catalogs and couples, shaped like the bundled data, at any size.

Vocabularies come from the shipped files: tags from `data/tags.csv`, the 15 categories and
each category's tag mix, the word list and the season, time-of-day and cost spreads from
`data/activities.csv`. About a fifth of the rows are dated events near Austin, TX.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

import novelty
from novelty.files import bundled_data

#: A Friday evening in Austin: every benchmark call asks for "this weekend" from here.
NOW = dt.datetime(2026, 11, 27, 20, 0, tzinfo=ZoneInfo("America/Chicago"))
HOME = novelty.Location(lat=30.2672, lon=-97.7431, city="Austin", timezone="America/Chicago")
EVENT_SHARE = 0.2
#: Events start within this many days of NOW.
EVENT_HORIZON_DAYS = 42
#: Made-up proper nouns (venues, neighbourhoods) widen the text vocabulary like real data.
NAME_COUNT = 30_000
#: Texts are drawn from this many distinct word sequences (each row still gets its own name).
TEXT_POOL = 50_000

_SYLLABLES = (
    "ka",
    "ri",
    "mo",
    "la",
    "ven",
    "tor",
    "bel",
    "sa",
    "nu",
    "quil",
    "dar",
    "ein",
    "ost",
    "ram",
    "pel",
    "vi",
    "go",
    "han",
    "lu",
    "mer",
    "tis",
    "ber",
    "cal",
    "dun",
    "fen",
    "gar",
    "hol",
    "jun",
    "kes",
    "lor",
)
_DURATIONS = np.array([30, 45, 60, 90, 120, 150, 180, 240, 360, 480, 1440], dtype=float)
_DURATION_P = np.array([4, 6, 14, 18, 22, 10, 10, 8, 4, 3, 1], dtype=float)
_EXCITEMENT_P = np.array([5, 35, 40, 15, 5], dtype=float)


@dataclass(frozen=True)
class Vocabulary:
    """What the bundled data says real rows look like."""

    tags: tuple[str, ...]
    categories: tuple[str, ...]
    tag_mix: np.ndarray
    words: tuple[str, ...]
    word_p: np.ndarray
    seasons: tuple[str, ...]
    season_p: np.ndarray
    times: tuple[str, ...]
    time_p: np.ndarray
    prompts: tuple[str, ...]


def _shares(counts: pd.Series) -> tuple[tuple[str, ...], np.ndarray]:
    return tuple(str(v) for v in counts.index), counts.to_numpy(dtype=float) / counts.sum()


@cache
def vocabulary() -> Vocabulary:
    """Tags, categories (each with its own tag mix), words and spreads of the bundled data."""
    with bundled_data("tags.csv").open(encoding="utf-8") as handle:
        tags = tuple(row["tag"] for row in csv.DictReader(handle))
    frame = novelty.load_catalog()
    categories = tuple(sorted(frame["category"].unique()))
    column = {tag: j for j, tag in enumerate(tags)}
    # Each category draws mostly its own tags and sometimes any tag, as curated rows do.
    mix = np.full((len(categories), len(tags)), 0.5)
    for row, category in enumerate(categories):
        for joined in frame.loc[frame["category"] == category, "tags"]:
            for tag in joined.split(";"):
                if tag in column:
                    mix[row, column[tag]] += 10.0
    mix /= mix.sum(axis=1, keepdims=True)
    counts = Counter(
        word
        for text in frame["title"] + " " + frame["description"]
        for word in re.findall(r"[a-z]{3,}", text.lower())
    )
    words, word_p = _shares(pd.Series(counts).sort_values(ascending=False))
    seasons, season_p = _shares(frame["seasons"].value_counts())
    times, time_p = _shares(frame["time_of_day"].value_counts())
    prompts = tuple(p for p in frame["prompt"] if p)
    return Vocabulary(
        tags, categories, mix, words, word_p, seasons, season_p, times, time_p, prompts
    )


def _names(rng: np.random.Generator) -> np.ndarray:
    parts = np.asarray(_SYLLABLES, dtype=object)
    picks = rng.integers(0, len(parts), size=(NAME_COUNT, 3))
    return np.asarray(parts[picks[:, 0]] + parts[picks[:, 1]] + parts[picks[:, 2]], dtype=object)


def _join(columns: np.ndarray, keep: np.ndarray, sep: str) -> np.ndarray:
    """Row-wise join of an object matrix's first column and the later ones marked `keep`."""
    out = columns[:, 0].copy()
    for j in range(1, columns.shape[1]):
        out = np.where(keep[:, j], out + sep + columns[:, j], out)
    return out


def _lengths(rng: np.random.Generator, n: int, low: int, high: int) -> np.ndarray:
    """Keep-mask of an n × high matrix whose rows keep between low and high entries."""
    return np.arange(high)[np.newaxis, :] < rng.integers(low, high + 1, size=(n, 1))


def _tags(rng: np.random.Generator, vocab: Vocabulary, category: np.ndarray) -> np.ndarray:
    n = category.size
    picks = np.empty((n, 6), dtype=np.int64)
    for code in range(len(vocab.categories)):
        rows = np.flatnonzero(category == code)
        picks[rows] = rng.choice(len(vocab.tags), size=(rows.size, 6), p=vocab.tag_mix[code])
    distinct = np.ones(picks.shape, dtype=bool)
    for j in range(1, picks.shape[1]):
        distinct[:, j] = (picks[:, [j]] != picks[:, :j]).all(axis=1)
    tags = np.asarray(vocab.tags, dtype=object)
    return _join(tags[picks], _lengths(rng, n, 2, 6) & distinct, ";")


def _text(rng: np.random.Generator, vocab: Vocabulary, n: int, longest: int) -> np.ndarray:
    """`n` texts of `longest`/2 to `longest` words, drawn from a pool of distinct ones."""
    pool = min(n, TEXT_POOL)
    words = np.asarray(vocab.words, dtype=object)
    picks = words[rng.choice(len(words), size=(pool, longest), p=vocab.word_p)]
    texts = _join(picks, _lengths(rng, pool, longest // 2, longest), " ")
    return np.asarray(texts[rng.integers(0, pool, size=n)], dtype=object)


def catalog(size: int, *, seed: int = 0) -> pd.DataFrame:
    """A candidates-ready frame of `size` rows; the same seed gives the same frame."""
    rng = np.random.default_rng(seed)
    vocab = vocabulary()
    n_events = round(size * EVENT_SHARE)
    is_event = np.zeros(size, dtype=bool)
    is_event[rng.choice(size, size=n_events, replace=False)] = True
    category = rng.integers(0, len(vocab.categories), size=size)
    names = _names(rng)
    name = names[rng.integers(0, NAME_COUNT, size=size)]
    title = _text(rng, vocab, size, 5)
    title = np.where(rng.random(size) < 0.5, title + " at " + name, title)
    description = _text(rng, vocab, size, 24) + ", near " + names[rng.integers(0, NAME_COUNT, size)]
    cost_min = np.where(
        rng.random(size) < 0.35, 0.0, np.round(rng.lognormal(np.log(30), 1.0, size))
    )
    cost_max = np.round(cost_min * rng.uniform(1.0, 2.5, size))
    duration = rng.choice(_DURATIONS, size=size, p=_DURATION_P / _DURATION_P.sum())
    frame = pd.DataFrame(
        {
            "id": np.where(is_event, "event-", "idea-") + pd.Series(range(size)).astype(str),
            "title": title,
            "description": description,
            "category": np.asarray(vocab.categories, dtype=object)[category],
            "tags": _tags(rng, vocab, category),
            "cost_min": cost_min,
            "cost_max": cost_max,
            "currency": np.where(rng.random(size) < 0.02, "EUR", "USD"),
            "duration_minutes": duration,
            "setting": rng.choice(["indoor", "outdoor", "either"], size=size, p=[0.45, 0.35, 0.2]),
            "energy": rng.choice(["low", "medium", "high"], size=size, p=[0.3, 0.5, 0.2]),
            "excitement": rng.choice(5, size=size, p=_EXCITEMENT_P / _EXCITEMENT_P.sum()) + 1,
            "interactive": rng.random(size) < 0.5,
            "seasons": rng.choice(np.asarray(vocab.seasons, dtype=object), size, p=vocab.season_p),
            "time_of_day": rng.choice(np.asarray(vocab.times, dtype=object), size, p=vocab.time_p),
            "needs_booking": rng.random(size) < 0.3,
            "prompt": np.where(
                rng.random(size) < 0.3,
                np.asarray(vocab.prompts, dtype=object)[rng.integers(0, len(vocab.prompts), size)],
                "",
            ),
        }
    )
    _add_events(frame, is_event, name, rng)
    return frame


def _only(rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`values` on the marked rows, None elsewhere (an object column)."""
    out = np.full(rows.size, None, dtype=object)
    out[rows] = values[rows]
    return out


def _add_events(
    frame: pd.DataFrame, is_event: np.ndarray, venue: np.ndarray, rng: np.random.Generator
) -> None:
    """Dated rows: a start in the next weeks (mostly evenings), a place around town."""
    n = len(frame)
    day = rng.integers(0, EVENT_HORIZON_DAYS, size=n)
    local_hour = rng.choice([10, 13, 16, 18, 19, 20, 21], size=n)
    local = pd.Timestamp(NOW.date()) + pd.to_timedelta(day, "D") + pd.to_timedelta(local_hour, "h")
    starts = pd.DatetimeIndex(local).tz_localize(NOW.tzinfo).tz_convert("UTC")
    nat = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    frame["starts_at"] = nat.where(~is_event, pd.Series(starts, index=frame.index))
    ends = frame["starts_at"] + pd.to_timedelta(frame["duration_minutes"], "min")
    frame["ends_at"] = ends
    frame["lat"] = np.where(is_event, HOME.lat + rng.normal(0, 0.12, n), np.nan)
    frame["lon"] = np.where(is_event, HOME.lon + rng.normal(0, 0.12, n), np.nan)
    frame["venue"] = _only(is_event, venue + " hall")
    frame["city"] = _only(is_event, np.full(n, "Austin", dtype=object))
    frame["url"] = _only(is_event, ("https://example.com/e/" + frame["id"]).to_numpy(dtype=object))
    frame["source"] = np.where(is_event, "synthetic-events", "catalog")
    frame["online"] = is_event & (rng.random(n) < 0.05)


def couple(frame: pd.DataFrame, outings: int, *, seed: int = 0) -> novelty.Couple:
    """Two partners with interests, dislikes and tried lists; `outings` past outings.

    Four in five outings are catalog ids of `frame`, the rest free text with tags.
    """
    rng = np.random.default_rng(seed + 1)
    vocab = vocabulary()
    tags = np.asarray(vocab.tags)

    def partner(name: str) -> novelty.Partner:
        liked = rng.choice(tags, size=6, replace=False)
        return novelty.Partner(
            name=name,
            interests={
                str(t): float(w) for t, w in zip(liked, rng.uniform(0.4, 1.0, 6), strict=True)
            },
            dislikes=(str(rng.choice(tags)),),
            tried=(
                str(rng.choice(tags)),
                str(rng.choice(vocab.categories)),
                str(frame["id"].iat[int(rng.integers(len(frame)))]),
            ),
        )

    history = []
    today = NOW.date()
    for _ in range(outings):
        date = today - dt.timedelta(days=int(rng.integers(1, 3 * 365)))
        rating = int(rng.integers(1, 6))
        if rng.random() < 0.8:
            row = int(rng.integers(len(frame)))
            outing = novelty.Outing(activity_id=str(frame["id"].iat[row]), date=date, rating=rating)
        else:
            words = rng.choice(np.asarray(vocab.words[:400]), size=4)
            outing = novelty.Outing(
                title=" ".join(words).capitalize(),
                tags=tuple(str(t) for t in rng.choice(tags, size=3, replace=False)),
                category=str(rng.choice(vocab.categories)),
                date=date,
                rating=rating,
            )
        history.append(outing)
    return novelty.Couple(
        name="bench",
        partners=(partner("Ada"), partner("Bo")),
        history=tuple(history),
        home=HOME,
        budget=novelty.Budget(per_outing=80, currency="USD"),
    )


class FreshEvents:
    """An in-process event source that lists `count` new events on every fetch (new ids
    and titles), so every call pays for indexing a new set of events. The sets are made
    up front: what is measured is the recommender's work, not the making of Activities."""

    name = "fresh-events"

    def __init__(self, count: int, *, sets: int = 64, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        vocab = vocabulary()
        words = np.asarray(vocab.words[:400])
        self.fetches = 0
        self.sets = [
            [
                novelty.Activity(
                    id=f"event-{n}-{i}",
                    title=" ".join(rng.choice(words, size=3)).capitalize(),
                    category=str(rng.choice(vocab.categories)),
                    tags=tuple(str(t) for t in rng.choice(vocab.tags, size=2)),
                    cost_min=float(rng.integers(0, 60)),
                    cost_max=80.0,
                    starts_at=NOW + dt.timedelta(hours=int(rng.integers(1, 40))),
                    ends_at=NOW + dt.timedelta(hours=int(rng.integers(41, 50))),
                    location=novelty.Location(
                        lat=HOME.lat + float(rng.normal(0, 0.1)),
                        lon=HOME.lon + float(rng.normal(0, 0.1)),
                    ),
                    source=self.name,
                )
                for i in range(count)
            ]
            for n in range(sets)
        ]

    def fetch(
        self, window: novelty.Window, near: novelty.Location | None
    ) -> list[novelty.Activity]:
        self.fetches += 1
        return self.sets[self.fetches % len(self.sets)]
