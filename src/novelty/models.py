"""The pydantic models at the library's boundary: what apps build and what they get back."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from .config import adventure_level
from .errors import ArgumentError
from .labels import normalise_label

Setting = Literal["indoor", "outdoor", "either"]
Energy = Literal["low", "medium", "high"]
Season = Literal["spring", "summer", "autumn", "winter"]
TimeOfDay = Literal["morning", "afternoon", "evening", "any"]
Demand = Literal["none", "light", "moderate", "strenuous"]
Mobility = Literal["full", "limited", "wheelchair"]
WeatherNeed = Literal["dry", "warm", "mild", "snow", "clear", "calm", "rain"]

Tag = Annotated[str, Field(min_length=1, max_length=80)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD")]
Money = Annotated[float, Field(ge=0, allow_inf_nan=False)]
#: Largest interest weight: weights are relative, and scores are computed in float32.
MAX_INTEREST_WEIGHT = 1000.0


def _normalise_labels(values: Any) -> Any:
    if isinstance(values, str):
        values = [part for part in values.split(";") if part.strip()]
    if isinstance(values, list | tuple | set | frozenset):
        return tuple(dict.fromkeys(normalise_label(str(v)) for v in values if str(v).strip()))
    return values


def _normalise_category(value: Any) -> Any:
    return normalise_label(value) if isinstance(value, str) else value


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class _ByPosition(_Frozen):
    """A model whose first fields may also be given by position, as the API writes them:
    `Budget(60, "GBP")`, `Window(start, end)`."""

    _positions: ClassVar[tuple[str, ...]] = ()

    def __init__(self, /, *given: Any, **data: Any) -> None:
        model = type(self).__name__
        if len(given) > len(self._positions):
            raise ArgumentError(
                f"{model}: at most {len(self._positions)} fields by position, got {len(given)}"
            )
        for name, value in zip(self._positions, given, strict=False):
            if name in data:
                raise ArgumentError(f"{model}: {name} given both by position and by name")
            data[name] = value
        super().__init__(**data)


class Location(_Frozen):
    """A place: coordinates, and optionally a venue name, address, city and IANA timezone."""

    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, description="Latitude in degrees.")
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, description="Longitude in degrees.")
    name: str | None = Field(default=None, description="Venue or place name.")
    address: str | None = None
    city: str | None = None
    timezone: str | None = Field(default=None, description="IANA name, e.g. Europe/Berlin.")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        # OSError: a name such as "America" that is a folder of the tz database, not a zone.
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(
                f"unknown timezone {value!r}; expected an IANA name such as 'America/Chicago'"
            ) from None
        return value


#: The category of what came without one (an event that gave none).
UNFILED = "other"


class Activity(_Frozen):
    """Something a couple can do together: a catalog idea or a dated event from a source."""

    id: str = Field(min_length=1, description="Unique within its source.")
    title: str = Field(min_length=1)
    description: str = ""
    category: str = Field(default=UNFILED, min_length=1)
    tags: tuple[Tag, ...] = ()
    cost_min: Money | None = Field(
        default=None, description="Cheapest typical cost for the two of them; None = unknown."
    )
    cost_max: Money | None = Field(default=None, description="Dearest typical cost for two.")
    currency: Currency = "USD"
    duration_minutes: int | None = Field(default=None, gt=0, le=60 * 24 * 14)
    setting: Setting = "either"
    energy: Energy = "medium"
    excitement: int = Field(
        default=3, ge=1, le=5, description="1 calm and familiar .. 5 thrilling."
    )
    interactive: bool = Field(default=False, description="Done with each other, not side by side.")
    seasons: tuple[Season, ...] = Field(default=(), description="Empty means all year.")
    time_of_day: TimeOfDay = "any"
    needs_booking: bool = False
    same_day_booking: bool = Field(
        default=False, description="Booking the same day is usual (so 'tonight' works)."
    )
    accessibility: str = Field(default="", description="A note for people, shown as it is.")
    demand: Demand = Field(default="none", description="Physical demand, for mobility.")
    step_free: bool = Field(default=True, description="Suits a wheelchair user.")
    when: str = Field(
        default="", max_length=200, description="Dates and sky it is bound to (docs/when-where.md)."
    )
    countries: tuple[Annotated[str, Field(pattern=r"^[A-Z]{2}$")], ...] = Field(
        default=(), description="ISO 3166 codes where it makes sense; empty means anywhere."
    )
    weather: tuple[WeatherNeed, ...] = Field(default=(), description="Weather it needs.")
    prompt: str = Field(default="", description="A conversation starter for afterwards.")
    location: Location | None = None
    starts_at: AwareDatetime | None = Field(default=None, description="Events only.")
    ends_at: AwareDatetime | None = None
    url: str | None = None
    source: str = Field(default="catalog", min_length=1)
    online: bool = False

    _tags = field_validator("tags", mode="before")(_normalise_labels)
    _category = field_validator("category", mode="before")(_normalise_category)

    @field_validator("countries", "weather", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(";") if part.strip())
        return value

    @field_validator("when")
    @classmethod
    def _when(cls, value: str) -> str:
        from .context.calendar import parse_when  # the grammar lives with the calendar

        parse_when(value)
        return value

    @field_validator("seasons", mode="before")
    @classmethod
    def _seasons(cls, value: Any) -> Any:
        normalised = _normalise_labels(value)
        if isinstance(normalised, tuple):
            return tuple("autumn" if s == "fall" else s for s in normalised)
        return normalised

    @model_validator(mode="after")
    def _consistent(self) -> Activity:
        if self.cost_min is None and self.cost_max is not None:
            raise ValueError("cost_max is set but cost_min is not; give both or neither")
        if (
            self.cost_min is not None
            and self.cost_max is not None
            and self.cost_max < self.cost_min
        ):
            raise ValueError(f"cost_max {self.cost_max} is below cost_min {self.cost_min}")
        if self.ends_at is not None and self.starts_at is None:
            raise ValueError("ends_at is set but starts_at is not")
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValueError("ends_at is before starts_at")
        return self


class Partner(_Frozen):
    """One person of the couple: what they love, what they never want, what they tried alone."""

    name: str = Field(min_length=1)
    interests: dict[str, float] = Field(
        default_factory=dict,
        description="Tag or category -> weight (> 0 and <= 1000, relative; 1 = ordinary).",
    )
    dislikes: tuple[Tag, ...] = Field(
        default=(), description="Tags, categories or activity ids never to recommend."
    )
    tried: tuple[Tag, ...] = Field(
        default=(), description="Activity ids, tags or categories this partner did before alone."
    )
    mobility: Mobility = Field(
        default="full",
        description="'limited': nothing beyond light effort; 'wheelchair': step-free too.",
    )

    @field_validator("interests", mode="before")
    @classmethod
    def _interests(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            odd = next((v for v in value if not isinstance(v, str)), None)
            if odd is not None:
                raise ValueError(f"a list of interests holds labels (text), got {odd!r}")
            value = dict.fromkeys(value, 1.0)
        if isinstance(value, dict):
            return {normalise_label(str(k)): v for k, v in value.items()}
        return value

    @field_validator("interests")
    @classmethod
    def _bounded_weights(cls, value: dict[str, float]) -> dict[str, float]:
        for tag, weight in value.items():
            if not 0 < weight <= MAX_INTEREST_WEIGHT:
                raise ValueError(
                    f"interest {tag!r} has weight {weight}; "
                    f"expected a number > 0 and <= {MAX_INTEREST_WEIGHT:g}"
                )
        return value

    @field_validator("dislikes", "tried", mode="before")
    @classmethod
    def _labels(cls, value: Any) -> Any:
        return _normalise_labels(value)


class Outing(_Frozen):
    """One thing the couple did together: a catalog id or a free-text title, on a date."""

    activity_id: str | None = Field(default=None, description="Catalog or event id, if known.")
    title: str | None = Field(default=None, description="Free text when there is no id.")
    category: str | None = None
    tags: tuple[Tag, ...] = ()
    date: dt.date
    rating: int | None = Field(default=None, ge=1, le=5, description="1 disliked .. 5 loved.")
    cost: Money | None = None
    notes: str = ""

    _tags = field_validator("tags", mode="before")(_normalise_labels)
    _category = field_validator("category", mode="before")(_normalise_category)

    @model_validator(mode="after")
    def _identified(self) -> Outing:
        if not self.activity_id and not self.title:
            raise ValueError("an outing needs an activity_id or a title")
        return self


class Budget(_ByPosition):
    """The most the couple wants to spend on one outing, for the two of them."""

    _positions: ClassVar[tuple[str, ...]] = ("per_outing", "currency")

    per_outing: Money = Field(description="Amount for both partners together.")
    currency: Currency = "USD"
    rates: dict[Currency, Annotated[float, Field(gt=0, allow_inf_nan=False)]] = Field(
        default_factory=dict,
        description="Units of each currency per euro (the ECB's convention), overriding "
        "the bundled rates, e.g. {'USD': 1.08, 'GBP': 0.85}.",
    )


class SourceSpec(_Frozen):
    """A configured event source: its registered `type` and the options it is built with."""

    type: str = Field(min_length=1, description="A built-in or plugin name, e.g. 'ical'.")
    options: dict[str, Any] = Field(default_factory=dict)


_CLOCK = r"(?:[01]\d|2[0-3]):[0-5]\d|24:00"
#: Free time as text: "HH:MM-HH:MM" spans separated by commas; "" means not free.
FreeSpans = Annotated[str, Field(pattern=rf"^\s*(?:(?:{_CLOCK})-(?:{_CLOCK})(?:\s*,\s*|\s*$))*$")]


class FreeTime(_Frozen):
    """When the couple is free to go out, per day of the week, in local time."""

    weekdays: FreeSpans = Field(default="18:00-23:30", description="Monday to Friday.")
    weekends: FreeSpans = Field(default="05:00-24:00", description="Saturday and Sunday.")
    monday: FreeSpans | None = None
    tuesday: FreeSpans | None = None
    wednesday: FreeSpans | None = None
    thursday: FreeSpans | None = None
    friday: FreeSpans | None = None
    saturday: FreeSpans | None = None
    sunday: FreeSpans | None = None

    def spans(self, weekday: int) -> tuple[tuple[dt.time, dt.time], ...]:
        """The free spans of a weekday (Monday 0), as (start, end) local times; an end of
        24:00 is midnight at the end of the day (dt.time.max)."""
        names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        own = getattr(self, names[weekday])
        text = own if own is not None else (self.weekdays if weekday < 5 else self.weekends)
        spans = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            first, last = (
                dt.time.max if t == "24:00" else dt.time.fromisoformat(t) for t in part.split("-")
            )
            if last > first:
                spans.append((first, last))
        return tuple(spans)


class Day(_Frozen):
    """What the couple has in them today: the most energy, where, and how long."""

    energy: Energy = Field(default="high", description="The most energy they have.")
    setting: Literal["indoor", "outdoor"] | None = Field(default=None, description="Only these.")
    max_minutes: int | None = Field(default=None, gt=0, description="The longest outing.")


class Couple(_Frozen):
    """Two (or more) partners, their shared history, home and default budget."""

    name: str = Field(default="us", min_length=1, description="Key for the history database.")
    partners: tuple[Partner, ...] = Field(min_length=2)
    history: tuple[Outing, ...] = ()
    home: Location
    budget: Budget | None = None
    sources: tuple[SourceSpec, ...] = ()
    country: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{2}$",
        description="ISO 3166 alpha-2; default: the country of the home timezone (zone.tab).",
    )
    free_time: FreeTime = Field(default_factory=FreeTime)
    day: Day = Field(default_factory=Day, description="Defaults for energy, setting, minutes.")
    adventure: float | None = Field(
        default=None,
        description="The adventure dial, 0 (comfort) to 1 (bold), or comfort, balanced, bold; "
        "None: the recommender's.",
    )

    @field_validator("adventure", mode="before")
    @classmethod
    def _adventure_level(cls, value: Any) -> Any:
        if value is None:
            return None
        try:
            return adventure_level(value)
        except ArgumentError as exc:
            raise ValueError(str(exc).removeprefix("adventure: ")) from None

    @field_validator("home")
    @classmethod
    def _home_has_timezone(cls, value: Location) -> Location:
        if value.timezone is None:
            raise ValueError("home needs a timezone (an IANA name such as 'Europe/London')")
        return value

    @model_validator(mode="after")
    def _country_from_home(self) -> Couple:
        if self.country is None:
            from .context.country import country_of_timezone

            # Frozen: the default is filled in once, at validation.
            object.__setattr__(self, "country", country_of_timezone(self.home.timezone or ""))
        return self

    @field_validator("partners")
    @classmethod
    def _distinct_names(cls, value: tuple[Partner, ...]) -> tuple[Partner, ...]:
        names = [p.name for p in value]
        if len(set(names)) != len(names):
            raise ValueError(f"partner names must differ, got {names}")
        return value

    @property
    def timezone(self) -> ZoneInfo:
        """The couple's home timezone, in which 'this weekend' is computed."""
        assert self.home.timezone is not None  # guaranteed by _home_has_timezone
        return ZoneInfo(self.home.timezone)


class Window(_ByPosition):
    """A span of free time, [start, end), in aware datetimes."""

    _positions: ClassVar[tuple[str, ...]] = ("start", "end")

    start: AwareDatetime
    end: AwareDatetime
    label: str | None = Field(
        default=None, description="How it was asked for, e.g. 'this weekend'."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end <= self.start:
            raise ValueError(f"window end {self.end} is not after its start {self.start}")
        return self


class Problem(_Frozen):
    """Something that went wrong in one source without failing the whole recommendation."""

    source: str
    message: str


class Recommendation(_Frozen):
    """One idea for the couple, with its score, the numbers behind it and why it was chosen."""

    activity: Activity
    score: float
    rank: int = Field(ge=1)
    components: dict[str, float] = Field(default_factory=dict)
    reasons: tuple[str, ...] = ()
    conversation_starters: tuple[str, ...] = ()
    starts_at: AwareDatetime = Field(description="The event's start, or a suggested time.")
    ends_at: AwareDatetime
