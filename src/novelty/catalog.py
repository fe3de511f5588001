"""The activity catalog: CSV file <-> candidates DataFrame, with a validated schema."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Final, NamedTuple

import numpy as np
import pandas as pd

from .errors import CatalogError
from .labels import normalise_label
from .models import Activity, Location

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
}
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0", "")


def bundled_data(name: str) -> Path:
    """Path of a file shipped in `data/` (inside the wheel, or in a source checkout)."""
    packaged = resources.files("novelty") / "_data" / name
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "data" / name


class _Where(NamedTuple):
    """Where rows come from, for messages: a file's lines or a frame's rows."""

    path: str
    unit: str
    numbers: np.ndarray


def _fail(where: _Where, index: int, column: str, expected: str, value: object) -> CatalogError:
    place = f"{where.path}, {where.unit} {int(where.numbers[index])}"
    return CatalogError(f"{place}, column '{column}': expected {expected}, got {value!r}")


def _read_rows(text: str, path: str) -> tuple[pd.DataFrame, np.ndarray]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise CatalogError(f"{path}: the file is empty; expected a header row") from None
    except csv.Error as exc:
        raise CatalogError(f"{path}, line 1: {exc}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CatalogError(f"{path}, line 1: missing column(s) {', '.join(missing)}")
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if unknown:
        raise CatalogError(f"{path}, line 1: unknown column(s) {', '.join(unknown)}")
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for row in reader:
            if not any(field.strip() for field in row):
                continue
            if len(row) != len(header):
                raise CatalogError(
                    f"{path}, line {reader.line_num}: expected {len(header)} fields, got {len(row)}"
                )
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise CatalogError(f"{path}, line {reader.line_num}: {exc}") from None
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    for column, default in _DEFAULTS.items():
        if column not in frame:
            frame[column] = default
    return frame.map(str.strip), np.asarray(lines, dtype=np.int64)


def _check(frame: pd.DataFrame, where: _Where, column: str, ok: pd.Series, expected: str) -> None:
    bad = np.flatnonzero(~ok.to_numpy(dtype=bool))
    if bad.size:
        first = int(bad[0])
        raise _fail(where, first, column, expected, frame[column].iat[first])


def _numbers(frame: pd.DataFrame, where: _Where, column: str, *, allow_empty: bool) -> pd.Series:
    raw = frame[column]
    # Text read from a file, or numbers given by an app (NaN for none).
    empty = raw.isna() | (raw == "")
    values = pd.to_numeric(raw.mask(empty), errors="coerce").astype(float)
    ok = (values >= 0) & np.isfinite(values)
    if allow_empty:
        ok |= empty
    _check(frame, where, column, ok, "a number >= 0" + (" or empty" if allow_empty else ""))
    return values


def _each_distinct(series: pd.Series, change: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`change` applied to each distinct value once: most columns repeat a few values."""
    codes, distinct = pd.factorize(series, use_na_sentinel=False)
    changed = change(pd.Series(distinct)).to_numpy()
    return pd.Series(changed[codes], index=series.index)


def _flags(frame: pd.DataFrame, where: _Where, column: str) -> pd.Series:
    lowered = _each_distinct(frame[column], lambda values: values.str.lower())
    _check(frame, where, column, lowered.isin(_TRUE + _FALSE), "true or false")
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


def season_mask(seasons: pd.Series) -> np.ndarray:
    """Bit mask per row (spring=1, summer=2, autumn=4, winter=8); empty means all year."""
    codes, distinct = pd.factorize(seasons, use_na_sentinel=False)
    lists = pd.Series(distinct, dtype=object).astype(str)
    mask = np.zeros(len(lists), dtype=np.int8)
    for name, bit in SEASON_BITS.items():
        mask |= np.where(lists.str.contains(name, regex=False), bit, 0).astype(np.int8)
    return np.where(mask == 0, ALL_SEASONS, mask).astype(np.int8)[codes]


def parse_catalog(text: str, path: str = "<catalog>") -> pd.DataFrame:
    """Validate catalog CSV text and return the candidates frame; errors name line and column."""
    frame, lines = _read_rows(text, path)
    return finish_frame(_validated(frame, _Where(path, "line", lines)), source="catalog")


def _validated(frame: pd.DataFrame, where: _Where) -> pd.DataFrame:
    """Check every CSV column of a frame of stripped strings; return typed columns."""
    _check(frame, where, "id", frame["id"].str.match(_ID.pattern), "a kebab-case id")
    duplicated = frame["id"].duplicated()
    _check(frame, where, "id", ~duplicated, f"an id not used on an earlier {where.unit}")
    _check(frame, where, "title", frame["title"] != "", "a non-empty title")
    _check(frame, where, "category", frame["category"] != "", "a category")
    out = pd.DataFrame(index=frame.index)
    for column in ("id", "title", "description", "accessibility", "prompt"):
        out[column] = frame[column]
    out["category"] = _labels(frame["category"])
    out["tags"] = _labels(frame["tags"])
    out["cost_min"] = _numbers(frame, where, "cost_min", allow_empty=False)
    out["cost_max"] = _numbers(frame, where, "cost_max", allow_empty=False)
    _check(frame, where, "cost_max", out["cost_max"] >= out["cost_min"], "a value >= cost_min")
    currency = _each_distinct(frame["currency"], lambda values: values.str.upper())
    _check(frame, where, "currency", currency.str.fullmatch(r"[A-Z]{3}"), "an ISO 4217 code")
    out["currency"] = currency
    duration = _numbers(frame, where, "duration_minutes", allow_empty=True)
    _check(frame, where, "duration_minutes", duration.isna() | (duration > 0), "minutes > 0")
    out["duration_minutes"] = duration
    for column, choices in _CHOICES.items():
        lowered = _each_distinct(frame[column], lambda values: values.str.lower())
        _check(frame, where, column, lowered.isin(choices), " / ".join(choices))
        out[column] = lowered
    excitement = pd.to_numeric(frame["excitement"], errors="coerce")
    _check(frame, where, "excitement", excitement.isin([1, 2, 3, 4, 5]), "a whole number 1-5")
    out["excitement"] = excitement.astype(np.int8)
    out["interactive"] = _flags(frame, where, "interactive")
    out["needs_booking"] = _flags(frame, where, "needs_booking")
    seasons = _labels(frame["seasons"]).str.replace("fall", "autumn", regex=False)
    known = _each_distinct(
        seasons,
        lambda lists: lists.str.split(";").map(
            lambda names: all(n in SEASON_BITS or n == "" for n in names)
        ),
    )
    _check(frame, where, "seasons", known, "spring;summer;autumn;winter or empty")
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
    given = frame.reset_index(drop=True)
    # Numbers stay numbers: written out and parsed back they would cost a pass per row.
    text = pd.DataFrame(
        {
            c: given[c] if _is_number(given[c]) else _as_text(given[c])
            for c in CSV_COLUMNS
            if c in given
        }
    )
    for column, default in _DEFAULTS.items():
        if column not in text:
            text[column] = default
    where = _Where("catalog frame", "row", np.arange(len(given)))
    out = _validated(text, where)
    for column in EVENT_COLUMNS:
        if column in given:
            out[column] = given[column]
    for column in ("starts_at", "ends_at"):
        if column in out:
            out[column] = pd.to_datetime(out[column], utc=True)
    return finish_frame(out, source="catalog")


def load_catalog(path: str | Path | None = None) -> pd.DataFrame:
    """Load and validate a catalog CSV (the bundled one by default) as a candidates frame.

    Raises CatalogError naming the file, line and column of the first bad value.
    """
    file = Path(path) if path is not None else bundled_data("activities.csv")
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CatalogError(f"{file}: no such catalog file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{file}: cannot read the catalog ({exc})") from None
    return parse_catalog(text, str(file))


def activities_to_frame(activities: Iterable[Activity]) -> pd.DataFrame:
    """Candidates frame of Activity objects (events from sources), in the catalog's schema."""
    records: list[dict[str, Any]] = []
    for a in activities:
        loc = a.location
        records.append(
            {
                **a.model_dump(exclude={"location", "tags", "seasons"}),
                "tags": ";".join(a.tags),
                "seasons": ";".join(a.seasons),
                "lat": loc.lat if loc else np.nan,
                "lon": loc.lon if loc else np.nan,
                "venue": loc.name if loc else None,
                "address": loc.address if loc else None,
                "city": loc.city if loc else None,
            }
        )
    if not records:
        return finish_frame(pd.DataFrame(columns=list(FRAME_COLUMNS)), source="events")
    frame = pd.DataFrame.from_records(records)
    for column in ("cost_min", "cost_max", "duration_minutes", "lat", "lon"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in ("starts_at", "ends_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    frame["season_mask"] = season_mask(frame["seasons"])
    frame["excitement"] = frame["excitement"].astype(np.int8)
    return finish_frame(frame, source="events")


def _text(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _number(value: Any) -> float | None:
    number = float("nan") if value is None else float(value)
    return None if math.isnan(number) else number


def row_to_activity(row: Mapping[Any, Any]) -> Activity:
    """One candidates-frame row as an Activity (only done for the k results)."""
    lat, lon = _number(row["lat"]), _number(row["lon"])
    location = None
    if lat is not None and lon is not None:
        location = Location(
            lat=lat,
            lon=lon,
            name=_text(row["venue"]),
            address=_text(row["address"]),
            city=_text(row["city"]),
        )
    starts, ends = row["starts_at"], row["ends_at"]
    duration = _number(row["duration_minutes"])
    return Activity(
        id=str(row["id"]),
        title=str(row["title"]),
        description=str(row["description"] or ""),
        category=str(row["category"]),
        tags=str(row["tags"] or ""),
        cost_min=_number(row["cost_min"]),
        cost_max=_number(row["cost_max"]),
        currency=str(row["currency"]),
        duration_minutes=int(duration) if duration is not None else None,
        setting=row["setting"],
        energy=row["energy"],
        excitement=int(row["excitement"]),
        interactive=bool(row["interactive"]),
        seasons=str(row["seasons"] or ""),
        time_of_day=row["time_of_day"],
        needs_booking=bool(row["needs_booking"]),
        accessibility=str(row["accessibility"] or ""),
        prompt=str(row["prompt"] or ""),
        location=location,
        starts_at=None if pd.isna(starts) else starts.to_pydatetime(),
        ends_at=None if pd.isna(ends) else ends.to_pydatetime(),
        url=_text(row["url"]),
        source=str(row["source"]),
        online=bool(row["online"]),
    )
