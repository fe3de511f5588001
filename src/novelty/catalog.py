"""The activity catalog: CSV file <-> candidates DataFrame, with a validated schema."""

from __future__ import annotations

import csv
import io
import logging
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, NamedTuple, cast

import numpy as np
import pandas as pd

from .context.calendar import parse_when
from .context.weather import needs_bits
from .errors import ArgumentError, CatalogError

# bundled_data is re-exported: the scoring modules find their data files through this module.
from .files import CATALOG_LIMIT, read_text_file
from .files import bundled_data as bundled_data
from .labels import normalise_label
from .models import Activity, Location, Season, WeatherNeed

_log = logging.getLogger(__name__)

#: Columns of a catalog CSV file, in order. Required ones must be present in the header.
CSV_COLUMNS: Final = (
    "id",
    "title",
    "description",
    "category",
    "tags",
    "cost_min",
    "cost_max",
    "currency",
    "duration_minutes",
    "setting",
    "energy",
    "excitement",
    "interactive",
    "seasons",
    "time_of_day",
    "needs_booking",
    "accessibility",
    "prompt",
    "when",
    "countries",
    "weather",
    "demand",
    "step_free",
    "same_day_booking",
)
REQUIRED_COLUMNS: Final = ("id", "title", "category", "tags", "cost_min", "cost_max")

#: Extra columns of the candidates frame (events carry them; catalog rows leave them empty).
EVENT_COLUMNS: Final = (
    "lat",
    "lon",
    "venue",
    "address",
    "city",
    "starts_at",
    "ends_at",
    "url",
    "source",
    "online",
)
FRAME_COLUMNS: Final = (*CSV_COLUMNS, "season_mask", *EVENT_COLUMNS)

SEASON_BITS: Final = {"spring": 1, "summer": 2, "autumn": 4, "winter": 8}
ALL_SEASONS: Final = 15

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CHOICES: Final = {
    "setting": ("indoor", "outdoor", "either"),
    "energy": ("low", "medium", "high"),
    "time_of_day": ("morning", "afternoon", "evening", "any"),
    "demand": ("none", "light", "moderate", "strenuous"),
}
_DEFAULTS: Final[dict[str, str]] = {
    "description": "",
    "currency": "USD",
    "duration_minutes": "",
    "setting": "either",
    "energy": "medium",
    "excitement": "3",
    "interactive": "false",
    "seasons": "",
    "time_of_day": "any",
    "needs_booking": "false",
    "accessibility": "",
    "prompt": "",
    # Context columns: empty (or their default) means no constraint.
    "when": "",
    "countries": "",
    "weather": "",
    "demand": "none",
    "step_free": "true",
    "same_day_booking": "false",
}
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0", "")


#: Longest duration of an idea, as the Activity model allows (two weeks).
MAX_DURATION_MINUTES: Final = 60 * 24 * 14
#: Longest tag or category, as the Activity model allows.
MAX_LABEL_LENGTH: Final = 80
#: Problems `check_catalog` lists by default; the rest are counted.
PROBLEM_LIMIT: Final = 50
_NUMERIC: Final = ("cost_min", "cost_max", "duration_minutes", "excitement")


class _Where(NamedTuple):
    """Where rows come from, for messages: a file's lines or a frame's rows."""

    path: str
    unit: str
    numbers: np.ndarray


class CatalogCheck(NamedTuple):
    """What checking a catalog found: its candidates frame, or the problems that stop it."""

    frame: pd.DataFrame | None
    #: One line each, naming the file, line and column, in the order of the lines.
    problems: tuple[str, ...]
    #: How many problems there are; only the first `limit` are listed in `problems`.
    total: int

    def error(self) -> CatalogError:
        """The first problem as an error, with how many more there are."""
        more = self.total - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        return CatalogError(self.problems[0] + suffix)


class _Problems:
    """The problems of one catalog: every bad row of every check is counted, and the
    first `limit` by line are kept (each check keeps its own first `limit`, so together
    they hold the first `limit` of all)."""

    def __init__(self, path: str, limit: int) -> None:
        self.path = path
        self.limit = limit
        self.found: list[tuple[int, str]] = []
        self.total = 0

    def add(self, number: int, message: str) -> None:
        self.total += 1
        self.found.append((number, message))

    def check(
        self, frame: pd.DataFrame, where: _Where, column: str, ok: pd.Series, expected: str
    ) -> None:
        bad = np.flatnonzero(~ok.to_numpy(dtype=bool, na_value=False))
        self.total += bad.size
        for index in bad[: self.limit]:
            number = int(where.numbers[index])
            value = frame[column].iat[index]
            self.found.append(
                (
                    number,
                    f"{where.path}, {where.unit} {number}, column '{column}': "
                    f"expected {expected}, got {value!r}",
                )
            )

    def result(self) -> CatalogCheck:
        listed = sorted(self.found, key=lambda found: found[0])[: self.limit]
        return CatalogCheck(None, tuple(message for _, message in listed), self.total)


def _header(row: list[str], problems: _Problems) -> list[str]:
    header = [h.strip() for h in row]
    place = f"{problems.path}, line 1"
    blank = [str(number) for number, name in enumerate(header, start=1) if not name]
    if blank:
        problems.add(1, f"{place}: column {', '.join(blank)} has no name")
    twice = [name for name in dict.fromkeys(header) if name and header.count(name) > 1]
    if twice:
        problems.add(1, f"{place}: column(s) {', '.join(twice)} appear more than once")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        problems.add(1, f"{place}: missing column(s) {', '.join(missing)}")
    unknown = [c for c in dict.fromkeys(header) if c and c not in CSV_COLUMNS]
    if unknown:
        problems.add(1, f"{place}: unknown column(s) {', '.join(unknown)}")
    return header


def _read_rows(text: str, problems: _Problems) -> tuple[pd.DataFrame, np.ndarray] | None:
    """The rows of a CSV text as stripped strings and their line numbers; None when the
    header is unusable. Rows with the wrong number of fields are reported and left out."""
    path = problems.path
    reader = csv.reader(io.StringIO(text))
    try:
        header = _header(next(reader), problems)
    except StopIteration:
        problems.add(1, f"{path}: the file is empty; expected a header row")
        return None
    except csv.Error as exc:
        problems.add(1, f"{path}, line 1: {exc}")
        return None
    if problems.total:
        return None
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for row in reader:
            if not any(field.strip() for field in row):
                continue
            if len(row) != len(header):
                line = reader.line_num
                problems.add(
                    line, f"{path}, line {line}: expected {len(header)} fields, got {len(row)}"
                )
                continue
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as exc:
        # The reader cannot go on past a broken quote or an overlong field.
        problems.add(reader.line_num, f"{path}, line {reader.line_num}: {exc}")
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    for column, default in _DEFAULTS.items():
        if column not in frame:
            frame[column] = default
    return frame.map(str.strip), np.asarray(lines, dtype=np.int64)


def _numbers(
    frame: pd.DataFrame, where: _Where, problems: _Problems, column: str, *, allow_empty: bool
) -> pd.Series:
    """A column as numbers >= 0; a bad value is reported and becomes NaN, so that checks
    which use the number do not report the same value again."""
    raw = frame[column]
    # Text read from a file, or numbers given by an app (NaN for none).
    empty = raw.isna() | (raw == "")
    values = pd.to_numeric(raw.mask(empty), errors="coerce").astype(float)
    ok = (values >= 0) & np.isfinite(values)
    if allow_empty:
        ok |= empty
    expected = "a number >= 0" + (" or empty" if allow_empty else "")
    problems.check(frame, where, column, ok, expected)
    return values.where(ok & ~empty)


def _each_distinct(series: pd.Series, change: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`change` applied to each distinct value once: most columns repeat a few values."""
    codes, distinct = pd.factorize(series, use_na_sentinel=False)
    changed = change(pd.Series(distinct)).to_numpy()
    return pd.Series(changed[codes], index=series.index)


def _accepted_by(parse: Callable[[str], object]) -> Callable[[str], bool]:
    """Whether a cell's text parses (`parse` raises ValueError when it does not)."""

    def accepted(text: str) -> bool:
        try:
            parse(text)
        except ValueError:
            return False
        return True

    return accepted


def _flags(frame: pd.DataFrame, where: _Where, problems: _Problems, column: str) -> pd.Series:
    lowered = _each_distinct(frame[column], lambda values: values.str.lower())
    problems.check(frame, where, column, lowered.isin(_TRUE + _FALSE), "true or false")
    return lowered.isin(_TRUE)


#: A label list that normalising would leave as it is.
_NORMAL_LABELS = r"(?:[a-z0-9-]+(?:;[a-z0-9-]+)*)?"


def _normalised(lists: pd.Series) -> pd.Series:
    fix = ~lists.str.fullmatch(_NORMAL_LABELS).astype(bool)
    lists = lists.copy()
    lists[fix] = [
        ";".join(dict.fromkeys(filter(None, map(normalise_label, str(value).split(";")))))
        for value in lists[fix]
    ]
    return lists


def _labels(series: pd.Series) -> pd.Series:
    """Semicolon lists, normalised like the models do: lower-case, kebab-case, no blanks."""
    return _each_distinct(series, _normalised)


def _short_labels(lists: pd.Series) -> pd.Series:
    return _each_distinct(
        lists,
        lambda distinct: distinct.str.split(";").map(
            lambda names: max(map(len, names)) <= MAX_LABEL_LENGTH
        ),
    )


def season_mask(seasons: pd.Series) -> np.ndarray:
    """Bit mask per row (spring=1, summer=2, autumn=4, winter=8); empty means all year."""
    codes, distinct = pd.factorize(seasons, use_na_sentinel=False)
    lists = pd.Series(distinct, dtype=object).astype(str)
    mask = np.zeros(len(lists), dtype=np.int8)
    for name, bit in SEASON_BITS.items():
        mask |= np.where(lists.str.contains(name, regex=False), bit, 0).astype(np.int8)
    return np.where(mask == 0, ALL_SEASONS, mask).astype(np.int8)[codes]


def check_catalog(
    text: str, path: str = "<catalog>", *, limit: int = PROBLEM_LIMIT
) -> CatalogCheck:
    """Check catalog CSV text: the candidates frame, or every problem (the first `limit`
    listed) naming the file, line and column. These are all the checks a catalog gets."""
    problems = _Problems(path, limit)
    read = _read_rows(text, problems)
    if read is None:
        return problems.result()
    frame, lines = read
    checked = _validated(frame, _Where(path, "line", lines), problems)
    _log.info("checked catalog %s: %d rows, %d problem(s)", path, len(frame), problems.total)
    if problems.total:
        return problems.result()
    return CatalogCheck(finish_frame(checked, source="catalog"), (), 0)


def parse_catalog(text: str, path: str = "<catalog>") -> pd.DataFrame:
    """Validate catalog CSV text and return the candidates frame; errors name line and column."""
    checked = check_catalog(text, path, limit=1)
    if checked.frame is None:
        raise checked.error()
    return checked.frame


def _validated(frame: pd.DataFrame, where: _Where, problems: _Problems) -> pd.DataFrame:
    """Check every CSV column of a frame of stripped strings; return typed columns.

    Every check runs even after one fails, so that all problems are found in one pass.
    """

    def check(column: str, ok: pd.Series, expected: str) -> None:
        problems.check(frame, where, column, ok, expected)

    well_formed = frame["id"].str.match(_ID.pattern).astype(bool)
    check("id", well_formed, "a kebab-case id")
    check(
        "id",
        ~(frame["id"].duplicated() & well_formed),
        f"an id not used on an earlier {where.unit}",
    )
    check("title", frame["title"] != "", "a non-empty title")
    check("category", frame["category"] != "", "a category")
    out = pd.DataFrame(index=frame.index)
    for column in ("id", "title", "description", "accessibility", "prompt"):
        out[column] = frame[column]
    out["category"] = _labels(frame["category"])
    check(
        "category",
        out["category"].str.len() <= MAX_LABEL_LENGTH,
        f"at most {MAX_LABEL_LENGTH} characters",
    )
    out["tags"] = _labels(frame["tags"])
    check("tags", _short_labels(out["tags"]), f"tags of at most {MAX_LABEL_LENGTH} characters")
    out["cost_min"] = _numbers(frame, where, problems, "cost_min", allow_empty=False)
    out["cost_max"] = _numbers(frame, where, problems, "cost_max", allow_empty=False)
    unordered = out["cost_max"] < out["cost_min"]
    check("cost_max", ~unordered, "a value >= cost_min")
    currency = _each_distinct(frame["currency"], lambda values: values.str.upper())
    check("currency", currency.str.fullmatch(r"[A-Z]{3}").astype(bool), "an ISO 4217 code")
    out["currency"] = currency
    duration = _numbers(frame, where, problems, "duration_minutes", allow_empty=True)
    whole = (duration % 1 == 0) & (duration >= 1) & (duration <= MAX_DURATION_MINUTES)
    check(
        "duration_minutes",
        duration.isna() | whole,
        f"whole minutes from 1 to {MAX_DURATION_MINUTES}",
    )
    out["duration_minutes"] = duration
    for column, choices in _CHOICES.items():
        lowered = _each_distinct(frame[column], lambda values: values.str.lower())
        check(column, lowered.isin(choices), " / ".join(choices))
        out[column] = lowered
    excitement = pd.to_numeric(frame["excitement"], errors="coerce")
    in_scale = excitement.isin([1, 2, 3, 4, 5])
    check("excitement", in_scale, "a whole number 1-5")
    out["excitement"] = excitement.where(in_scale, 3).astype(np.int8)
    out["interactive"] = _flags(frame, where, problems, "interactive")
    out["needs_booking"] = _flags(frame, where, problems, "needs_booking")
    out["step_free"] = _flags(frame, where, problems, "step_free")
    out["same_day_booking"] = _flags(frame, where, problems, "same_day_booking")
    out["when"] = frame["when"]
    check(
        "when",
        _each_distinct(frame["when"], lambda rules: rules.map(_accepted_by(parse_when))),
        "a rule of docs/when-where.md, e.g. '12-31', 'first friday', 'sunset'",
    )
    countries = _each_distinct(
        frame["countries"], lambda lists: lists.str.upper().str.replace(" ", "")
    )
    check("countries", countries.str.fullmatch(r"(?:[A-Z]{2}(?:;[A-Z]{2})*)?").astype(bool),
          "ISO 3166 alpha-2 codes separated by ';', e.g. US;CA")  # fmt: skip
    out["countries"] = countries
    weather = _each_distinct(frame["weather"], lambda lists: lists.str.lower().str.replace(" ", ""))
    check("weather", _each_distinct(weather, lambda lists: lists.map(_accepted_by(needs_bits))),
          "needs separated by ';' from dry, warm, mild, snow, clear, calm, rain")  # fmt: skip
    out["weather"] = weather
    seasons = _labels(frame["seasons"]).str.replace("fall", "autumn", regex=False)
    known = _each_distinct(
        seasons,
        lambda lists: lists.str.split(";").map(
            lambda names: all(n in SEASON_BITS or n == "" for n in names)
        ),
    )
    check("seasons", known, "spring;summer;autumn;winter or empty")
    out["seasons"] = seasons
    out["season_mask"] = season_mask(seasons)
    return out


def finish_frame(frame: pd.DataFrame, *, source: str) -> pd.DataFrame:
    """Add the event columns a catalog lacks, so every candidates frame has one schema.

    Adds them to `frame` itself (callers pass a frame they made): a copy of a million rows
    would cost a pointer per cell.
    """
    for column in ("lat", "lon"):
        if column not in frame:
            frame[column] = np.nan
    for column in ("venue", "address", "city", "url"):
        if column not in frame:
            frame[column] = None
    for column in ("starts_at", "ends_at"):
        if column not in frame:
            frame[column] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    if "source" not in frame:
        frame["source"] = source
    if "online" not in frame:
        frame["online"] = False
    return frame.loc[:, list(FRAME_COLUMNS)].reset_index(drop=True)


def _as_text(column: pd.Series) -> pd.Series:
    """A column as stripped strings, missing values as "", as if read from a CSV file.

    Each distinct value is converted once: most columns repeat a few values.
    """
    codes, distinct = pd.factorize(column)
    text = pd.Series(distinct, dtype=object).astype(str).str.strip().to_numpy(dtype=object)
    # Code -1 (a missing value) reads the appended "".
    return pd.Series(np.append(text, "")[codes], index=column.index, dtype=object)


def _is_number(column: pd.Series) -> bool:
    dtype = column.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def as_candidates(frame: pd.DataFrame) -> pd.DataFrame:
    """Check a ready-made candidates frame (e.g. built by an app) and complete its schema.

    Its catalog columns get the same checks as a CSV file; errors name the row and column.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in frame]
    if missing:
        raise CatalogError(f"catalog frame: missing column(s) {', '.join(missing)}")
    given = frame.loc[:, ~frame.columns.duplicated()].reset_index(drop=True)
    # Numbers stay numbers: written out and parsed back they would cost a pass per row.
    text = pd.DataFrame(
        {
            c: given[c] if c in _NUMERIC and _is_number(given[c]) else _as_text(given[c])
            for c in CSV_COLUMNS
            if c in given
        }
    )
    for column, default in _DEFAULTS.items():
        if column not in text:
            text[column] = default
    where = _Where("catalog frame", "row", np.arange(len(given)))
    problems = _Problems(where.path, limit=1)
    out = _validated(text, where, problems)
    if problems.total:
        raise problems.result().error()
    for column in EVENT_COLUMNS:
        if column in given:
            out[column] = given[column]
    for column in ("starts_at", "ends_at"):
        if column in out:
            out[column] = pd.to_datetime(out[column], utc=True)
    return finish_frame(out, source="catalog")


def load_catalog(path: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Load and validate a catalog CSV (the bundled one by default), or validate a
    DataFrame of catalog rows, as a candidates frame.

    Raises CatalogError naming the file (or frame), line and column of the first problem
    (and how many more there are; `check_catalog` lists them).
    """
    if isinstance(path, pd.DataFrame):
        return as_candidates(path)
    return parse_catalog(read_catalog_file(path), str(_catalog_path(path)))


def _catalog_path(path: str | Path | None) -> Path:
    if path is None:
        return bundled_data("activities.csv")
    if not isinstance(path, str | os.PathLike):
        raise ArgumentError(f"catalog: expected a catalog file's path, got {type(path).__name__}")
    return Path(path)


def read_catalog_file(path: str | Path | None = None) -> str:
    """The text of a catalog file (the bundled one by default): a regular file within the
    size cap, else CatalogError naming it."""
    return read_text_file(
        _catalog_path(path), limit=CATALOG_LIMIT, what="catalog", error=CatalogError
    )


def activity_columns(activities: Sequence[Activity]) -> dict[str, Any]:
    """Activity objects (events from sources) as the columns of a candidates frame, in its
    schema and dtypes. Built as arrays, not a DataFrame: a call with new events indexes
    them, and a frame costs far more than its few rows."""

    def column(values: list[Any], dtype: Any = object) -> np.ndarray:
        return np.array(values, dtype=dtype)

    places = [a.location for a in activities]
    seasons = [";".join(a.seasons) for a in activities]
    masks = [sum(SEASON_BITS[s] for s in a.seasons) or ALL_SEASONS for a in activities]
    columns: dict[str, Any] = {
        name: column([getattr(a, name) for a in activities])
        for name in ("id", "title", "description", "category", "currency", "setting",
                     "energy", "time_of_day", "accessibility", "prompt", "url", "source",
                     "when", "demand")
    }  # fmt: skip
    columns |= {
        "tags": column([";".join(a.tags) for a in activities]),
        "seasons": column(seasons),
        "season_mask": column(masks, np.int8),
        "excitement": column([a.excitement for a in activities], np.int8),
        "interactive": column([a.interactive for a in activities], bool),
        "needs_booking": column([a.needs_booking for a in activities], bool),
        "same_day_booking": column([a.same_day_booking for a in activities], bool),
        "step_free": column([a.step_free for a in activities], bool),
        "countries": column([";".join(a.countries) for a in activities]),
        "weather": column([";".join(a.weather) for a in activities]),
        "online": column([a.online for a in activities], bool),
        "venue": column([p.name if p else None for p in places]),
        "address": column([p.address if p else None for p in places]),
        "city": column([p.city if p else None for p in places]),
    }
    for name in ("cost_min", "cost_max", "duration_minutes"):
        columns[name] = column([getattr(a, name) for a in activities], float)
    columns["lat"] = column([p.lat if p else None for p in places], float)
    columns["lon"] = column([p.lon if p else None for p in places], float)
    for name in ("starts_at", "ends_at"):
        columns[name] = pd.array(pd.DatetimeIndex([getattr(a, name) for a in activities], tz="UTC"))
    return {name: columns[name] for name in FRAME_COLUMNS}


def _cell_text(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _number(value: Any) -> float | None:
    number = float("nan") if value is None else float(value)
    return None if math.isnan(number) else number


def _parts(value: object) -> tuple[str, ...]:
    """A ';'-separated cell as its parts (the catalog stores them normalised)."""
    return tuple(filter(None, str(value or "").split(";")))


def row_to_activity(cells: Mapping[str, Any], at: int) -> Activity:
    """Row `at` of a candidates frame's columns (`cells`) as an Activity (only done for
    the k results).

    The row's values were checked when the catalog was loaded, or come from a validated
    Activity (events), with the model's own rules: the Activity is put together without
    validating them a second time.
    """
    lat, lon = _number(cells["lat"][at]), _number(cells["lon"][at])
    location = None
    if lat is not None and lon is not None:
        location = Location.model_construct(
            lat=lat,
            lon=lon,
            name=_cell_text(cells["venue"][at]),
            address=_cell_text(cells["address"][at]),
            city=_cell_text(cells["city"][at]),
            timezone=None,
        )
    starts, ends = cells["starts_at"][at], cells["ends_at"][at]
    duration = _number(cells["duration_minutes"][at])
    return Activity.model_construct(
        id=str(cells["id"][at]),
        title=str(cells["title"][at]),
        description=str(cells["description"][at] or ""),
        category=str(cells["category"][at]),
        tags=_parts(cells["tags"][at]),
        cost_min=_number(cells["cost_min"][at]),
        cost_max=_number(cells["cost_max"][at]),
        currency=str(cells["currency"][at]),
        duration_minutes=int(duration) if duration is not None else None,
        setting=cells["setting"][at],
        energy=cells["energy"][at],
        excitement=int(cells["excitement"][at]),
        interactive=bool(cells["interactive"][at]),
        seasons=cast("tuple[Season, ...]", _parts(cells["seasons"][at])),
        time_of_day=cells["time_of_day"][at],
        needs_booking=bool(cells["needs_booking"][at]),
        same_day_booking=bool(cells["same_day_booking"][at]),
        accessibility=str(cells["accessibility"][at] or ""),
        demand=cells["demand"][at],
        step_free=bool(cells["step_free"][at]),
        when=str(cells["when"][at] or ""),
        countries=_parts(cells["countries"][at]),
        weather=cast("tuple[WeatherNeed, ...]", _parts(cells["weather"][at])),
        prompt=str(cells["prompt"][at] or ""),
        location=location,
        starts_at=None if pd.isna(starts) else starts.to_pydatetime(),
        ends_at=None if pd.isna(ends) else ends.to_pydatetime(),
        url=_cell_text(cells["url"][at]),
        source=str(cells["source"][at]),
        online=bool(cells["online"][at]),
    )
