"""HistoryStore: the outings a couple logged, kept in a SQLite file (stdlib sqlite3)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import numbers
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import AwareDatetime, Field, ValidationError

from .errors import ArgumentError, HistoryError
from .models import Couple, Outing
from .profile import describe_validation_error
from .windows import FIRST_YEAR, LAST_YEAR

#: Version of the table layout; a newer file is refused rather than misread.
#: 1: tags semicolon-separated; 2: tags a JSON array (a tag may contain ';').
SCHEMA_VERSION = 2

_COLUMNS = (
    "id", "couple", "activity_id", "title", "category", "tags", "date", "rating", "cost",
    "notes", "logged_at",
)  # fmt: skip

#: The columns an outing is read from.
_READ = tuple(c for c in _COLUMNS if c != "couple")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    couple      TEXT NOT NULL,
    activity_id TEXT,
    title       TEXT,
    category    TEXT,
    tags        TEXT NOT NULL DEFAULT '[]',
    date        TEXT NOT NULL,
    rating      INTEGER CHECK (rating BETWEEN 1 AND 5),
    cost        REAL CHECK (cost >= 0),
    notes       TEXT NOT NULL DEFAULT '',
    logged_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outings_by_couple ON outings (couple, date);
"""

#: The latest timezone on Earth: by default a date is "in the future" only once it is
#: tomorrow everywhere, so a couple logging tonight is never refused by a server's clock.
_LATEST_ZONE = dt.timezone(dt.timedelta(hours=14))


class LoggedOuting(Outing):
    """An outing as stored: the outing, its id in the database and when it was logged."""

    id: int = Field(description="The outing's id in the history database.")
    logged_at: AwareDatetime = Field(description="When it was recorded (UTC).")

    def outing(self) -> Outing:
        """The outing without its storage details."""
        return Outing.model_validate(self.model_dump(exclude={"id", "logged_at"}))


#: The ids SQLite can give a row (signed 64-bit); any other whole number is no outing's id.
_ROW_IDS = range(-(2**63), 2**63)


def _got(value: object) -> str:
    """A value as an error message shows it: its repr, or its type when that is long."""
    text = repr(value)
    return text if len(text) <= 60 and "\n" not in text else f"a {type(value).__name__}"


def _key(couple: Couple | str) -> str:
    """The name a couple's outings are stored under."""
    if isinstance(couple, Couple):
        return couple.name
    # A Couple's name is stripped and never empty, so a blank string names no couple.
    if not isinstance(couple, str) or not couple.strip():
        raise ArgumentError(
            f"couple: expected a Couple or its name (a non-blank string), got {_got(couple)}"
        )
    try:
        couple.encode()
    except UnicodeEncodeError:
        raise ArgumentError(
            f"couple: {couple!r} cannot be stored (a lone surrogate); expected plain text"
        ) from None
    return couple


def _today(couple: Couple | str, today: dt.date | None) -> dt.date:
    if today is not None:
        # A datetime is a date too, but cannot be compared with the outings' dates.
        if not isinstance(today, dt.date) or isinstance(today, dt.datetime):
            raise ArgumentError(f"today: expected a datetime.date, got {_got(today)}")
        return today
    zone = couple.timezone if isinstance(couple, Couple) else _LATEST_ZONE
    return dt.datetime.now(zone).date()


def _again(again: bool) -> bool:
    if not isinstance(again, bool):
        raise ArgumentError(f"again: expected True or False, got {_got(again)}")
    return again


def _outing_id(outing_id: int) -> int:
    # numbers.Integral: an id read from a DataFrame of logged outings is a numpy integer.
    if isinstance(outing_id, bool) or not isinstance(outing_id, numbers.Integral):
        raise ArgumentError(
            f"outing_id: expected a whole number (an id from logged_outings), got {_got(outing_id)}"
        )
    return int(outing_id)


def _path(path: str | os.PathLike[str]) -> Path:
    """A file path given as a str or os.PathLike, refused (ArgumentError) when it is none."""
    text = os.fspath(path) if isinstance(path, os.PathLike) else path
    if not isinstance(text, str) or not text:
        raise ArgumentError(
            f"path: expected a file path (a non-empty str or os.PathLike), got {_got(path)}"
        )
    if "\0" in text:
        raise ArgumentError(f"path: {text!r} contains a NUL character; expected a file path")
    return Path(text)


def _same(a: Outing, b: Outing) -> bool:
    """The same outing: one day, and the same catalog id (or, without ids, the same title)."""
    if a.date != b.date:
        return False
    if a.activity_id or b.activity_id:
        return a.activity_id == b.activity_id
    return (a.title or "").casefold() == (b.title or "").casefold()


def _label(outing: Outing) -> str:
    return outing.activity_id or repr(outing.title)


class HistoryStore:
    """Outings per couple in one SQLite file; every write is one transaction.

    Safe with several processes writing at once: writers wait (up to `timeout` seconds)
    for each other instead of failing, and WAL mode lets readers carry on meanwhile.
    A file that is refused (not a database, not a novelty history, a newer version, a
    malformed row) is never written to.
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0) -> None:
        self.path = _path(path)
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, numbers.Real)
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise ArgumentError(f"timeout: expected a number of seconds > 0, got {_got(timeout)}")
        self.timeout: float = float(timeout)

    def _fail(self, message: str) -> HistoryError:
        return HistoryError(f"{self.path}: {message}")

    @contextmanager
    def _connect(self, *, write: bool) -> Iterator[tuple[sqlite3.Connection, int | None]]:
        """A connection inside a transaction, and the file's schema version (None for a
        file with no tables yet; a write creates them at the current version)."""
        if self.path.exists() and not self.path.is_file():
            raise self._fail("not a file; expected a history database")
        try:
            if write:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise self._fail(f"cannot open the history database ({exc})") from None
        try:
            # Checked in a read-only transaction first: a refused file is left untouched.
            connection.execute("BEGIN")
            version = self._version(connection)
            connection.execute("COMMIT")
            if write:
                if version is None:
                    # A new file is made a WAL database once; an existing one keeps its mode,
                    # so that a write refused for a bad row leaves its bytes as they were.
                    self._use_wal(connection)
                connection.execute("BEGIN IMMEDIATE")
                version = self._upgrade(connection, self._version(connection))
            else:
                connection.execute("BEGIN")
            yield connection, version
            connection.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise self._fail(str(exc)) from None
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        finally:
            connection.close()

    def _use_wal(self, connection: sqlite3.Connection) -> None:
        """Put the database in WAL mode (a lasting property of the file, so only its first
        opening converts it). The conversion needs the file to itself and SQLite does not
        wait for that as it waits for locks: when two processes create the database at
        once, one is refused at once ("database is locked"). Retry until `timeout`."""
        deadline = time.monotonic() + self.timeout
        while connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            if time.monotonic() > deadline:
                return  # still correct in the old mode, writers just block readers
            try:
                connection.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
            time.sleep(0.01)

    def _version(self, connection: sqlite3.Connection) -> int | None:
        """The file's schema version, after checking that it is a history this novelty
        can read; None when it has none of the history's tables yet. Reads only."""
        tables = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if not tables:
            return None
        if not {"meta", "outings"} <= tables:
            raise self._fail("not a novelty history database (expected tables meta and outings)")
        columns = {row[1] for row in connection.execute("PRAGMA table_info(outings)")}
        if missing := sorted(set(_COLUMNS) - columns):
            raise self._fail(f"the outings table lacks column(s) {', '.join(missing)}")
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            raise self._fail("no schema_version in its meta table")
        try:
            version = int(row[0])
        except (TypeError, ValueError):
            raise self._fail(
                f"schema_version {row[0]!r} is not a whole number; expected 1..{SCHEMA_VERSION}"
            ) from None
        if version > SCHEMA_VERSION:
            raise self._fail(
                f"schema version {version} is newer than this novelty understands "
                f"({SCHEMA_VERSION}); upgrade novelty"
            )
        if version < 1:
            raise self._fail(f"schema_version {version} is not a version novelty ever wrote")
        return version

    def _upgrade(self, connection: sqlite3.Connection, version: int | None) -> int:
        """Create the tables in a new file, or bring an older file's rows to the current
        layout (inside the caller's write transaction)."""
        if version is None:
            # executescript() would commit the open transaction, so one statement at a time.
            for statement in filter(str.strip, _SCHEMA.split(";")):
                connection.execute(statement)
            connection.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
            return SCHEMA_VERSION
        if version == 1:
            rows = connection.execute("SELECT id, tags FROM outings").fetchall()
            connection.executemany(
                "UPDATE outings SET tags = ? WHERE id = ?",
                [(json.dumps(_tags_of(tags, 1)), rowid) for rowid, tags in rows],
            )
            connection.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
            )
        return SCHEMA_VERSION

    def _rows(
        self, connection: sqlite3.Connection, version: int | None, where: str, *args: object
    ) -> list[LoggedOuting]:
        if version is None:
            return []
        rows = connection.execute(
            f"SELECT {', '.join(_READ)} FROM outings WHERE {where}", args
        ).fetchall()
        return [self._outing(dict(zip(_READ, row, strict=True)), version) for row in rows]

    def _outing(self, row: dict[str, Any], version: int) -> LoggedOuting:
        try:
            row["tags"] = _tags_of(row["tags"], version)
        except ValueError as exc:
            raise self._fail(f"outing {row['id']}: tags: {exc}") from None
        try:
            return LoggedOuting.model_validate(row)
        except ValidationError as exc:
            raise self._fail(
                describe_validation_error(exc, prefix=f"outing {row['id']} is malformed")
            ) from None

    def add(
        self,
        outing: Outing | Mapping[str, Any],
        *,
        couple: Couple | str,
        again: bool = False,
        today: dt.date | None = None,
    ) -> int:
        """Record one outing for a couple; returns its id. See `add_many`."""
        if not isinstance(outing, Outing | Mapping):
            raise ArgumentError(
                f"outing: expected an Outing or a dict of its fields, got {_got(outing)}"
            )
        return self.add_many([outing], couple=couple, again=again, today=today)[0]

    def add_many(
        self,
        outings: Iterable[Outing | Mapping[str, Any]],
        *,
        couple: Couple | str,
        again: bool = False,
        today: dt.date | None = None,
    ) -> list[int]:
        """Record several outings in one transaction: all of them or none; returns their ids.

        An outing is an `Outing` or its fields as a dict. Refused (HistoryError): a dict
        that is not a valid outing (the message names the field), an outing dated after
        `today` (default: the couple's today, or for a couple given by name, today anywhere
        on Earth) or before the year 1900, and the same outing (same day and id, or title)
        twice unless `again=True`. Arguments of the wrong type raise ArgumentError.
        """
        key, again = _key(couple), _again(again)
        # A single outing is iterable too (a model yields its fields, a dict its keys).
        if isinstance(outings, Outing | Mapping | str | bytes) or not isinstance(outings, Iterable):
            raise ArgumentError(
                "outings: expected a list of outings (each an Outing or a dict of its fields), "
                f"got {_got(outings)}"
            )
        checked = [self._valid(number, o) for number, o in enumerate(outings, start=1)]
        last_day = _today(couple, today)
        for outing in checked:
            if outing.date > last_day:
                raise self._fail(
                    f"outing {_label(outing)} is dated {outing.date}, after today ({last_day}); "
                    "log outings once they have happened"
                )
            self._check_year(outing, f"outing {_label(outing)}")
        logged = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._connect(write=True) as (connection, version):
            if not again:
                self._refuse_repeats(connection, version, checked, key)
            return [
                int(
                    connection.execute(
                        "INSERT INTO outings (couple, activity_id, title, category, tags, date,"
                        " rating, cost, notes, logged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (key, *_values(o), logged),
                    ).lastrowid
                    or 0
                )
                for o in checked
            ]

    def _check_year(self, outing: Outing, what: str) -> None:
        """Refuse a date outside the years the rest of the library works in (see windows)."""
        if not FIRST_YEAR <= outing.date.year <= LAST_YEAR:
            raise self._fail(
                f"{what} is dated {outing.date}, out of range; "
                f"expected a date in the years {FIRST_YEAR} to {LAST_YEAR}"
            )

    def _valid(self, number: int, outing: Outing | Mapping[str, Any]) -> Outing:
        if isinstance(outing, Outing):
            return outing
        if not isinstance(outing, Mapping):
            raise ArgumentError(
                f"outings: item {number}: expected an Outing or a dict of its fields, "
                f"got {_got(outing)}"
            )
        try:
            return Outing.model_validate(outing)
        except ValidationError as exc:
            raise self._fail(describe_validation_error(exc, prefix=f"outing {number}")) from None

    def _refuse_repeats(
        self,
        connection: sqlite3.Connection,
        version: int | None,
        outings: Sequence[Outing],
        couple: str,
        *,
        besides: int | None = None,
    ) -> None:
        days = sorted({o.date.isoformat() for o in outings})
        stored = self._rows(
            connection,
            version,
            f"couple = ? AND date IN ({', '.join('?' * len(days))}) AND id IS NOT ?",
            couple,
            *days,
            besides,
        )
        seen: list[Outing] = list(stored)
        for outing in outings:
            if any(_same(outing, other) for other in seen):
                raise self._fail(
                    f"{_label(outing)} is already logged on {outing.date} for {couple}; "
                    "pass again=True (novelty log --again) to log it twice"
                )
            seen.append(outing)

    def outings(self, *, couple: Couple | str) -> tuple[Outing, ...]:
        """The couple's outings, oldest first; none if the database does not exist yet."""
        return tuple(logged.outing() for logged in self.logged_outings(couple=couple))

    def logged_outings(self, *, couple: Couple | str) -> tuple[LoggedOuting, ...]:
        """The couple's outings with their ids and log times, oldest first (by date, then
        in the order they were logged); none if the database does not exist yet."""
        key = _key(couple)
        if not self.path.exists():
            return ()
        with self._connect(write=False) as (connection, version):
            return tuple(self._rows(connection, version, "couple = ? ORDER BY date, id", key))

    def _missing(self, outing_id: int, couple: str) -> HistoryError:
        return self._fail(f"no outing {outing_id} for couple {couple!r}")

    def _one(
        self, connection: sqlite3.Connection, version: int | None, outing_id: int, couple: str
    ) -> LoggedOuting:
        if outing_id not in _ROW_IDS:
            raise self._missing(outing_id, couple)
        found = self._rows(connection, version, "id = ? AND couple = ?", outing_id, couple)
        if not found:
            raise self._missing(outing_id, couple)
        return found[0]

    def remove(self, outing_id: int, *, couple: Couple | str) -> LoggedOuting:
        """Delete one of the couple's outings by id; returns it. An id that is not the
        couple's raises HistoryError."""
        outing_id, key = _outing_id(outing_id), _key(couple)
        # Removing from no database finds nothing; it must not create the file.
        if not self.path.exists():
            raise self._missing(outing_id, key)
        with self._connect(write=True) as (connection, version):
            removed = self._one(connection, version, outing_id, key)
            connection.execute("DELETE FROM outings WHERE id = ?", (outing_id,))
        return removed

    def undo(self, *, couple: Couple | str) -> LoggedOuting:
        """Delete the couple's most recently logged outing (whatever its date); returns it."""
        key = _key(couple)
        nothing = self._fail(f"no outings logged for couple {key!r}")
        if not self.path.exists():
            raise nothing
        with self._connect(write=True) as (connection, version):
            last = connection.execute(
                "SELECT max(id) FROM outings WHERE couple = ?", (key,)
            ).fetchone()[0]
            if last is None:
                raise nothing
            removed = self._one(connection, version, int(last), key)
            connection.execute("DELETE FROM outings WHERE id = ?", (last,))
        return removed

    def update(
        self,
        outing_id: int,
        *,
        couple: Couple | str,
        again: bool = False,
        today: dt.date | None = None,
        **changes: Any,
    ) -> LoggedOuting:
        """Change fields of one of the couple's outings (`rating=4`, `date=...`, `notes=...`);
        returns the outing as stored now. The same checks as `add` apply to the result;
        a bad field raises ArgumentError naming it."""
        outing_id, key, again = _outing_id(outing_id), _key(couple), _again(again)
        last_day = _today(couple, today)
        if unknown := sorted(set(changes) - set(Outing.model_fields)):
            raise ArgumentError(
                f"update: unknown field(s) {', '.join(unknown)}; "
                f"expected some of {', '.join(Outing.model_fields)}"
            )
        if not self.path.exists():
            raise self._missing(outing_id, key)
        with self._connect(write=True) as (connection, version):
            old = self._one(connection, version, outing_id, key)
            try:
                new = Outing.model_validate({**old.outing().model_dump(), **changes})
            except ValidationError as exc:
                raise ArgumentError(describe_validation_error(exc, prefix="update")) from None
            if new.date > last_day and new.date != old.date:
                raise self._fail(f"outing {outing_id} cannot move to {new.date}, after today")
            self._check_year(new, f"outing {outing_id}")
            if not again:
                self._refuse_repeats(connection, version, [new], key, besides=outing_id)
            connection.execute(
                "UPDATE outings SET activity_id = ?, title = ?, category = ?, tags = ?, date = ?,"
                " rating = ?, cost = ?, notes = ? WHERE id = ?",
                (*_values(new), outing_id),
            )
            return self._one(connection, version, outing_id, key)


def _values(outing: Outing) -> tuple[object, ...]:
    """An outing's columns, activity_id .. notes, as stored at the current version."""
    return (
        outing.activity_id,
        outing.title,
        outing.category,
        json.dumps(list(outing.tags), ensure_ascii=False),
        outing.date.isoformat(),
        outing.rating,
        outing.cost,
        outing.notes,
    )


def _tags_of(stored: object, version: int) -> list[str]:
    """A row's tags as written at `version`: semicolon-separated (1) or a JSON array (2)."""
    if not isinstance(stored, str):
        raise ValueError(f"expected text, got {stored!r}")
    if version == 1:
        return [tag for tag in stored.split(";") if tag]
    try:
        tags = json.loads(stored)
    except json.JSONDecodeError:
        raise ValueError(f"expected a JSON array of strings, got {stored!r}") from None
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValueError(f"expected a JSON array of strings, got {stored!r}")
    return tags


#: Columns of an exported history, in order (CSV header, JSON keys).
EXPORT_FIELDS = ("id", "date", "activity_id", "title", "category", "tags", "rating", "cost",
                 "notes", "logged_at")  # fmt: skip


#: A CSV cell a spreadsheet would run as a formula starts with one of =+-@, a tab or a
#: carriage return; after any quotes, because a cell that starts with a quote followed by
#: one of them is guarded too (so that removing one quote on import is never ambiguous).
_FORMULA = re.compile(r"'*[=+\-@\t\r]")


def _guard(cell: object) -> object:
    """A CSV cell a spreadsheet shows as text: one quote before a would-be formula."""
    return f"'{cell}" if isinstance(cell, str) and _FORMULA.match(cell) else cell


def _unguard(cell: str) -> str:
    """A CSV cell as it was before `_guard`: the one added quote removed."""
    return cell[1:] if cell.startswith("'") and _FORMULA.match(cell) else cell


def export_outings(outings: Sequence[LoggedOuting], path: str | os.PathLike[str]) -> None:
    """Write outings to `path`: CSV for a .csv suffix (tags as a JSON array, a cell that
    would start a spreadsheet formula after one added quote), else JSON. Outings that are
    not `LoggedOuting`s raise ArgumentError before the file is touched."""
    path = _path(path)
    if isinstance(outings, LoggedOuting | str | bytes) or not isinstance(outings, Iterable):
        raise ArgumentError(
            f"outings: expected a list of LoggedOuting (from logged_outings), got {_got(outings)}"
        )
    records = []
    for number, outing in enumerate(outings, start=1):
        if not isinstance(outing, LoggedOuting):
            # An id and a log time are part of every export; a plain Outing has neither.
            raise ArgumentError(
                f"outings: item {number}: expected a LoggedOuting (from logged_outings), "
                f"got {_got(outing)}"
            )
        records.append(outing.model_dump(mode="json", include=set(EXPORT_FIELDS)))
    try:
        if path.suffix.lower() == ".csv":
            with path.open("w", newline="", encoding="utf-8") as file:
                writer = csv.DictWriter(file, fieldnames=EXPORT_FIELDS)
                writer.writeheader()
                for record in records:
                    row = {**record, "tags": json.dumps(record["tags"])}
                    writer.writerow({k: _guard(v) for k, v in row.items()})
        else:
            text = json.dumps(
                [{k: r[k] for k in EXPORT_FIELDS} for r in records], indent=2, ensure_ascii=False
            )
            path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise HistoryError(f"{path}: cannot write the export ({exc.strerror or exc})") from None


def import_outings(path: str | os.PathLike[str]) -> list[Outing]:
    """Read outings from a CSV or JSON file as `export_outings` writes them (`id` and
    `logged_at` are ignored; in CSV, tags are a JSON array or separated by ';', and one
    quote before a would-be formula is removed)."""
    path = _path(path)
    try:
        # newline="": a quoted CSV cell may hold line breaks, kept as they were written.
        with path.open(encoding="utf-8", newline="") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise HistoryError(f"{path}: cannot read outings ({exc})") from None
    records: list[Any]
    if path.suffix.lower() == ".csv":
        records = _csv_records(path, text)
    else:
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            raise HistoryError(f"{path}: not JSON ({exc})") from None
        if not isinstance(records, list):
            raise HistoryError(f"{path}: expected a JSON array of outings")
    outings = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise HistoryError(f"{path}: outing {number}: expected an object")
        fields = {k: v for k, v in record.items() if k not in ("id", "logged_at")}
        try:
            outings.append(Outing.model_validate(fields))
        except ValidationError as exc:
            raise HistoryError(
                describe_validation_error(exc, prefix=f"{path}: outing {number}")
            ) from None
    return outings


def _csv_records(path: Path, text: str) -> list[dict[str, Any]]:
    """The rows of an exported CSV as outing fields; an empty cell is a missing value."""
    try:
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise HistoryError(f"{path}: not CSV ({exc})") from None
    records: list[dict[str, Any]] = []
    for number, row in enumerate(rows, start=1):
        record: dict[str, Any] = {
            k: _unguard(v) if isinstance(v, str) else v for k, v in row.items() if v != ""
        }
        tags = (record.get("tags") or "").strip()
        try:
            record["tags"] = json.loads(tags) if tags.startswith("[") else tags
        except json.JSONDecodeError:
            raise HistoryError(f"{path}: outing {number}: tags: not a JSON array") from None
        records.append(record)
    return records
