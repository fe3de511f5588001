"""Stage 7, explain: the chosen rows as Recommendations, with plain-language reasons and
conversation starters."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Sequence
from operator import attrgetter
from typing import NamedTuple

import numpy as np

from ..context.calendar import parse_when
from ..context.money import Rates, approximate_price
from ..context.weather import NEEDS, UNKNOWABLE_OFFLINE, describe_needs
from ..files import bundled_data
from ..labels import display_names
from ..models import UNFILED, Activity, Budget, Couple, Problem, Recommendation
from ..money import money, price_phrase
from ..results import Recommendations
from ..typos import profile_typos
from .candidates import Candidates
from .diversify import BRIDGE_AFFINITY
from .filters import Allowed
from .query import Query
from .schedule import DAY_PARTS, DEFAULT_DURATION, KINDS, Openings, Placed
from .score import Scored
from .taste import History

#: A match at least this strong counts as "touches this interest" in a reason.
MATCH_THRESHOLD = 0.3


def general_starters() -> tuple[str, ...]:
    """The general open-ended questions shipped in data/conversation_starters.txt."""
    lines = bundled_data("conversation_starters.txt").read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def newness_reason(
    couple: Couple, newness: np.ndarray, *, done_together: bool, category_new: bool, category: str
) -> str:
    """What is new, and to whom: only what the history and the partners' `tried` support."""
    names = list(map(attrgetter("name"), couple.partners))
    # "other" files what came without a category (an event that gave none): not a kind of
    # thing anyone did or never did.
    category_new = category_new and category != UNFILED
    if done_together:
        text = "You have done this together before, long enough ago to feel fresh again"
    elif (newness == 1.0).all():
        text = "New to both of you" if len(names) == 2 else "New to all of you"
    elif (newness == 0.0).all():
        text = "Each of you has done it before, but never together"
    else:
        fresh = [n for n, v in zip(names, newness, strict=True) if v == 1.0]
        similar = [n for n, v in zip(names, newness, strict=True) if v == 0.5]
        done = [n for n, v in zip(names, newness, strict=True) if v == 0.0]
        bits = [f"new to {_names(fresh)}"] if fresh else []
        if similar:
            bits.append(f"{_names(similar)} tried something like it before")
        if done:
            bits.append(f"{_names(done)} has done it before")
        text = "; ".join(bits)
        text = text[0].upper() + text[1:]
    if not category_new:
        return text + "."
    # A stretch: new to both, and a kind of thing neither names as an interest or as tried.
    stretch = bool((newness == 1.0).all())
    for partner in couple.partners:
        stretch = stretch and category not in partner.interests and category not in partner.tried
    where = display_names().get(category) or category.replace("-", " ")
    # "anything in games", but "anything at home": a name that is already a place says so.
    where = where if where.startswith(("at ", "in ", "on ")) else f"in {where}"
    if stretch:
        if len(names) == 2:
            return f"New territory for both of you: neither has done anything {where}."
        return f"New territory for all of you: none has done anything {where}."
    return f"{text}, and you have never done anything {where} together."


def interest_reason(couple: Couple, best: Sequence[tuple[str, float] | None]) -> str | None:
    """Whose interests the idea touches, naming the strongest match of each partner."""
    fans: dict[str, list[str]] = {}
    for partner, match in zip(couple.partners, best, strict=True):
        if match is not None and match[1] >= MATCH_THRESHOLD:
            said = display_names().get(match[0]) or match[0].replace("-", " ")
            fans.setdefault(said, []).append(partner.name)
    if not fans:
        return None
    everyone = len(couple.partners)
    if len(fans) == everyone == 2 and not set(couple.partners[0].interests).intersection(
        couple.partners[1].interests
    ):
        (first, [one]), (second, [other]) = fans.items()
        return f"A bridge between {one}'s {first} and {other}'s {second}."
    parts = []
    for label, names in fans.items():
        whose = "your shared" if len(names) == everyone else f"{_names(names)}'s"
        parts.append(f"{whose} interest in {label}")
    return f"Speaks to {_names(parts)}."


def budget_reason(activity: Activity, budget: Budget | None, rates: Rates | None = None) -> str:
    """The price (in the budget's currency, approximately, when converted), and how it
    sits against the budget."""
    phrase = price_phrase(activity)
    if budget is None or activity.cost_min is None or phrase == "Free":
        return phrase + "."
    rate = 1.0
    if activity.currency != budget.currency and rates is not None:
        rate = rates.rate(activity.currency, budget.currency) or 1.0
        phrase = approximate_price(activity, budget.currency, rates) or phrase
    limit = money(budget.per_outing, budget.currency)
    if activity.cost_max is not None and activity.cost_max * rate > budget.per_outing:
        return f"{phrase}; the cheaper end fits your {limit} budget."
    return f"{phrase}, within your {limit} budget."


def weather_reason(
    activity: Activity, found: Openings, slot: int, local: dt.datetime
) -> str | None:
    """Why the weather suits an idea that needs some (or is outdoors), from the forecast;
    offline, which of its needs no one checked."""
    needs = sum(map(NEEDS.__getitem__, activity.weather)) | (
        NEEDS["dry"] if activity.setting == "outdoor" else 0
    )
    if not needs or slot < 0:
        return None
    bits, kind = int(found.forecast_bits[slot]), KINDS[int(found.slot_kind[slot])]
    if bits < 0:
        unchecked = needs & UNKNOWABLE_OFFLINE
        if not unchecked:
            return None
        needs_words = describe_needs(unchecked)
        return f"Needs {needs_words} weather: no forecast was checked, so look before you go."
    when = f"{local:%A} {kind}" if kind in DAY_PARTS else f"{local:%A} at {kind}"
    if kind == "dark":
        when = f"{local:%A} after dark"
    said = (
        describe_needs(needs & bits & ~NEEDS["mild"] & ~NEEDS["warm"]) if needs & bits & ~6 else ""
    )
    temperature = found.temperature[slot]
    degrees = "" if np.isnan(temperature) else f"{temperature:.0f} °C"
    words = ", ".join(filter(None, (said, degrees)))
    return f"Forecast: {words} on {when}." if words else None


def when_reason(
    activity: Activity, starts_at: dt.datetime, tz: dt.tzinfo, distance_km: float | None
) -> str:
    """When it happens (events) or when we suggest it (ideas), and where."""
    local = starts_at.astimezone(tz)
    day = f"{local:%A} {local.day} {local:%b}"
    end = (activity.ends_at or starts_at).astimezone(tz)
    # An end at midnight closes the day before: a market "until Tuesday" ends as it begins.
    at_midnight = end.time() == dt.time(0) and end > local
    last = end - dt.timedelta(days=1) if at_midnight else end
    until = f"{last:%A} {last.day} {last:%b}"
    if activity.starts_at is not None and activity.starts_at < starts_at:
        text = f"Already on, until {until}: go {day} at {local:%H:%M}"
    elif activity.starts_at is not None and at_midnight and local.time() == dt.time(0):
        # Whole days (a fair, a festival): there is no time of day to suggest.
        text = f"All day {day}" if last.date() == local.date() else f"From {day} to {until}"
    elif activity.starts_at is not None:
        text = f"On {day} at {local:%H:%M}"
    else:
        sky = parse_when(activity.when).sky if activity.when else None
        part = activity.time_of_day if activity.time_of_day != "any" else f"{local:%H:%M}"
        if sky is not None:
            part = f"{local:%H:%M}, " + ("after dark" if sky == "dark" else f"for the {sky}")
        text = f"Suggested for {day}, {part}"
    place = activity.location
    if place is not None and place.name:
        text += f", at {place.name}" + (f" in {place.city}" if place.city else "")
    if activity.online:
        text += ", online"
    if distance_km is not None:
        text += f" ({distance_km:.0f} km from home)" if distance_km >= 1 else " (under 1 km away)"
    return text + "."


def excitement_reason(activity: Activity) -> str | None:
    """Why an exciting, hands-on idea is good for the two of you (Aron et al. 2000)."""
    if activity.excitement >= 4 and activity.interactive:
        return "Exciting and done together: the kind of shared novelty linked to closer couples."
    if activity.excitement >= 4:
        return "A thrill to share, the kind of shared novelty linked to closer couples."
    return None


def conversation_starters(
    activity: Activity, seed: int | None, general: Sequence[str]
) -> tuple[str, str]:
    """The idea's own prompt plus one of the `general` questions, chosen stably per idea
    and seed."""
    pick = zlib.crc32(f"{activity.id}:{seed or 0}".encode()) % len(general)
    if activity.prompt:
        return activity.prompt, general[pick]
    return general[pick], general[(pick + 1 + len(general) // 2) % len(general)]


def _strongest_interests(
    candidates: Candidates, rows: np.ndarray, couple: Couple
) -> list[list[tuple[str, float] | None]]:
    """Per row, each partner's best-matched interest and the strength of that match."""
    dense = candidates.item_rows(rows).toarray()
    per_partner: list[list[tuple[str, float] | None]] = []
    for partner in couple.partners:
        labels = list(partner.interests)
        strengths = np.zeros((rows.size, len(labels)), dtype=np.float32)
        for j, label in enumerate(labels):
            terms = candidates.matches[label].terms
            strengths[:, j] = np.clip(dense[:, terms.columns] @ terms.weights, 0.0, 1.0)
        if labels:
            found = map(labels.__getitem__, strengths.argmax(axis=1).tolist())
            per_partner.append(list(zip(found, strengths.max(axis=1).tolist(), strict=True)))
        else:
            per_partner.append([None] * rows.size)
    return list(map(list, zip(*per_partner, strict=True)))


class Idea(NamedTuple):
    """One picked idea as plain data: what `explain` wraps into a Recommendation and
    `recommend_many` into table rows."""

    activity: Activity
    rank: int
    #: The score's components, "score" first (the per-partner ones are in the arrays).
    components: dict[str, float]
    reasons: tuple[str, ...]
    conversation_starters: tuple[str, str]
    starts_at: dt.datetime
    ends_at: dt.datetime
    #: Per partner, in the couple's order: affinity (fit) and newness.
    affinity: np.ndarray
    newness: np.ndarray


def describe(
    query: Query,
    candidates: Candidates,
    scored: Scored,
    allowed: Allowed,
    history: History,
    picks: np.ndarray,
    activities: Sequence[Activity],
    starters: Sequence[str],
    placed: Placed,
    found: Openings,
) -> list[Idea]:
    """The picked positions (into `scored.rows`), whose Activities are `activities`, as
    Ideas with reasons and conversation starters, best first; `placed` are their
    suggested times among the window's openings `found`."""
    couple, tz, budget = query.couple, query.couple.timezone, query.budget
    chosen = scored.rows[picks]
    # Km from where the couple is, read from the candidates' own (NaN without a place).
    on_map = candidates.placed
    at = np.minimum(np.searchsorted(on_map, chosen), max(on_map.size - 1, 0))
    known = on_map[at] == chosen if on_map.size else np.zeros(chosen.size, dtype=bool)
    kms = np.where(known, candidates.km[at] if on_map.size else np.nan, np.nan).tolist()
    starts = placed.starts(tz)
    interests = _strongest_interests(candidates, chosen, couple)
    values = np.empty((picks.size, len(scored.components)), dtype=np.float32)
    for j, column in enumerate(scored.components.values()):
        values[:, j] = column[picks]
    ideas = []
    slots = placed.slots.tolist()
    for rank, (at, activity, km, start, strongest, slot) in enumerate(
        zip(picks.tolist(), activities, kms, starts, interests, slots, strict=True), start=1
    ):
        components = dict(zip(scored.components, map(float, values[rank - 1]), strict=True))
        end = (
            activity.ends_at
            or start + (dt.timedelta(minutes=activity.duration_minutes or 0) or DEFAULT_DURATION)
        ).astimezone(tz)
        distance = None if activity.location is None or activity.online else km
        newness = scored.newness[at]
        reasons = [
            newness_reason(
                couple,
                newness,
                done_together=activity.id in history.done_ids
                or activity.title.casefold() in history.done_titles,
                # "Never" only when every outing's category is known.
                category_new=bool(components["category_new"]) and history.categories_known,
                category=activity.category,
            ),
            interest_reason(couple, strongest),
            excitement_reason(activity),
            budget_reason(activity, budget, allowed.rates),
            when_reason(activity, start, tz, distance),
            weather_reason(activity, found, slot, start.astimezone(tz)),
            "Book ahead." if activity.needs_booking and not activity.same_day_booking else None,
        ]
        ideas.append(
            Idea(
                activity,
                rank,
                components,
                tuple(filter(None, reasons)),
                conversation_starters(activity, query.seed, starters),
                start,
                end,
                scored.affinity[at],
                newness,
            )
        )
    return ideas


def explain(
    query: Query,
    candidates: Candidates,
    scored: Scored,
    allowed: Allowed,
    history: History,
    picks: np.ndarray,
    activities: Sequence[Activity],
    starters: Sequence[str],
    placed: Placed,
    found: Openings,
    problems: list[Problem],
) -> Recommendations:
    """The Recommendations of the picked positions (into `scored.rows`), whose Activities
    are `activities`, best first (see `describe`), and what went wrong."""
    couple, budget = query.couple, query.budget
    if allowed.other_currency:
        problems = [
            *problems,
            Problem(
                source="budget",
                message=f"{allowed.other_currency} idea(s) priced in a currency with no "
                f"exchange rate to your budget's ({budget.currency if budget else ''}) were "
                "left out; give the rate in the budget's `rates`",
            ),
        ]
    shared = set(couple.partners[0].interests)
    for partner in couple.partners[1:]:
        shared &= set(partner.interests)
    if not shared and picks.size and (scored.affinity[picks].min(axis=1) < BRIDGE_AFFINITY).all():
        problems = [
            *problems,
            Problem(
                source="bridge",
                message=f"{_names([p.name for p in couple.partners])} share no interest, and no "
                f"idea in this window touches {'both' if len(couple.partners) == 2 else 'all'} "
                "of you; try a wider window or a new interest",
            ),
        ]
    unmatched: list[str] = []
    for partner in couple.partners:
        for label in partner.interests:
            if not candidates.matches[label].rows.size:
                unmatched.append(label)
    if history.unknown_ids or unmatched:
        typos = profile_typos(
            candidates.catalog, history.unknown_ids, unmatched, strict=query.strict
        )
        problems = [*problems, *typos]
    recommendations = []
    ideas = describe(
        query, candidates, scored, allowed, history, picks, activities, starters, placed, found
    )
    for idea in ideas:
        components = idea.components
        for partner, fit, new in zip(
            query.couple.partners, idea.affinity, idea.newness, strict=True
        ):
            components[f"fit:{partner.name}"] = float(fit)
            components[f"new:{partner.name}"] = float(new)
        # Put together without validating: every value was made and checked by the
        # stages (the Activity is the catalog's or a validated event's).
        recommendations.append(
            Recommendation.model_construct(
                activity=idea.activity,
                score=components["score"],
                rank=idea.rank,
                components=components,
                reasons=idea.reasons,
                conversation_starters=idea.conversation_starters,
                starts_at=idea.starts_at,
                ends_at=idea.ends_at,
            )
        )
    return Recommendations(
        recommendations, window=query.window, problems=problems, generated_at=query.now
    )
