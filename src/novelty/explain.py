"""Plain-language reasons and conversation starters for the ideas that made the list."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Sequence
from functools import cache

import numpy as np

from .catalog import bundled_data
from .models import Activity, Budget, Couple

#: A match at least this strong counts as "touches this interest" in a reason.
MATCH_THRESHOLD = 0.3
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$", "JPY": "¥"}


@cache
def general_starters() -> tuple[str, ...]:
    """The general open-ended questions shipped in data/conversation_starters.txt."""
    lines = bundled_data("conversation_starters.txt").read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def money(amount: float, currency: str) -> str:
    """'$40', '€12.50' or '40 CHF'."""
    text = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def price_phrase(activity: Activity) -> str:
    """The idea's price for two as words: free, about $X, or $X–Y."""
    low, high, currency = activity.cost_min, activity.cost_max, activity.currency
    if low is None:
        return "Price not listed; check before you go"
    if high is None:
        return f"From {money(low, currency)} for the two of you"
    if high == 0:
        return "Free"
    if low == high:
        return f"About {money(low, currency)} for the two of you"
    return f"{money(low, currency)}–{money(high, currency).lstrip(_SYMBOLS.get(currency, ''))}" + (
        " for the two of you"
    )


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def newness_reason(
    couple: Couple, newness: np.ndarray, *, done_together: bool, category_new: bool, category: str
) -> str:
    """What is new, and to whom: only what the history and the partners' `tried` support."""
    names = [p.name for p in couple.partners]
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
    if category_new:
        text += f", and you have never done anything in {category.replace('-', ' ')} together"
    return text + "."


def interest_reason(couple: Couple, best: Sequence[tuple[str, float] | None]) -> str | None:
    """Whose interests the idea touches, naming the strongest match of each partner."""
    fans: dict[str, list[str]] = {}
    for partner, match in zip(couple.partners, best, strict=True):
        if match is not None and match[1] >= MATCH_THRESHOLD:
            fans.setdefault(match[0].replace("-", " "), []).append(partner.name)
    if not fans:
        return None
    everyone = len(couple.partners)
    parts = []
    for label, names in fans.items():
        whose = "your shared" if len(names) == everyone else f"{_names(names)}'s"
        parts.append(f"{whose} interest in {label}")
    return f"Speaks to {_names(parts)}."


def budget_reason(activity: Activity, budget: Budget | None) -> str:
    """The price, and how it sits against the budget."""
    phrase = price_phrase(activity)
    if budget is None or activity.cost_min is None or phrase == "Free":
        return phrase + "."
    limit = money(budget.per_outing, budget.currency)
    if activity.cost_max is not None and activity.cost_max > budget.per_outing:
        return f"{phrase}; the cheaper end fits your {limit} budget."
    return f"{phrase}, within your {limit} budget."


def when_reason(
    activity: Activity, starts_at: dt.datetime, tz: dt.tzinfo, distance_km: float | None
) -> str:
    """When it happens (events) or when we suggest it (ideas), and where."""
    local = starts_at.astimezone(tz)
    day = f"{local:%A} {local.day} {local:%b}"
    if activity.starts_at is not None:
        text = f"On {day} at {local:%H:%M}"
    else:
        part = activity.time_of_day if activity.time_of_day != "any" else f"{local:%H:%M}"
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


def conversation_starters(activity: Activity, seed: int | None) -> tuple[str, str]:
    """The idea's own prompt plus a general question, chosen stably per idea and seed."""
    general = general_starters()
    pick = zlib.crc32(f"{activity.id}:{seed or 0}".encode()) % len(general)
    if activity.prompt:
        return activity.prompt, general[pick]
    return general[pick], general[(pick + 1 + len(general) // 2) % len(general)]
