"""A seeded simulator of couples: two partners' tastes, a shared history, a home and a budget."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from novelty import Budget, Couple, Location, Outing, Partner, Recommender

from .baselines import catalog_affinities

#: Home cities (name, lat, lon, IANA timezone): four US timezones plus Arizona and Hawaii,
#: which keep standard time all year.
CITIES = (
    ("New York", 40.7128, -74.0060, "America/New_York"),
    ("Chicago", 41.8781, -87.6298, "America/Chicago"),
    ("Austin", 30.2672, -97.7431, "America/Chicago"),
    ("Denver", 39.7392, -104.9903, "America/Denver"),
    ("Phoenix", 33.4484, -112.0740, "America/Phoenix"),
    ("Seattle", 47.6062, -122.3321, "America/Los_Angeles"),
    ("Los Angeles", 34.0522, -118.2437, "America/Los_Angeles"),
    ("Honolulu", 21.3069, -157.8583, "Pacific/Honolulu"),
)
#: The fixed moments the couples ask at (2026, month, day, local hour): one per month so
#: every season comes up, on weekdays and on weekend days, mornings and evenings.
MOMENTS = (
    (1, 14, 9),
    (2, 6, 19),
    (3, 21, 11),
    (4, 9, 8),
    (5, 29, 18),
    (6, 13, 10),
    (7, 1, 12),
    (8, 22, 15),
    (9, 4, 20),
    (10, 17, 9),
    (11, 27, 20),
    (12, 10, 13),
)
#: Outings logged without a catalog id: (title, tags, category). The last one has only a
#: title, so the library has to place it by its words.
FREE_TEXT = (
    ("Dinner at our favourite taqueria", ("restaurants", "street-food"), "food-drink"),
    ("Weekend at a friend's lake cabin", ("water", "nature", "camping"), "day-trips"),
    ("Pub quiz with the neighbours", ("trivia", "competition", "social"), "games"),
    ("Movie marathon on the sofa", ("film", "quiet"), "at-home"),
    ("Salsa night at a club downtown", ("dancing", "late-night"), "music-performance"),
    ("Long walk along the river with coffee", (), None),
)
#: A price tag, not a pastime: nobody holds it as an interest or a dislike.
NOT_A_TASTE = frozenset({"budget-friendly"})
HISTORY_DAYS = 730
MAX_OUTINGS = 30
#: Chance that a history also holds a few free-text outings.
FREE_TEXT_CHANCE = 0.3
#: Weight of an idea neither partner cares for when drawing the history, against their
#: mean affinity (about 0.3–0.85 for ideas that carry an interest): the original history
#: model, kept as `routine=None` (`--routine legacy`).
HISTORY_BASE = 0.05
#: Default share of catalog outings drawn from ideas that carry at least one partner's
#: interest; the rest are one-offs from outside them (an assumption, see README.md).
ROUTINE = 0.9
#: Spread of a rating around the fit-driven expectation, in stars.
RATING_NOISE = 0.75


@dataclass(frozen=True)
class Case:
    """One simulated couple, the moment they ask for ideas, and a seed for their run."""

    couple: Couple
    now: dt.datetime
    seed: int


@dataclass(frozen=True)
class Tastes:
    """What partners are drawn from: labels to love (with draw chances) and tags to dislike."""

    labels: list[str]
    chances: np.ndarray
    tags: list[str]


def tastes(frame: pd.DataFrame) -> Tastes:
    """The catalog's tags and categories as possible interests, its tags as dislikes.

    Interests are drawn in proportion to the square root of how many ideas carry the label:
    common pastimes are held more often than rare ones, but rare ones still come up.
    """
    counts = Counter(frame["tags"].str.split(";").explode().dropna())
    counts.update(frame["category"])
    labels = sorted(label for label in counts if label and label not in NOT_A_TASTE)
    weights = np.sqrt(np.array([counts[label] for label in labels], dtype=np.float64))
    tags = sorted({t for t in counts if t not in set(frame["category"])} - NOT_A_TASTE - {""})
    return Tastes(labels=labels, chances=weights / weights.sum(), tags=tags)


def _partner_interests(
    rng: np.random.Generator, tastes: Tastes
) -> tuple[dict[str, float], dict[str, float]]:
    """Two partners' interests (3–6 each, weights 0.5–1.5), sharing one or two labels."""
    labels = tastes.labels
    sizes = rng.integers(3, 7, size=2)
    shared = int(rng.integers(1, 3))
    drawn = rng.choice(len(labels), int(sizes.sum()) - shared, replace=False, p=tastes.chances)
    first = drawn[: sizes[0]]
    second = np.concatenate([first[:shared], drawn[sizes[0] :]])
    return (
        {labels[i]: round(float(rng.uniform(0.5, 1.5)), 2) for i in first},
        {labels[i]: round(float(rng.uniform(0.5, 1.5)), 2) for i in second},
    )


def outing_chances(fondness: np.ndarray, routine: float | None) -> np.ndarray:
    """Per catalog idea, the chance that a catalog outing of the history is that idea.

    `fondness` is the partners' mean affinity per idea. With `routine` r, a share r of the
    outings goes to the ideas carrying at least one partner's interest (fondness > 0), in
    proportion to fondness, and 1 − r spreads evenly over the other ideas. `None` is the
    original model, p ∝ HISTORY_BASE + fondness, whose share varies by couple.
    """
    chances: np.ndarray
    if routine is None:
        # Kept exactly as it was (float32 arithmetic included), so old runs reproduce.
        chances = (HISTORY_BASE + fondness) / (HISTORY_BASE + fondness).sum()
        return chances
    if not 0 <= routine <= 1:
        raise ValueError(f"routine must be between 0 and 1, got {routine}")
    fond = np.asarray(fondness, dtype=np.float64)
    liked = fond > 0
    if not liked.any() or liked.all():
        # Only one side exists: nothing to share between.
        weights = fond if liked.any() else np.ones_like(fond)
        chances = weights / weights.sum()
        return chances
    chances = np.where(liked, routine * fond / fond[liked].sum(), (1 - routine) / (~liked).sum())
    chances /= chances.sum()
    return chances


def _history(
    rng: np.random.Generator,
    recommender: Recommender,
    fondness: np.ndarray,
    today: dt.date,
    routine: float | None,
) -> tuple[Outing, ...]:
    """0–30 outings drawn towards what the couple likes, rated by how well each fitted.

    Sometimes up to three of them are free-text outings, which people log when they
    remember them fondly (rated 3–5). `routine` only changes which ideas are drawn: the
    draw takes as many random numbers whatever the chances, so every other part of the
    couple stays the same.
    """
    size = int(rng.integers(0, MAX_OUTINGS + 1))
    free = min(int(rng.integers(1, 4)), size) if rng.random() < FREE_TEXT_CHANCE else 0
    dates = [today - dt.timedelta(days=int(d)) for d in rng.integers(1, HISTORY_DAYS + 1, size)]
    rows = rng.choice(fondness.size, size=size - free, p=outing_chances(fondness, routine))
    noise = rng.normal(0, RATING_NOISE, rows.size)
    stars = np.clip(np.rint(1 + 4 * fondness[rows] + noise), 1, 5).astype(int)
    outings = [
        Outing(activity_id=recommender.ids_[r], date=day, rating=int(s))
        for r, day, s in zip(rows, dates[free:], stars, strict=True)
    ]
    for day, i in zip(dates[:free], rng.choice(len(FREE_TEXT), free, replace=False), strict=True):
        title, tags, category = FREE_TEXT[i]
        outings.append(
            Outing(
                title=title,
                tags=tags,
                category=category,
                date=day,
                rating=int(rng.integers(3, 6)),
            )
        )
    return tuple(sorted(outings, key=lambda o: o.date))


def _tried(
    rng: np.random.Generator, recommender: Recommender, affinity: np.ndarray, tags: list[str]
) -> tuple[str, ...]:
    """0–3 things one partner did alone: ideas near their interests, or whole tags."""
    tried: list[str] = []
    for _ in range(int(rng.integers(0, 4))):
        if rng.random() < 0.5:
            p = (HISTORY_BASE + affinity) / (HISTORY_BASE + affinity).sum()
            tried.append(str(recommender.ids_[int(rng.choice(affinity.size, p=p))]))
        else:
            tried.append(tags[int(rng.integers(len(tags)))])
    return tuple(tried)


def _dislike(rng: np.random.Generator, tastes: Tastes, interests: dict[str, float]) -> str:
    """A tag this partner never wants, which is not one of their own interests."""
    options = [t for t in tastes.tags if t not in interests]
    return options[int(rng.integers(len(options)))]


def _case(
    index: int,
    rng: np.random.Generator,
    recommender: Recommender,
    tastes: Tastes,
    routine: float | None,
) -> Case:
    """The couple number `index`, drawn from its own random stream."""
    city, lat, lon, timezone = CITIES[int(rng.integers(len(CITIES)))]
    home = Location(lat=lat, lon=lon, city=city, timezone=timezone)
    month, day, hour = MOMENTS[index % len(MOMENTS)]
    now = dt.datetime(2026, month, day, hour, tzinfo=ZoneInfo(timezone))
    interests = _partner_interests(rng, tastes)
    dislikes = [_dislike(rng, tastes, mine) for mine in interests]
    names = ("Ari", "Bo")
    untried = tuple(
        Partner(name=name, interests=mine) for name, mine in zip(names, interests, strict=True)
    )
    affinity = catalog_affinities(recommender, Couple(partners=untried, home=home))
    partners = tuple(
        Partner(
            name=name,
            interests=mine,
            dislikes=(dislike,),
            tried=_tried(rng, recommender, column, tastes.tags),
        )
        for name, mine, dislike, column in zip(names, interests, dislikes, affinity.T, strict=True)
    )
    couple = Couple(
        name=f"couple-{index:04d}",
        partners=partners,
        history=_history(rng, recommender, affinity.mean(axis=1), now.date(), routine),
        home=home,
        budget=Budget(per_outing=float(5 * rng.integers(4, 41))),
    )
    return Case(couple=couple, now=now, seed=int(rng.integers(2**31)))


def simulate(
    recommender: Recommender, couples: int, seed: int, routine: float | None = ROUTINE
) -> list[Case]:
    """`couples` reproducible couples: the same seed gives the same couples.

    `routine` is the share of catalog outings drawn from ideas carrying an interest of either
    partner (`outing_chances`); None draws them as the original model did.
    """
    recommender.prepare()
    cells = recommender.index_.cells
    drawn_from = tastes(pd.DataFrame({"tags": cells["tags"], "category": cells["category"]}))
    streams = np.random.SeedSequence(seed).spawn(couples)
    return [
        _case(i, np.random.default_rng(stream), recommender, drawn_from, routine)
        for i, stream in enumerate(streams)
    ]
