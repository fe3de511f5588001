"""Stage 1, query: a couple and the call's options checked and turned into one Query."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from numbers import Integral
from operator import attrgetter
from typing import Any, NamedTuple

from pydantic import ValidationError

from ..config import adventure_level
from ..errors import ArgumentError, BudgetError, WindowError
from ..models import Budget, Couple, Location, Outing, Partner, Window
from ..windows import When, resolve_window

#: Energy levels and mobilities, least demanding first.
ENERGY = ("low", "medium", "high")
MOBILITY = ("full", "limited", "wheelchair")
#: A window ending this soon after now leaves no time to book ahead.
SHORT_NOTICE = dt.timedelta(days=1)

#: What `recommend()` takes as a couple, a place and a history.
CoupleLike = Couple | Mapping[str, Any] | str
PlaceLike = Location | Mapping[str, Any] | tuple[float, float]


class Query(NamedTuple):
    """One call's question: who, when, where, for how much, and how many ideas."""

    couple: Couple
    window: Window
    now: dt.datetime
    today: dt.date
    budget: Budget | None
    near: Location
    radius_km: float | None
    #: The profile's outings and the logged ones, each once, as a tuple (a cache key).
    outings: tuple[Outing, ...]
    k: int
    seed: int | None
    strict: bool
    #: Every interest, dislike and tried label the partners name, each once.
    labels: tuple[str, ...]
    #: What either partner dislikes (sorted) and has tried, each once.
    dislikes: tuple[str, ...]
    tried: frozenset[str]
    #: The couple's day: the most energy they have, indoor or outdoor only (None: either),
    #: the longest outing, and the strictest mobility of the partners.
    energy: str = "high"
    setting: str | None = None
    max_minutes: int | None = None
    mobility: str = "full"
    #: The window ends within a day of now: ideas that need booking ahead are out.
    short_notice: bool = False


def _model(kind: type[Couple] | type[Location], value: Any, argument: str) -> Any:
    """`value` as a `kind` from itself, a dict or a JSON text; errors name the argument."""
    try:
        if isinstance(value, str | bytes):
            return kind.model_validate_json(value)
        if isinstance(value, Mapping):
            return kind.model_validate(dict(value))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "value"
        raise ArgumentError(f"{argument}: {where}: {first['msg']}") from None
    raise ArgumentError(
        f"{argument}: expected a {kind.__name__}, a dict or a JSON text, got {type(value).__name__}"
    )


def _near(near: Any) -> Location:
    if isinstance(near, tuple | list) and len(near) == 2:
        near = {"lat": near[0], "lon": near[1]}
    if isinstance(near, Location):
        return near
    return _model(Location, near, "near")  # type: ignore[no-any-return]


def _budget(budget: Budget | float, couple: Couple) -> Budget:
    if isinstance(budget, Budget):
        return budget
    if not isinstance(budget, int | float) or isinstance(budget, bool) or not budget >= 0:
        raise BudgetError(f"budget: expected an amount >= 0 or a Budget, got {budget!r}")
    currency = couple.budget.currency if couple.budget else "USD"
    return Budget(per_outing=float(budget), currency=currency)


def history_outings(history: Any, couple: Couple) -> tuple[Outing, ...]:
    """Outings from a HistoryStore or a sequence of outings (or their dicts)."""
    if hasattr(history, "outings") and callable(history.outings):
        return tuple(history.outings(couple=couple))
    if isinstance(history, str | bytes) or not isinstance(history, Sequence):
        raise ArgumentError(
            f"history: expected a HistoryStore or a list of outings, got {type(history).__name__}"
        )
    outings = []
    for i, outing in enumerate(history):
        try:
            outings.append(outing if isinstance(outing, Outing) else Outing.model_validate(outing))
        except ValidationError as exc:
            raise ArgumentError(f"history[{i}]: {exc.errors()[0]['msg']}") from None
    return tuple(outings)


def make_query(
    couple_like: CoupleLike,
    *,
    when: When,
    k: int,
    budget: Budget | float | None,
    near: PlaceLike | None,
    radius_km: float | None,
    now: dt.datetime | None,
    seed: int | None,
    strict: bool,
    history: Any,
    energy: str | None = None,
    setting: str | None = None,
    max_minutes: int | None = None,
) -> Query:
    """Check every argument (errors name it) and resolve the window in the couple's zone."""
    couple = (
        couple_like if isinstance(couple_like, Couple) else _model(Couple, couple_like, "couple")
    )
    # Whole numbers of any kind (numpy's too), never a bool.
    if isinstance(k, bool) or not isinstance(k, Integral) or k < 1:
        raise ArgumentError(f"k: expected a whole number >= 1, got {k!r}")
    k = int(k)
    if radius_km is not None and (
        isinstance(radius_km, bool) or not isinstance(radius_km, int | float) or not radius_km > 0
    ):
        raise ArgumentError(f"radius_km: expected a number > 0, got {radius_km!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0):
        raise ArgumentError(f"seed: expected a whole number >= 0 or None, got {seed!r}")
    seed = None if seed is None else int(seed)
    if not isinstance(strict, bool):
        raise ArgumentError(f"strict: expected True or False, got {strict!r}")
    if now is not None and (not isinstance(now, dt.datetime) or now.tzinfo is None):
        raise ArgumentError(f"now: expected an aware datetime, got {now!r}")
    day = couple.day
    energy = day.energy if energy is None else energy
    if energy not in ENERGY:
        raise ArgumentError(f"energy: expected one of {', '.join(ENERGY)}, got {energy!r}")
    setting = day.setting if setting is None else setting
    if setting not in (None, "indoor", "outdoor"):
        raise ArgumentError(f"setting: expected 'indoor', 'outdoor' or None, got {setting!r}")
    max_minutes = day.max_minutes if max_minutes is None else max_minutes
    if max_minutes is not None and (
        isinstance(max_minutes, bool) or not isinstance(max_minutes, Integral) or max_minutes < 1
    ):
        raise ArgumentError(f"max_minutes: expected a whole number >= 1, got {max_minutes!r}")
    max_minutes = None if max_minutes is None else int(max_minutes)
    tz = couple.timezone
    now = now or dt.datetime.now(tz)
    # `model_copy(update=...)` skips validation, so the history may be a list here.
    outings = tuple(couple.history)
    if history is not None and (logged := history_outings(history, couple)):
        # An outing both in the profile and in the database counts once.
        outings = tuple(dict.fromkeys((*outings, *logged)))
    labels: list[str] = []
    dislikes: set[str] = set()
    tried: set[str] = set()
    for partner in couple.partners:
        labels.extend((*partner.interests, *partner.dislikes, *partner.tried))
        dislikes.update(partner.dislikes)
        tried.update(partner.tried)
    window = resolve_window(when, now=now, tz=tz)
    return Query(
        couple=couple,
        window=window,
        now=now,
        today=now.astimezone(tz).date(),
        budget=couple.budget if budget is None else _budget(budget, couple),
        near=couple.home if near is None else _near(near),
        radius_km=radius_km,
        outings=outings,
        k=k,
        seed=seed,
        strict=strict,
        labels=tuple(dict.fromkeys(labels)),
        dislikes=tuple(sorted(dislikes)),
        tried=frozenset(tried),
        energy=energy,
        setting=setting,
        max_minutes=max_minutes,
        mobility=MOBILITY[max(map(MOBILITY.index, map(attrgetter("mobility"), couple.partners)))],
        short_notice=window.end - now <= SHORT_NOTICE,
    )


#: Couples at home in the westernmost and the easternmost zones: a `when` that neither can
#: use (an unknown word, a day over everywhere) is one that no couple can.
_FAR_HOMES = tuple(
    Couple(
        partners=(Partner(name="one"), Partner(name="two")),
        home=Location(lat=0.0, lon=0.0, timezone=zone),
    )
    for zone in ("Etc/GMT+12", "Etc/GMT-14")
)


def check_options(adventure: float | str | None = None, **options: Any) -> None:
    """Raise the error that every couple would get from these options of `make_query`
    (a bad `k`, `seed`, `budget`, `when`, ...) or from the `adventure` dial: a batch
    refuses them before it starts instead of giving each couple an error row. `when` is
    refused only if it fails at both ends of the world's clocks."""
    if adventure is not None:
        adventure_level(adventure)
    arguments: dict[str, Any] = dict(
        when="this weekend", k=5, budget=None, near=None, radius_km=None, now=None,
        seed=None, strict=False, history=None,
    )  # fmt: skip
    arguments.update(options)
    west, east = _FAR_HOMES
    try:
        make_query(west, **arguments)
    except WindowError:
        make_query(east, **arguments)
